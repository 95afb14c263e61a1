"""Validate payloads against registered schemas with compiled ``jsonschema-rs`` validators.

Compiling a schema costs far more than validating one document, so a validator is compiled
once per global schema id and kept (an id's schema never changes, nor do the versions its
references name), in the schema's draft (draft-07 when it declares none). Resolving
``subject/version`` to an id costs a database round trip, so that answer is kept for
``resolve_ttl`` seconds: a delete or a new ``latest`` is seen by this cache within that time
(plus one database read). When an answer expires, ONE request refreshes it while the others
keep using the old answer: without that, every request in flight at the expiry queried the
database at once, each second (it showed as a p99 eight times the median).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from hub.registry.document import compile_validator
from hub.registry.store import RegisteredVersion, SchemaStore

__all__ = ["PayloadValidator", "Violation", "json_pointer"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason a payload is invalid: where in the payload, which schema keyword, what."""

    pointer: str
    schema_pointer: str
    message: str


def json_pointer(parts: list[str | int]) -> str:
    """The RFC 6901 JSON pointer of a path (``""`` is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class PayloadValidator:
    """Resolves subject versions to compiled validators and reports violations as pointers."""

    def __init__(
        self, store: SchemaStore, *, resolve_ttl: float = 1.0, max_validators: int = 512
    ) -> None:
        self._store = store
        self._ttl = resolve_ttl
        self._max = max_validators
        self._lock = threading.Lock()
        self._resolved: dict[tuple[str, int], tuple[float, RegisteredVersion]] = {}
        self._refreshing: set[tuple[str, int]] = set()
        self._validators: OrderedDict[int, jsonschema_rs.Validator] = OrderedDict()

    def cached_version(self, subject: str, version: int) -> RegisteredVersion | None:
        """The cached answer (no database access), or None when the caller must resolve.

        An expired answer is still returned while another caller refreshes it.
        """
        key = (subject, version)
        hit = self._resolved.get(key)
        if hit is None:
            return None
        expires, found = hit
        if expires > time.monotonic():
            return found
        with self._lock:
            if key in self._refreshing:
                return found
            self._refreshing.add(key)
        return None

    def resolve(self, subject: str, version: int) -> RegisteredVersion:
        """The version (``LATEST`` allowed), read from the store and cached."""
        key = (subject, version)
        try:
            found = self._store.version(subject, version)
        except Exception:
            self._resolved.pop(key, None)  # gone (e.g. deleted): no stale answer survives it
            raise
        finally:
            with self._lock:
                self._refreshing.discard(key)
        self.validator(found)
        self._resolved[key] = (time.monotonic() + self._ttl, found)
        return found

    def validator(self, registered: RegisteredVersion) -> jsonschema_rs.Validator:
        """The compiled validator of a registered schema."""
        schema_id = registered.schema.id
        with self._lock:
            compiled = self._validators.get(schema_id)
            if compiled is not None:
                self._validators.move_to_end(schema_id)
                return compiled
        # A schema with references reads the schemas they name (a database read, done once
        # per id; resolve() compiles here, in its worker thread, before the route asks).
        resources = self._store.resources(registered.schema.references)
        compiled = compile_validator(registered.schema.value, resources)
        with self._lock:
            self._validators[schema_id] = compiled
            while len(self._validators) > self._max:
                self._validators.popitem(last=False)
        return compiled

    def violations(self, registered: RegisteredVersion, payload: Any) -> list[Violation]:
        """Every violation of ``payload`` against the version's schema; ``[]`` when valid."""
        compiled = self.validator(registered)
        if compiled.is_valid(payload):
            return []
        return [
            Violation(json_pointer(e.instance_path), json_pointer(e.schema_path), e.message)
            for e in compiled.iter_errors(payload)
        ]

    def forget(self) -> None:
        """Drop cached resolutions (after a write in this process, so it is seen at once)."""
        self._resolved.clear()
