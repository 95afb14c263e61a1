"""Dead letters: records that could not be processed, kept with their original bytes.

The names load on first use (PEP 562), so ``hub.deadletter.letter`` can be imported without
the database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from hub.deadletter.letter import DeadLetter, DeadLetterStatus, describe_error, failure_key
    from hub.deadletter.model import DeadLetterRow
    from hub.deadletter.store import DeadLetterStore

_HOMES = {
    "DeadLetter": "hub.deadletter.letter",
    "DeadLetterRow": "hub.deadletter.model",
    "DeadLetterStatus": "hub.deadletter.letter",
    "DeadLetterStore": "hub.deadletter.store",
    "describe_error": "hub.deadletter.letter",
    "failure_key": "hub.deadletter.letter",
}

__all__ = [
    "DeadLetter",
    "DeadLetterRow",
    "DeadLetterStatus",
    "DeadLetterStore",
    "describe_error",
    "failure_key",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
