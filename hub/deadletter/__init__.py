"""Dead letters: records that could not be processed, kept with their original bytes.

The model is the SDK's (:class:`connectors.sdk.deadletter.DeadLetter`, so connectors and the
hub describe a failure alike); :class:`DeadLetterRow` is its table and
:class:`DeadLetterService` (``service``) the one module that stores letters and changes their
status. The names load on first use (PEP 562), so the model can be imported without the
database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from connectors.sdk.deadletter import (
        DeadLetter,
        DeadLetterStatus,
        describe_error,
        failure_key,
    )
    from hub.deadletter.model import DeadLetterRow
    from hub.deadletter.service import DeadLetterService

_HOMES = {
    "DeadLetter": "connectors.sdk.deadletter",
    "DeadLetterRow": "hub.deadletter.model",
    "DeadLetterService": "hub.deadletter.service",
    "DeadLetterStatus": "connectors.sdk.deadletter",
    "describe_error": "connectors.sdk.deadletter",
    "failure_key": "connectors.sdk.deadletter",
}

__all__ = [
    "DeadLetter",
    "DeadLetterRow",
    "DeadLetterService",
    "DeadLetterStatus",
    "describe_error",
    "failure_key",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
