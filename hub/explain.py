"""``crossdock translate --explain``: how a file is read, by which specs, for which partner.

The explanation is the translation itself, with what it decided kept beside the counts: which
format claimed the content and why, for each message kind the specs that map it (or why it is
refused or ignored, from :mod:`hub.message_types`), each interchange sender and the partner
profile it matched (or why none), and what came out. It runs the same code as ``translate``
(:func:`hub.translate.translate_file`): an explanation cannot tell a different story.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.config import Settings
from hub.message_types import message_type
from hub.translate import TranslationReport, translate_file
from mappings import SpecRegistry

__all__ = ["Explanation", "MessageKind", "PartnerLine", "explain_file"]


@dataclass(frozen=True, slots=True)
class MessageKind:
    """One message kind of the file: how many, and what Crossdock does with it."""

    label: str
    count: int
    #: ``mapped``, ``ignored`` or ``refused``
    handling: str
    #: ``x12.850@1 → retail.order.created@2 (description)`` per spec, when mapped
    specs: tuple[str, ...] = ()
    why: str = ""


@dataclass(frozen=True, slots=True)
class PartnerLine:
    """One interchange sender met, the partner it matched (or none) and why."""

    sender: str
    partner: str | None
    why: str
    #: the profile's settings that differ from the neutral profile
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything ``--explain`` prints for one file."""

    report: TranslationReport
    messages: tuple[MessageKind, ...]
    partners: tuple[PartnerLine, ...]
    #: why no partner line is shown (no partner configured, or a format without senders)
    partners_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``--explain --json``)."""
        report = self.report
        return {
            "file": str(report.path),
            "format": report.format,
            "how": report.how,
            "messages": [
                {
                    "message": m.label,
                    "count": m.count,
                    "handling": m.handling,
                    "specs": list(m.specs),
                    "why": m.why,
                }
                for m in self.messages
            ],
            "partners": [
                {"sender": p.sender, "partner": p.partner, "why": p.why, "profile": p.profile}
                for p in self.partners
            ],
            "partners_note": self.partners_note,
            "events": report.events,
            "errors": report.errors,
            "refusals": report.refusals,
            "ignored": report.ignored,
            "first_error": report.first_error,
        }


def explain_file(
    path: Path,
    settings: Settings,
    *,
    connector: str,
    mapping_id: str | None = None,
    registry: SpecRegistry | None = None,
) -> Explanation:
    """Translate ``path`` (events discarded) and explain every choice made on the way."""
    registry = registry if registry is not None else SpecRegistry.from_directory()
    report = TranslationReport(path)
    for _ in translate_file(
        path,
        settings,
        connector=connector,
        mapping_id=mapping_id,
        report=report,
        registry=registry,
    ):
        pass  # counted in the report
    forced = registry.get(mapping_id) if mapping_id and mapping_id in registry else None
    messages = tuple(
        _kind(report, kind, count, registry, forced) for kind, count in report.messages.items()
    )
    partners = tuple(
        PartnerLine(
            sender,
            match.partner.name if match.partner else None,
            match.why,
            match.partner.profile().model_dump(exclude_defaults=True, exclude={"name"})
            if match.partner
            else {},
        )
        for sender, match in report.partners.items()
    )
    note = ""
    if not settings.partners:
        note = "no partner profiles are configured (partners: in crossdock.yaml)"
    elif not partners:
        note = f"a {report.format or 'unread'} file names no interchange sender: no profile"
    return Explanation(report, messages, partners, note)


def _kind(
    report: TranslationReport, kind: str, count: int, registry: SpecRegistry, forced: Any
) -> MessageKind:
    fmt = report.format
    specs = [forced] if forced is not None else registry.for_source(fmt, kind)
    if fmt == "csv":
        specs = [registry.get(ref.split("@")[0]) for ref in sorted(report.mappings)]
    described = message_type(fmt, kind)
    if specs:
        return MessageKind(
            described.label,
            count,
            "mapped",
            tuple(
                f"{m.id}@{m.version} → {m.target_type}@{m.target_version}"
                + (f" ({m.spec.description})" if m.spec.description else "")
                for m in specs
            ),
        )
    if described.ignored_because:
        return MessageKind(described.label, count, "ignored", why=described.ignored_because)
    return MessageKind(
        described.label, count, "refused", why="no mapping spec reads this message type"
    )
