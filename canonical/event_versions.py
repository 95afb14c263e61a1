"""Which event models exist, at which versions, and how to convert between versions.

A ``EventRegistry`` holds event models by ``(type, version)`` and casters between adjacent
versions. ``convert`` chains casters (1→2→3 up, 3→2→1 down), so a subscriber pinned to an old
version still receives events produced at a newer one. The module-level functions act on
``default_registry``, which holds the built-in events; tests and plug-ins can build their own
registry so nothing global leaks between them. ``read_event`` is the consumer's side of this:
it validates an envelope at the version it was sent at and hands back ``data`` at the version
the consumer is pinned to.

Casters are pure functions ``dict -> dict`` on the JSON form of ``data``: they must return a new
dict and never mutate their input (``convert`` does not copy, to stay cheap per event).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from canonical.casting import Caster, CastStep
from canonical.envelope import Envelope, dataschema_uri
from canonical.errors import (
    DuplicateRegistration,
    InvalidCaster,
    InvalidEventTarget,
    NoCastPath,
    UnknownEventType,
    UnknownEventVersion,
)
from canonical.events import BUILTIN_CASTS, BUILTIN_EVENT_MODELS, EventData

# Caster and CastStep live in canonical.casting (the event modules declare their casts without
# importing the registry); they stay importable from here, where they were first published.
__all__ = [
    "CastStep",
    "Caster",
    "EventRegistry",
    "convert",
    "default_registry",
    "event_model",
    "event_types",
    "latest_version",
    "parse_envelope",
    "parse_target",
    "read_envelope",
    "read_event",
    "register_caster",
    "versions",
]

_EVENT_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_TARGET = re.compile(r"(?P<type>[^@]+)@(?P<version>[1-9][0-9]*)")


def parse_target(target: str) -> tuple[str, int]:
    """Split ``"retail.inventory.adjusted@1"`` into ``("retail.inventory.adjusted", 1)``."""
    match = _TARGET.fullmatch(target)
    if match is None or _EVENT_TYPE.fullmatch(match["type"]) is None:
        raise InvalidEventTarget(
            f"target {target!r} is not 'type@version', e.g. 'retail.order.created@1'"
        )
    return match["type"], int(match["version"])


class _EnvelopeHead(BaseModel):
    """Just enough of an envelope to pick the data model."""

    model_config = ConfigDict(extra="ignore")

    type: str
    dataversion: int


class EventRegistry:
    """Event models by ``(type, version)`` plus the casters between versions."""

    def __init__(
        self, models: Iterable[type[EventData]] = (), casts: Iterable[CastStep] = ()
    ) -> None:
        self._models: dict[str, dict[int, type[EventData]]] = {}
        self._casters: dict[tuple[str, int, int], CastStep] = {}
        # pydantic's own cache of parametrised generics holds them weakly: between two garbage
        # collections Envelope[model] was built again (a third of the calls when routing), at
        # milliseconds each
        self._envelopes: dict[type[EventData], type[Envelope[EventData]]] = {}
        for model in models:
            self.register_model(model)
        for cast in casts:
            self.register_caster(
                cast.event_type, cast.from_version, cast.to_version, cast.fn, cast.lossy_fields
            )

    def register_model(self, model: type[EventData]) -> type[EventData]:
        """Register ``model`` under its ``event_type``/``event_version``; usable as decorator."""
        event_type, version = model.event_type, model.event_version
        if _EVENT_TYPE.fullmatch(event_type) is None:
            raise ValueError(f"event type {event_type!r} must be dotted lower-case words")
        if version < 1:
            raise ValueError(f"{event_type}: event_version must be >= 1, got {version}")
        by_version = self._models.setdefault(event_type, {})
        if version in by_version:
            raise DuplicateRegistration(
                f"{event_type}@{version} is already registered as {by_version[version].__name__}"
            )
        by_version[version] = model
        return model

    def event_types(self) -> list[str]:
        """Return every registered event type, sorted."""
        return sorted(self._models)

    def knows(self, event_type: str) -> bool:
        """Whether ``event_type`` is registered (what ``in event_types()`` says, without sorting
        them: routing asks it of every event)."""
        return event_type in self._models

    def versions(self, event_type: str) -> list[int]:
        """Return the registered versions of ``event_type``, ascending."""
        return sorted(self._by_version(event_type))

    def latest_version(self, event_type: str) -> int:
        """Return the highest registered version of ``event_type``."""
        return max(self._by_version(event_type))

    def event_model(self, event_type: str, version: int) -> type[EventData]:
        """Return the model class for ``event_type`` at ``version``."""
        by_version = self._by_version(event_type)
        try:
            return by_version[version]
        except KeyError:
            raise UnknownEventVersion(event_type, version, sorted(by_version)) from None

    def register_caster(
        self,
        event_type: str,
        from_version: int,
        to_version: int,
        fn: Caster,
        lossy_fields: Iterable[str] = (),
    ) -> None:
        """Register ``fn`` converting ``data`` of ``event_type`` one version up or down."""
        if abs(from_version - to_version) != 1:
            raise InvalidCaster(
                f"{event_type}: a caster goes one version up or down, "
                f"not v{from_version} -> v{to_version}"
            )
        key = (event_type, from_version, to_version)
        if key in self._casters:
            raise DuplicateRegistration(
                f"{event_type}: caster v{from_version} -> v{to_version} already registered"
            )
        self._casters[key] = CastStep(event_type, from_version, to_version, fn, tuple(lossy_fields))

    def cast_path(self, event_type: str, from_version: int, to_version: int) -> list[CastStep]:
        """Return the caster chain from one version to another (empty when they are equal)."""
        self.event_model(event_type, from_version)
        self.event_model(event_type, to_version)
        step = 1 if to_version > from_version else -1
        path = []
        for version in range(from_version, to_version, step):
            cast = self._casters.get((event_type, version, version + step))
            if cast is None:
                missing = f"v{version} -> v{version + step}"
                raise NoCastPath(event_type, from_version, to_version, missing)
            path.append(cast)
        return path

    def lossy_fields(self, event_type: str, from_version: int, to_version: int) -> tuple[str, ...]:
        """Return the fields dropped on the way from one version to the other, in step order."""
        steps = self.cast_path(event_type, from_version, to_version)
        return tuple(field for cast in steps for field in cast.lossy_fields)

    def convert(
        self,
        event_type: str,
        data: Mapping[str, Any],
        from_version: int,
        to_version: int,
        *,
        validate: bool = True,
    ) -> dict[str, Any]:
        """Return ``data`` (JSON form) converted from one version to another via the casters.

        With ``validate`` (the default) the result is checked against the target model, so a
        broken caster fails here and not in a subscriber.
        """
        result = dict(data)
        for cast in self.cast_path(event_type, from_version, to_version):
            result = cast.fn(result)
        if validate:
            self.event_model(event_type, to_version).model_validate(result)
        return result

    def parse_envelope(self, raw: bytes | str | Mapping[str, Any]) -> Envelope[EventData]:
        """Validate one structured-mode event (JSON text or its parsed dict), by type/version."""
        if isinstance(raw, bytes | str):
            head = _EnvelopeHead.model_validate_json(raw)
            return self._envelope_type(head.type, head.dataversion).model_validate_json(raw)
        head = _EnvelopeHead.model_validate(raw)
        return self._envelope_type(head.type, head.dataversion).model_validate(raw)

    def read_envelope(
        self, raw: bytes | str | Mapping[str, Any], *, as_version: int
    ) -> Envelope[EventData]:
        """Return the event with its ``data`` converted to ``as_version``, whatever was sent.

        This is what a consumer pinned to one version calls: the event is first validated at the
        version its producer declared (so a broken producer is reported as such, not as a caster
        failure), then cast and validated with the pinned version's model. Every attribute is
        kept (``id`` too, so deduplication still works) except ``dataversion`` and
        ``dataschema``, which now describe the converted data.
        """
        envelope = self.parse_envelope(raw)
        if envelope.dataversion == as_version:
            return envelope
        data = self.convert(
            envelope.type,
            envelope.data.model_dump(mode="json"),
            envelope.dataversion,
            as_version,
            # The envelope validation below checks the result with the target model once.
            validate=False,
        )
        attributes = envelope.model_dump(exclude={"data"})
        attributes |= {
            "data": data,
            "dataversion": as_version,
            "dataschema": dataschema_uri(envelope.type, as_version),
        }
        return self._envelope_type(envelope.type, as_version).model_validate(attributes)

    def read_event(self, raw: bytes | str | Mapping[str, Any], *, as_version: int) -> EventData:
        """Return just the ``data`` of ``read_envelope(raw, as_version=...)``."""
        return self.read_envelope(raw, as_version=as_version).data

    def _envelope_type(self, event_type: str, version: int) -> type[Envelope[EventData]]:
        model = self.event_model(event_type, version)
        envelope_type = self._envelopes.get(model)
        if envelope_type is None:
            # Parametrising with a runtime class is fine for pydantic; mypy cannot follow a
            # class held in a variable.
            envelope_type = Envelope[model]  # type: ignore[valid-type]
            self._envelopes[model] = envelope_type
        return envelope_type

    def _by_version(self, event_type: str) -> dict[int, type[EventData]]:
        try:
            return self._models[event_type]
        except KeyError:
            raise UnknownEventType(event_type, self.event_types()) from None


default_registry = EventRegistry(BUILTIN_EVENT_MODELS, BUILTIN_CASTS)
"""The registry holding Crossdock's built-in event models and casts; the module functions use it."""


def event_model(event_type: str, version: int) -> type[EventData]:
    """Return the built-in model for ``event_type`` at ``version``."""
    return default_registry.event_model(event_type, version)


def event_types() -> list[str]:
    """Return the built-in event types, sorted."""
    return default_registry.event_types()


def versions(event_type: str) -> list[int]:
    """Return the registered versions of a built-in event type, ascending."""
    return default_registry.versions(event_type)


def latest_version(event_type: str) -> int:
    """Return the highest registered version of a built-in event type."""
    return default_registry.latest_version(event_type)


def register_caster(
    event_type: str,
    from_version: int,
    to_version: int,
    fn: Caster,
    lossy_fields: Iterable[str] = (),
) -> None:
    """Register a caster on the default registry (see ``EventRegistry.register_caster``)."""
    default_registry.register_caster(event_type, from_version, to_version, fn, lossy_fields)


def convert(
    event_type: str,
    data: Mapping[str, Any],
    from_version: int,
    to_version: int,
    *,
    validate: bool = True,
) -> dict[str, Any]:
    """Convert ``data`` between versions on the default registry (see ``EventRegistry.convert``)."""
    return default_registry.convert(event_type, data, from_version, to_version, validate=validate)


def parse_envelope(raw: bytes | str | Mapping[str, Any]) -> Envelope[EventData]:
    """Validate one structured-mode event against the built-in models."""
    return default_registry.parse_envelope(raw)


def read_envelope(raw: bytes | str | Mapping[str, Any], *, as_version: int) -> Envelope[EventData]:
    """Return the event with ``data`` at ``as_version`` (see ``EventRegistry.read_envelope``)."""
    return default_registry.read_envelope(raw, as_version=as_version)


def read_event(raw: bytes | str | Mapping[str, Any], *, as_version: int) -> EventData:
    """Return the event's ``data`` validated at ``as_version``, whatever version was sent.

    The one call a consumer pinned to a version needs: ``read_event(body, as_version=1)`` gives
    an ``OrderCreatedV1`` whether the producer sent v1 or v2.
    """
    return default_registry.read_event(raw, as_version=as_version)
