"""Opening the hub's database: an engine on a schema at this code's migration head.

Dead letters, checkpoints and the consumers' dedup records live here, so a restart of the
process finds them again. Every table is made by the migrations (:mod:`hub.migrations`):
opening an empty database migrates it, one behind the code is refused
(:class:`~hub.migrations.SchemaBehind`) unless ``upgrade`` is given.

A database that cannot be reached when the hub opens it is one
:class:`~hub.errors.DatabaseUnavailable` naming it without its password, never the driver's
page of traceback; :func:`database_failure` says the same for a failure later on.
"""

from __future__ import annotations

import sqlalchemy.exc
from sqlalchemy import Engine

from hub.migrations import check_schema
from hub.sql_reader import database_failure, database_label
from hub.storage import engine_for

__all__ = ["DATABASE_ERRORS", "connect", "database_failure", "database_label"]

#: what the driver raises when the database is down, restarting or gone away: an operational
#: error (refused, terminated by an administrator, the server shutting down) or an interface
#: error (the connection was closed under the driver)
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
)


def connect(url: str, *, create: bool = True, upgrade: bool = False) -> Engine:
    """An engine for ``url`` whose schema is at the head revision.

    ``create``: an empty database is migrated (else it is left empty, for a caller that only
    reads and says so); ``upgrade``: a database behind the code is migrated too, instead of
    refused with :class:`hub.migrations.SchemaBehind`.
    """
    engine = engine_for(url)
    try:
        check_schema(engine, upgrade_behind=upgrade, fresh=create)
    except DATABASE_ERRORS as exc:
        engine.dispose()
        raise database_failure(url, exc) from exc
    except BaseException:
        engine.dispose()  # the caller never gets it: its pooled connection closes now
        raise
    return engine
