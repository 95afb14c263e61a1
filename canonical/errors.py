"""The root of every Crossdock error, and the exception tree of ``canonical``.

Every error Crossdock raises descends from :class:`CrossdockError`, defined here because
``canonical`` is the lowest layer: ``except CrossdockError`` catches anything the project
raised, and nothing a library raised on its own. The families, by layer::

    CrossdockError                        canonical.errors: the one root
    ├── CanonicalError                    canonical: the vocabulary (below)
    ├── SpecError (ValueError)            mappings: a spec file is invalid
    ├── MappingError                      mappings: one document cannot be mapped
    ├── ConnectorError                    connectors: transports, formats, the SDK
    │   ├── TransientConnectorError           (connectors.errors, connectors.sdk.errors)
    │   ├── RecordError (ValueError)          one record is malformed: dead-letter it
    │   ├── PermanentConnectorError, AuthExpired, HttpStatusError
    │   └── SoapFault                         connectors.soap.errors: every SOAP fault
    ├── HubError                          hub: bus, dead letters, configuration
    │   └── RegistryError                     hub.registry.errors: the schema registry API
    └── RoutingError                      hub.routing.errors: rules, tasks, deliveries

Each family draws its own tree in its module's docstring. Errors also subclass the matching
built-in (``LookupError``, ``ValueError``, ``ConnectionError``…), so code that does not know
Crossdock still catches them; pydantic's ``ValidationError`` (invalid *data*) stays pydantic's.

``canonical``'s own tree::

    CanonicalError                      root: every error raised by canonical itself
    ├── UnknownEventType (LookupError)      no model registered under that type name
    ├── UnknownEventVersion (LookupError)   the type exists, that version does not
    ├── DuplicateRegistration (ValueError)  a model or caster registered twice
    ├── NoCastPath (LookupError)            no chain of casters between two versions
    ├── NotRepresentable (ValueError)       a downcast meets data the older version cannot hold
    ├── InvalidCaster (ValueError)          a caster that skips versions or casts to itself
    ├── InvalidEventTarget (ValueError)     ``"type@version"`` text that does not parse
    └── InvalidEventIdParts (ValueError)    ``make_event_id`` called without usable parts

Each error also subclasses the matching built-in, so ``except LookupError`` in code that does
not know Crossdock still works. Invalid *data* (a bad GTIN, a foreign currency on an order line)
is reported by pydantic as ``pydantic.ValidationError``, which carries every failing field at
once; it is not part of this tree because pydantic owns that type.
"""

from __future__ import annotations

__all__ = [
    "CanonicalError",
    "CrossdockError",
    "DuplicateRegistration",
    "InvalidCaster",
    "InvalidEventIdParts",
    "InvalidEventTarget",
    "NoCastPath",
    "UnknownEventType",
    "UnknownEventVersion",
]


class CrossdockError(Exception):
    """Root of every error Crossdock raises (the families are drawn in this module's docstring)."""


class CanonicalError(CrossdockError):
    """Root of every error raised by the ``canonical`` package."""


class UnknownEventType(CanonicalError, LookupError):
    """No event model is registered under this type name."""

    def __init__(self, event_type: str, known: list[str]) -> None:
        self.event_type = event_type
        self.known = known
        super().__init__(f"unknown event type {event_type!r}; known types: {', '.join(known)}")


class UnknownEventVersion(CanonicalError, LookupError):
    """The event type is known but the requested version is not registered."""

    def __init__(self, event_type: str, version: int, known: list[int]) -> None:
        self.event_type = event_type
        self.version = version
        self.known = known
        super().__init__(
            f"unknown version {version} of {event_type!r}; "
            f"known versions: {', '.join(str(v) for v in known)}"
        )


class DuplicateRegistration(CanonicalError, ValueError):
    """A model or caster was registered for a slot that is already taken."""


class NoCastPath(CanonicalError, LookupError):
    """No chain of registered casters leads from one version to the other."""

    def __init__(self, event_type: str, from_version: int, to_version: int, missing: str) -> None:
        self.event_type = event_type
        self.from_version = from_version
        self.to_version = to_version
        super().__init__(
            f"cannot convert {event_type!r} from v{from_version} to v{to_version}: "
            f"no caster registered for step {missing}"
        )


class NotRepresentable(CanonicalError, ValueError):
    """A downcast met data that the older version has no valid form for.

    A newer version may make optional what an older one required (an order line without a unit
    price); such an event cannot be served to a consumer pinned to the older version, and
    inventing the missing value would be worse than saying so.
    """

    def __init__(self, event_type: str, to_version: int, problems: list[str]) -> None:
        self.event_type = event_type
        self.to_version = to_version
        self.problems = problems
        super().__init__(
            f"{event_type!r} cannot be cast down to v{to_version}: " + "; ".join(problems)
        )


class InvalidCaster(CanonicalError, ValueError):
    """A caster must go exactly one version up or down; anything else is refused."""


class InvalidEventTarget(CanonicalError, ValueError):
    """A ``"type@version"`` string that does not parse."""


class InvalidEventIdParts(CanonicalError, ValueError):
    """``make_event_id`` was called with no parts, or with an empty part."""
