"""The service characters of an interchange (UNA) and the character sets its UNB names.

ISO 9735 lets an interchange open with ``UNA`` and six characters: component separator,
data element separator, decimal mark, release character, a reserved (syntax 3) or repetition
(syntax 4) character, and the segment terminator. A space in the release position means the
interchange uses no release character. Without UNA the defaults apply: ``:+.? '`` for level A
(UNOA) and the character sets that use them, and the information separators IS1, IS3 and IS4
(no release character) for level B (UNOB) written with them.

Some senders write other delimiters without declaring them in UNA. Their UNB still shows them
(``UNB"UNOB=1"…;``): :func:`chars_from_unb` reads them from there, and the reader warns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["DEFAULT_CHARS", "LEVEL_B_CHARS", "ServiceChars", "chars_from_unb", "charset_for"]


@dataclass(frozen=True, slots=True)
class ServiceChars:
    """The six service characters, each one byte (EDIFACT service characters are ASCII).

    ``release`` is ``""`` for an interchange without a release character.
    """

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
        if chars.release == " ":  # a space in the release position: no release character
            chars = replace(chars, release="")
        separators = [chars.component, chars.element, chars.terminator]
        separators += [chars.release] if chars.release else []
        if len(set(separators)) != len(separators) or any(
            not c.isascii() or c.isalnum() for c in separators
        ):
            raise ValueError(
                f"UNA service characters {text!r} must be different ASCII non-alphanumerics "
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
            + (self.release or " ")
            + self.reserved
            + self.terminator
        )


DEFAULT_CHARS = ServiceChars()
"""The characters of an interchange without UNA (ISO 9735 default ``:+.? '``)."""

LEVEL_B_CHARS = ServiceChars("\x1f", "\x1d", ".", "", " ", "\x1c")
"""The level B defaults (ISO 9735 syntax level B): IS1, IS3, IS4, no release character."""

_UNB_FOLLOWERS = (b"UNH", b"UNG")


def chars_from_unb(head: bytes) -> ServiceChars | None:
    """The delimiters a UNB written without UNA shows, when they are not the defaults.

    ``head`` starts with ``UNB``. The byte after the tag is the data element separator, the
    first non-alphanumeric byte after the syntax identifier (``UNOB=1``) the component
    separator, and the byte before the next ``UNH``/``UNG`` (line breaks aside) the segment
    terminator. ``None`` when these are the defaults, or when they cannot all be found in
    ``head`` (the defaults then apply: a wrong guess would be worse than the error they give).
    """
    element = head[3:4]
    if element == b"\x1d":  # level B written with its information separators
        return LEVEL_B_CHARS
    syntax = head[4:40]
    component = next(
        (syntax[i : i + 1] for i in range(len(syntax)) if not syntax[i : i + 1].isalnum()), b""
    )
    terminator = b""
    for follower in _UNB_FOLLOWERS:
        at = head.find(follower + element)
        if at > 0:
            terminator = head[:at].rstrip(b"\r\n")[-1:]
            break
    found = (component, element, terminator)
    if found == (b":", b"+", b"'"):
        return None
    if len(set(found)) != 3 or any(not c or c.isalnum() or not c.isascii() for c in found):
        return None
    release = "" if b"?" in found else "?"
    return ServiceChars(
        component.decode(), element.decode(), ".", release, " ", terminator.decode()
    )


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
