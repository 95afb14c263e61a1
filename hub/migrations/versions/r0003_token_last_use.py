"""Tokens remember when they were last used (``crossdock token list``, issue 17).

Revision ID: r0003
Revises: r0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0003"
down_revision: str | None = "r0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the last-use time (null: never used since it was created or since this column)."""
    with op.batch_alter_table("registry_tokens") as table:
        table.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the last-use time."""
    with op.batch_alter_table("registry_tokens") as table:
        table.drop_column("last_used_at")
