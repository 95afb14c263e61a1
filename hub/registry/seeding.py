"""Register the canonical schemas (``schemas/<type>/v<N>.schema.json``) at startup.

The subject is the event type and versions are registered in ascending order, so on a fresh
registry subject version N is canonical version N. Seeding is idempotent: a version whose
schema the subject already holds (even soft-deleted, so an operator's delete is respected) is
skipped, and a restart registers nothing twice. Seeding skips the compatibility check: the
canonical versions evolve through explicit casters, which is the contract here, and a
registry must start even when an evolution is incompatible under the strict rules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

import canonical
from canonical.schema_export import expected_schemas
from hub.registry.document import parse_schema
from hub.registry.store import SchemaStore
from hub.registry.tables import SchemaRow, SubjectRow, SubjectVersionRow

__all__ = ["SEED_ACTOR", "default_schema_root", "seed_schemas"]

SEED_ACTOR = "seed"
_FILE = re.compile(r"v(?P<version>[1-9][0-9]*)\.schema\.json")
log = logging.getLogger(__name__)


def default_schema_root() -> Path:
    """The repository's ``schemas/`` folder (next to the ``canonical`` package)."""
    return Path(canonical.__file__).resolve().parent.parent / "schemas"


def _schema_files(root: Path | None) -> Iterator[tuple[str, int, str]]:
    if root is not None and root.is_dir():
        found = []
        for path in root.glob("*/*.schema.json"):
            match = _FILE.fullmatch(path.name)
            if match:
                found.append((path.parent.name, int(match["version"]), path))
        for subject, version, path in sorted(found):
            yield subject, version, path.read_text(encoding="utf-8")
        return
    # Installed without the repository: the same files, rendered from the canonical models
    # (the suite fails when the committed files drift from these).
    for relative, text in sorted(expected_schemas().items()):
        match = _FILE.fullmatch(relative.name)
        if match:
            yield relative.parent.name, int(match["version"]), text


def seed_schemas(store: SchemaStore, root: Path | None = None) -> list[tuple[str, int]]:
    """Register every schema under ``root`` not yet held by its subject; return what was added."""
    added = []
    for subject, _version, text in _schema_files(
        root if root is not None else default_schema_root()
    ):
        document = parse_schema(text)
        if _already_held(store, subject, document.fingerprints):
            continue
        registered = store.register(subject, document, actor=SEED_ACTOR, check=False)
        added.append((subject, registered.version))
        log.info("registry: seeded %s version %d", subject, registered.version)
    return added


def _already_held(store: SchemaStore, subject: str, fingerprints: Sequence[str]) -> bool:
    with Session(store.engine) as s:
        q = (
            select(SubjectVersionRow.id)
            .join(SubjectRow, SubjectRow.id == SubjectVersionRow.subject_id)
            .join(SchemaRow, SchemaRow.id == SubjectVersionRow.schema_id)
            .where(SubjectRow.name == subject, SchemaRow.fingerprint.in_(fingerprints))
        )
        return s.execute(q.limit(1)).first() is not None
