"""X12 (ANSI ASC X12) documents: a streaming reader of transaction sets, and acknowledgments.

``X12Format`` reads any interchange one ST..SE set at a time into the tree the mapping specs
in ``mappings/specs/x12/`` read (see :mod:`connectors.formats.x12.loops`); the renderers
write 855 purchase order acknowledgments and 997 functional acknowledgments.
"""

from connectors.formats.x12.errors import X12Error
from connectors.formats.x12.reader import CONTENT_TYPE, X12Format
from connectors.formats.x12.separators import Separators

__all__ = ["CONTENT_TYPE", "Separators", "X12Error", "X12Format"]
