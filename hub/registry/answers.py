"""The wire forms of what the store returns, and the paging every list route shares."""

from __future__ import annotations

from typing import TypeVar

from hub.registry.references import Reference
from hub.registry.store import RegisteredVersion
from hub.registry.wire import SchemaReference, VersionedSchema

__all__ = ["page", "references_of", "versioned"]

T = TypeVar("T")


def page(items: list[T], offset: int, limit: int) -> list[T]:
    """``items`` from ``offset``, at most ``limit`` of them when ``limit`` is positive."""
    start = max(offset, 0)
    return items[start : start + limit] if limit > 0 else items[start:]


def references_of(refs: tuple[Reference, ...]) -> list[SchemaReference] | None:
    """The wire form of a schema's references (absent when it has none, as in Confluent)."""
    if not refs:
        return None
    return [SchemaReference(name=r.name, subject=r.subject, version=r.version) for r in refs]


def versioned(v: RegisteredVersion, *, with_deleted: bool = False) -> VersionedSchema:
    """The wire form of one version of a subject (``deleted`` only when asked to show it)."""
    return VersionedSchema(
        subject=v.subject,
        version=v.version,
        id=v.schema.id,
        schema_type=v.schema.schema_type,
        references=references_of(v.schema.references),
        schema_text=v.schema.text,
        deleted=v.deleted if with_deleted else None,
    )
