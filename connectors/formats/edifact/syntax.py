"""The service characters of an interchange (UNA) and the character sets its UNB names.

ISO 9735 lets an interchange open with ``UNA`` and six characters: component separator,
data element separator, decimal mark, release character, a reserved (syntax 3) or repetition
(syntax 4) character, and the segment terminator. Without UNA the defaults ``:+.? '`` apply.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_CHARS", "ServiceChars", "charset_for"]


@dataclass(frozen=True, slots=True)
class ServiceChars:
    """The six service characters, each one byte (EDIFACT service characters are ASCII)."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    reserved: str = " "
    terminator: str = "'"

    @classmethod
    def from_una(cls, una: bytes) -> ServiceChars:
        """Read ``UNA:+.? '`` (the nine bytes of the advice); ``ValueError`` says what is wrong."""
        if len(una) < 9 or una[:3] != b"UNA":
            raise ValueError(
                f"UNA service string advice needs 6 characters after 'UNA', got {una!r}"
            )
        text = una[3:9].decode("ascii", "replace")
        chars = cls(*text)
        separators = (chars.component, chars.element, chars.release, chars.terminator)
        if len(set(separators)) != 4 or any(not c.isascii() or c.isalnum() for c in separators):
            raise ValueError(
                f"UNA service characters {text!r} must be four different ASCII non-alphanumerics "
                "(component, element, release, terminator)"
            )
        if chars.decimal not in ".,":
            raise ValueError(f"UNA decimal mark {chars.decimal!r} must be '.' or ','")
        return chars

    def una(self) -> str:
        """The service string advice that declares these characters."""
        return (
            "UNA"
            + self.component
            + self.element
            + self.decimal
            + self.release
            + self.reserved
            + self.terminator
        )


DEFAULT_CHARS = ServiceChars()
"""The characters of an interchange without UNA (ISO 9735 default ``:+.? '``)."""

# Syntax identifiers (UNB S001/0001) and the Python codec for their text. UNOA/UNOB are ASCII
# subsets, UNOW is UTF-8 (syntax 4); UNOC..UNOK are the ISO 8859 parts.
_CHARSETS = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "iso8859-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}


def charset_for(syntax_id: str) -> str | None:
    """The codec of a UNB syntax identifier, or ``None`` for one this reader does not know."""
    return _CHARSETS.get(syntax_id.upper())
