"""File formats: parsers that turn bytes into RawRecords (and, later, renderers back)."""

from connectors.formats.csv import CsvFormat, CsvPosition

__all__ = ["CsvFormat", "CsvPosition"]
