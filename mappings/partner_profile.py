"""A trading partner's profile, as the spec functions of a message see it.

Real EDI differs per sender: which of a line's product ids is the SKU, which store a document
means when it names none, the century of six-digit dates, whether an order line must carry a
price. ``partners:`` in ``crossdock.yaml`` gives one profile per partner (see the README's
Configuration); the hub matches each message's interchange sender to a profile
(:mod:`hub.partners`) and makes it *current* while the message is mapped. A ``python:`` spec
function reads it, without a new argument, and gets the neutral :data:`NO_PROFILE` when no
partner matched::

    from mappings.partner_profile import current_profile

    def product_sku(item):
        profile = current_profile()
        found = profile.choose_id(ids_of(item), default=("VN", "BP", "SK", "IN", "UP"))
        ...

The profile travels in a :class:`contextvars.ContextVar`, set in one place
(:class:`hub.documents.DocumentMapper`) around the mapping of one message: threads and
workers each see their own, and a spec without ``python:`` functions pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["NO_PROFILE", "PartnerProfile", "active_profile", "current_profile"]


class PartnerProfile(BaseModel):
    """What a partner's documents mean where the standard leaves the choice to the partners."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: the partner's name in ``crossdock.yaml``; empty for :data:`NO_PROFILE`
    name: str = ""
    #: product id qualifiers in order of preference for the SKU (X12 235 ``VN``, ``BP``…,
    #: EDIFACT 7143 ``SA``, ``IN``…, IDoc ``E1EDP19-QUALF``); empty: the spec's own order
    sku_qualifiers: tuple[str, ...] = ()
    #: the location (store, warehouse) a document means when it names none
    default_location: str | None = None
    #: the unit of measure a line means when it states none (X12 355 / UN/ECE Rec 20 code)
    default_unit: str | None = None
    #: the century of six-digit dates (``YYMMDD``, X12 before 004010): 20 reads ``040317`` as
    #: 2004-03-17. Unset: the POSIX window (69-99 → 1900s, 00-68 → 2000s)
    date_century: int | None = Field(None, ge=10, le=30)
    #: refuse an order line without a unit price (else a catalogue-priced line passes)
    unit_price_required: bool = False
    #: the ISO 4217 currency of amounts when the document states none
    default_currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")

    def sku_order(self, default: Sequence[str]) -> tuple[str, ...]:
        """The qualifiers to try for the SKU, best first: the profile's, else ``default``."""
        return self.sku_qualifiers or tuple(default)

    def choose_id(
        self, ids: Iterable[tuple[str, str]], default: Sequence[str]
    ) -> tuple[str, str] | None:
        """The (qualifier, value) that is the SKU among a line's ``ids``, or ``None``.

        The first qualifier of :meth:`sku_order` with a non-blank value wins; ids whose
        qualifier is not in that order are never chosen.
        """
        found: dict[str, str] = {}
        for qualifier, value in ids:
            if value and (text := value.strip()) and qualifier not in found:
                found[qualifier] = text
        for qualifier in self.sku_order(default):
            if qualifier in found:
                return qualifier, found[qualifier]
        return None

    def full_year(self, two_digits: int) -> int:
        """The year of a two-digit year, by :attr:`date_century` or the POSIX window."""
        if not 0 <= two_digits <= 99:
            raise ValueError(f"{two_digits} is not a two-digit year")
        if self.date_century is not None:
            return self.date_century * 100 + two_digits
        return (1900 if two_digits >= 69 else 2000) + two_digits

    def expand_date(self, text: str) -> str:
        """``YYMMDD`` → ``CCYYMMDD`` (an 8-digit date is returned as it is)."""
        if len(text) == 8 and text.isdigit():
            return text
        if len(text) != 6 or not text.isdigit():
            raise ValueError(f"{text!r} is not a date of 6 or 8 digits")
        return f"{self.full_year(int(text[:2])):04d}{text[2:]}"


NO_PROFILE = PartnerProfile()
"""The profile of a message whose sender matched no partner: every choice the spec's own."""

_CURRENT: ContextVar[PartnerProfile] = ContextVar("crossdock_partner_profile", default=NO_PROFILE)


def current_profile() -> PartnerProfile:
    """The profile of the message being mapped (:data:`NO_PROFILE` when none matched)."""
    return _CURRENT.get()


class active_profile:  # named as the function it replaced: ``with active_profile(p):``
    """Make ``profile`` current for the mapping done inside the block.

    A class, not a ``@contextmanager`` generator: it is entered once per message mapped, and
    the generator's machinery cost five times the ContextVar's set and reset (callgrind).
    """

    __slots__ = ("_profile", "_token")

    def __init__(self, profile: PartnerProfile | None) -> None:
        self._profile = profile or NO_PROFILE

    def __enter__(self) -> PartnerProfile:
        self._token = _CURRENT.set(self._profile)
        return self._profile

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._token)
