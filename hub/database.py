"""Opening the hub's database: an engine with the hub's own tables created.

Dead letters, checkpoints and the consumers' dedup records live here, so a restart of the
process finds them again. This module sits above the modules that own those tables (it
imports them to register them on :class:`hub.storage.Base`), so the storage layer below them
never imports its importers.
"""

from __future__ import annotations

from sqlalchemy import Engine

from hub import checkpoints, dedup
from hub.deadletter import model
from hub.storage import Base, engine_for

__all__ = ["connect"]

#: the modules whose tables every hub database has (imported for that side effect)
_TABLE_MODULES = (checkpoints, dedup, model)


def connect(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url``, with the hub's tables created when ``create`` is true."""
    engine = engine_for(url)
    if create:
        Base.metadata.create_all(engine)
    return engine
