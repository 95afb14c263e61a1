"""Routing tasks keep the trace of the event that opened them, so their deliveries continue
it (issue 20: the ``deliver`` span's parent is the ``route`` span of that event).

Revision ID: r0006
Revises: r0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0006"
down_revision: str | None = "r0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the nullable ``traceparent`` column (tasks opened before it have none)."""
    with op.batch_alter_table("routing_tasks") as batch:
        batch.add_column(sa.Column("traceparent", sa.String(55), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("routing_tasks") as batch:
        batch.drop_column("traceparent")
