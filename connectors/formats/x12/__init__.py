"""X12 (ANSI ASC X12) documents: a streaming reader of transaction sets, and acknowledgments.

``X12Format`` reads any interchange one ST..SE set at a time into the tree the mapping specs
in ``mappings/specs/x12/`` read (see :mod:`connectors.formats.x12.loops`); ``render_855``
writes a purchase order acknowledgment and ``render_997`` a functional acknowledgment.
"""

from connectors.formats.x12.ack855 import render_855, render_855_for_850
from connectors.formats.x12.ack997 import acknowledge, render_997
from connectors.formats.x12.errors import X12Error
from connectors.formats.x12.reader import CONTENT_TYPE, X12Format
from connectors.formats.x12.separators import Separators
from connectors.formats.x12.writer import InterchangeHeader, render_interchange

__all__ = [
    "CONTENT_TYPE",
    "InterchangeHeader",
    "Separators",
    "X12Error",
    "X12Format",
    "acknowledge",
    "render_855",
    "render_855_for_850",
    "render_997",
    "render_interchange",
]
