"""Which trading partner sent a message: its interchange sender matched to ``partners:``.

Each format names the sender in its envelope: X12 ISA06 with the ISA05 qualifier, EDIFACT the
UNB sender identification with its code qualifier (S002 0004:0007), an IDoc the control
record's ``SNDPRN`` with ``SNDPRT``, a Shopify body the shop domain its connector received it
from (``context["shop"]``). A POSLog or CSV file has no interchange sender: no profile.

A partner's sender given without a qualifier matches any qualifier; with one, only that one,
and it wins over an unqualified sender of another partner. The match says why, for
``crossdock translate --explain``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.record import RawRecord
from hub.config import PartnerConfig, sender_key
from hub.message_types import FORMAT_NAMES
from mappings.partner_profile import PartnerProfile

__all__ = ["PartnerDirectory", "PartnerMatch", "Sender", "envelope_sender"]

_FIELDS = {
    "x12": ("ISA06", "ISA05"),
    "edifact": ("UNB sender", "qualifier"),
    "idoc": ("SNDPRN", "SNDPRT"),
    "shopify": ("shop", ""),
}


@dataclass(frozen=True, slots=True)
class Sender:
    """The sender an envelope names."""

    format: str
    id: str
    qualifier: str | None = None

    def __str__(self) -> str:
        name, qualifier_name = _FIELDS.get(self.format, ("sender", "qualifier"))
        text = f"{FORMAT_NAMES.get(self.format, self.format)} {name} {self.id!r}"
        return text + (f" ({qualifier_name} {self.qualifier!r})" if self.qualifier else "")


@dataclass(frozen=True, slots=True)
class PartnerMatch:
    """The profile chosen for a message (``None``: no partner) and why."""

    sender: Sender | None
    partner: PartnerConfig | None
    why: str

    @property
    def profile(self) -> PartnerProfile | None:
        """The profile the spec functions see (``None``: the neutral one)."""
        return self.partner


def envelope_sender(fmt: str, record: RawRecord) -> Sender | None:
    """The interchange sender of ``record``, or ``None`` where the format names none."""
    context = record.context
    if fmt == "x12":
        return _sender(fmt, context.get("sender"), context.get("sender_qualifier"))
    if fmt == "edifact":
        # UNB S002 arrives joined by the interchange's component separator (UNA, else ':')
        una = str(context.get("una") or "")
        separator = una[3] if len(una) > 3 else ":"
        ident, _, qualifier = str(context.get("sender") or "").partition(separator)
        return _sender(fmt, ident, qualifier.partition(separator)[0])
    if fmt == "idoc":
        control = record.fields.get("EDI_DC40") if isinstance(record.fields, Mapping) else None
        if not isinstance(control, Mapping):
            return None
        return _sender(fmt, control.get("SNDPRN"), control.get("SNDPRT"))
    if fmt == "shopify":
        return _sender(fmt, context.get("shop"), None)
    return None


def _sender(fmt: str, ident: Any, qualifier: Any) -> Sender | None:
    text = str(ident).strip() if ident is not None else ""
    if not text:
        return None
    qualifier_text = str(qualifier).strip() if qualifier is not None else ""
    return Sender(fmt, text, qualifier_text or None)


class PartnerDirectory:
    """The configured partners, looked up by sender."""

    def __init__(self, partners: Sequence[PartnerConfig] = ()) -> None:
        self.partners = tuple(partners)
        self._exact: dict[tuple[str, str, str | None], PartnerConfig] = {}
        self._any: dict[tuple[str, str], PartnerConfig] = {}
        # one interchange holds many messages of one sender: decide once per sender
        self._seen: dict[Sender, PartnerMatch] = {}
        for partner in self.partners:
            for match in partner.senders:
                fmt, ident, qualifier = match.key()
                if qualifier is None:
                    self._any.setdefault((fmt, ident), partner)
                else:
                    self._exact.setdefault((fmt, ident, qualifier), partner)

    def __bool__(self) -> bool:
        return bool(self.partners)

    def match(self, fmt: str, record: RawRecord) -> PartnerMatch:
        """The partner of ``record``'s sender, with the reason either way."""
        sender = envelope_sender(fmt, record)
        if sender is None:
            return PartnerMatch(None, None, f"the {fmt} message names no interchange sender")
        return self.match_sender(sender)

    def match_sender(self, sender: Sender) -> PartnerMatch:
        """The partner configured for ``sender``."""
        found = self._seen.get(sender)
        if found is None:
            found = self._seen[sender] = self._decide(sender)
        return found

    def _decide(self, sender: Sender) -> PartnerMatch:
        fmt, ident, qualifier = sender_key(sender.format, sender.id, sender.qualifier)
        exact = self._exact.get((fmt, ident, qualifier)) if qualifier else None
        if exact is not None:
            return PartnerMatch(sender, exact, f"{sender} is a sender of partner {exact.name!r}")
        loose = self._any.get((fmt, ident))
        if loose is not None:
            why = f"{sender} is a sender of partner {loose.name!r} (any qualifier)"
            return PartnerMatch(sender, loose, why)
        names = ", ".join(p.name for p in self.partners) or "none configured"
        return PartnerMatch(sender, None, f"no partner has {sender} among its senders ({names})")
