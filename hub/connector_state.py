"""Where each SDK connector instance resumes: its :class:`~connectors.sdk.state.State`, stored.

The runner hands a new state over only after the records it covers are published and their
dead letters stored (:mod:`connectors.sdk.runner`), so saving it here is the last step of a
checkpoint; a restart resumes from the last one saved.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import DateTime, Engine, String, Table, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from connectors.sdk.state import State
from hub.declarative import Base

__all__ = ["ConnectorStateRow", "ConnectorStateStore"]


class ConnectorStateRow(Base):
    """The read state of one connector instance."""

    __tablename__ = "connector_states"

    instance: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_TABLE = cast(Table, ConnectorStateRow.__table__)


class ConnectorStateStore:
    """Load and save connector instances' states in the hub's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, instance: str) -> State:
        """The stored state, or the initial one."""
        with self.engine.connect() as conn:
            raw = conn.execute(
                select(_TABLE.c.state).where(_TABLE.c.instance == instance)
            ).scalar_one_or_none()
        return State.from_json(raw)

    def save(self, instance: str, state: State) -> None:
        """Store ``state`` (insert or replace)."""
        values = {"state": state.to_json().decode(), "updated_at": datetime.now(UTC)}
        with self.engine.begin() as conn:
            updated = conn.execute(
                _TABLE.update().where(_TABLE.c.instance == instance).values(**values)
            ).rowcount
            if not updated:
                conn.execute(_TABLE.insert().values(instance=instance, **values))
