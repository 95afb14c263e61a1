"""Subject names in URL paths: any character, ``/`` included when sent as ``%2F``.

Starlette matches routes on the decoded path, where ``a%2Fb`` has become ``a/b`` and would
split the name. For the Confluent paths the negotiation middleware therefore decodes the raw
path itself, turning each encoded slash into :data:`ENCODED_SLASH` (a private-use character
no client sends), and the ``{subject:subject}`` path convertor turns it back into ``/`` for the
route. A literal ``/`` stays a separator, as in Confluent's routes.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.convertors import Convertor, register_url_convertor

__all__ = ["ENCODED_SLASH", "SubjectConvertor", "register_subject_convertor", "routing_path"]

ENCODED_SLASH = "\ue02f"
"""Stands for an encoded ``/`` inside one path segment while routes are matched."""

_ESCAPED = "%EE%80%AF"  # ENCODED_SLASH, percent-encoded as UTF-8


def routing_path(raw_path: bytes) -> str:
    """The decoded path to route on: every ``%2F`` kept inside its segment."""
    text = raw_path.decode("latin-1").replace("%2F", _ESCAPED).replace("%2f", _ESCAPED)
    return unquote(text)


class SubjectConvertor(Convertor[str]):
    """One path segment holding a subject name, its encoded slashes restored."""

    regex = "[^/]+"

    def convert(self, value: str) -> str:
        """The subject name."""
        return value.replace(ENCODED_SLASH, "/")

    def to_string(self, value: str) -> str:
        """The segment for a subject name (for URLs built from routes)."""
        return value.replace("/", ENCODED_SLASH)


def register_subject_convertor() -> None:
    """Make ``{name:subject}`` usable in route paths (call before declaring such routes)."""
    register_url_convertor("subject", SubjectConvertor())
