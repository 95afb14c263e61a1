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
from pathlib import Path

from sqlalchemy import Engine

from hub.read_lease import ReadLease

__all__ = ["FILE_CLAIM_SECONDS", "file_claim"]

#: how long a claim outlives its hub's last renewal (renewed every third of it)
FILE_CLAIM_SECONDS = 30.0


def file_claim(engine: Engine, path: Path, connector: str) -> ReadLease:
    """The claim of one inbox file (``FileNotFoundError`` when it is gone already)."""
    st = path.stat()
    identity = f"{connector}\0{path.name}\0{st.st_size}\0{st.st_mtime_ns}"
    key = hashlib.sha256(identity.encode()).hexdigest()[:40]
    return ReadLease(engine, f"file:{key}", ttl=FILE_CLAIM_SECONDS, take_from_dead=True)
