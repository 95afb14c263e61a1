"""Errors of X12 documents, carrying what a 997 acknowledgment needs to report them.

::

    RecordError (connectors.errors)
    └── X12Error                 one transaction set, group or interchange is malformed

The message names the file, the interchange (ISA13), group (GS06) and transaction set (ST02)
control numbers, the segment position (ST = 1, as a 997 counts) and tag, the element (``SE01``)
and the rule broken; ``context`` keeps the same facts as data, plus the X12 syntax error codes
(AK3/AK4/AK5/AK9) a functional acknowledgment reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import RecordError

__all__ = ["X12Error"]


class X12Error(RecordError):
    """A transaction set (or an envelope) broke an X12 rule; its raw bytes are kept."""

    def __init__(
        self,
        location: str,
        reason: str,
        *,
        field: str | None = None,
        raw: bytes | None = None,
        line: int | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(location, reason, field=field, raw=raw, line=line, context=context)

    @property
    def set_code(self) -> str | None:
        """The AK5 transaction set syntax error code (X12 element 718), if a set is at fault."""
        code = self.context.get("ak5")
        return str(code) if code is not None else None

    @property
    def group_code(self) -> str | None:
        """The AK9 functional group syntax error code (X12 element 716), if the group is."""
        code = self.context.get("ak9")
        return str(code) if code is not None else None
