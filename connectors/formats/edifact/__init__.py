"""UN/EDIFACT: a streaming reader of interchanges (one record per message), CONTRL (syntax)
and APERAK (application error) reports.

See :mod:`.reader` for the choices (own tokenizer over pydifact, missing UNZ tolerated with a
warning, UTF-8 first), :mod:`.structures` for the tree a mapping spec reads, and
:mod:`.numbers` for the decimal mark.
"""

from connectors.formats.edifact.aperak import render_aperak
from connectors.formats.edifact.contrl import render_contrl
from connectors.formats.edifact.errors import EdifactError, SyntaxErrorCode
from connectors.formats.edifact.message import CONTENT_TYPE
from connectors.formats.edifact.reader import EdifactFormat
from connectors.formats.edifact.syntax import ServiceChars

__all__ = [
    "CONTENT_TYPE",
    "EdifactError",
    "EdifactFormat",
    "ServiceChars",
    "SyntaxErrorCode",
    "render_aperak",
    "render_contrl",
]
