"""Dead letters: records that could not be processed, kept with their original bytes."""

from hub.deadletter.model import DeadLetterRow, DeadLetterStatus
from hub.deadletter.store import DeadLetter, DeadLetterStore, describe_error, failure_key

__all__ = [
    "DeadLetter",
    "DeadLetterRow",
    "DeadLetterStatus",
    "DeadLetterStore",
    "describe_error",
    "failure_key",
]
