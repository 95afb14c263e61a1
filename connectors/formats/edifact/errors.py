"""The error of one EDIFACT message or interchange, located down to the component.

::

    RecordError (connectors.errors)
    └── EdifactError          one message (or the interchange trailer) breaks a syntax rule

Each error carries the UN/EDIFACT syntax error code (data element 0085) of the broken rule, so
a CONTRL report can be rendered from the errors alone (:mod:`.contrl`).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from connectors.errors import RecordError

__all__ = ["EdifactError", "SyntaxErrorCode"]


class SyntaxErrorCode(StrEnum):
    """The UN/EDIFACT syntax error codes (0085) this reader reports."""

    INVALID_VALUE = "12"
    MISSING = "13"
    NOT_SUPPORTED_IN_POSITION = "15"
    INVALID_DECIMAL_NOTATION = "19"
    INVALID_CHARACTERS = "21"
    INVALID_SERVICE_CHARACTERS = "22"
    REFERENCES_DO_NOT_MATCH = "28"
    CONTROL_COUNT_DOES_NOT_MATCH = "29"
    INVALID_TYPE_OF_CHARACTERS = "37"


class EdifactError(RecordError):
    """A message (or the interchange trailer) that breaks an EDIFACT syntax rule.

    ``location`` reads ``<file>, UNB ref <ref>, UNH ref <ref>, segment <n> <TAG>`` (the segment
    position counts from UNH = 1, as CONTRL's UCS does); ``field`` names the element and
    component (1-based) when one is at fault.
    """

    def __init__(
        self,
        location: str,
        reason: str,
        *,
        code: SyntaxErrorCode,
        interchange_ref: str | None,
        message_ref: str | None,
        message_type: str | None,
        segment_position: int | None,
        tag: str | None,
        element: int | None = None,
        component: int | None = None,
        raw: bytes | None = None,
        line: int | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        field = None
        if element is not None:
            field = f"{tag} element {element}" + (
                f" component {component}" if component is not None else ""
            )
        if context is not None:
            # the place shown and dead-lettered is the error's own, down to the segment: the
            # message's context names only its UNH (and a trailer's, only the file)
            context = {**context, "where": location}
        super().__init__(
            location,
            f"{reason} [0085 code {code.value}]",
            field=field,
            raw=raw,
            line=line,
            context=context,
        )
        self.code = code
        self.rule = reason
        self.interchange_ref = interchange_ref
        self.message_ref = message_ref
        self.message_type = message_type
        self.segment_position = segment_position
        self.tag = tag
        self.element = element
        self.component = component
