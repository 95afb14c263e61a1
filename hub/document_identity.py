"""A document's identity: its name, size and sha256, whatever path or time it came with.

Its own module: ``crossdock translate`` needs the key (a CSV row's event id is made from the
file's sha256) without the inbox's file source, whose checkpoints and dead letters import the
database layer (with SQLAlchemy, importing hub.translate took 2,952 M instructions; 1,676 M
without).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["document_key"]


def document_key(path: Path) -> str:
    """Identity of a document: name, size and sha256 of its bytes (not its path or mtime)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return f"{path.name}:{size}:{digest.hexdigest()}"
