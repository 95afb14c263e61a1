"""One hub per inbox file: a claim in the hub's database, taken before a file is read.

Several ``crossdock run`` processes may watch one inbox (on RabbitMQ and PostgreSQL; a second hub
on an embedded data folder is refused at start). Each lists every file, so each file is claimed
first: the hub that gets the claim reads it, settles it and lets go; the others pass it by until
it is gone from the inbox. A claim is a :class:`~hub.read_lease.ReadLease`: renewed while the
file is read, taken over once it expires (:data:`FILE_CLAIM_SECONDS` after a hub stalled or died
elsewhere) or at once when its holder is a process gone from this host. The next hub resumes the
file after its last checkpoint, which all hubs share in the database.

A claim names the file by connector, name, size and modification time: what every hub sees of
one file on a shared folder, without reading its bytes.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, Table, select

from hub.read_lease import ReadLease, ReadLeaseRow

__all__ = ["FILE_CLAIM_SECONDS", "claim_holder", "file_claim"]

#: how long a claim outlives its hub's last renewal (renewed every third of it)
FILE_CLAIM_SECONDS = 30.0


def file_claim(engine: Engine, path: Path, connector: str) -> ReadLease:
    """The claim of one inbox file (``FileNotFoundError`` when it is gone already)."""
    return ReadLease(
        engine, _instance(path, connector), ttl=FILE_CLAIM_SECONDS, take_from_dead=True
    )


def claim_holder(engine: Engine, path: Path, connector: str) -> str | None:
    """The hub (host:pid:…) whose claim on an inbox file is live now; ``None`` when no hub
    reads it (what ``crossdock reconcile`` says of a file still in the inbox)."""
    table = cast(Table, ReadLeaseRow.__table__)
    with engine.connect() as conn:
        holder = conn.execute(
            select(table.c.holder).where(
                table.c.instance == _instance(path, connector),
                table.c.expires_at > datetime.now(UTC),
            )
        ).scalar_one_or_none()
    return None if holder is None else str(holder)


def _instance(path: Path, connector: str) -> str:
    st = path.stat()
    identity = f"{connector}\0{path.name}\0{st.st_size}\0{st.st_mtime_ns}"
    return "file:" + hashlib.sha256(identity.encode()).hexdigest()[:40]
