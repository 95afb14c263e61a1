"""Schema references: the versions a schema's ``$ref`` s name (issue 18).

Revision ID: r0002
Revises: r0001
Create Date: 2026-05-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision: str | None = "r0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the references table."""
    op.create_table(
        "registry_schema_references",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("schema_id", sa.Integer, sa.ForeignKey("registry_schemas.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("schema_id", "position"),
    )
    op.create_index(
        "ix_registry_schema_references_schema_id", "registry_schema_references", ["schema_id"]
    )
    op.create_index(
        "ix_registry_schema_references_subject", "registry_schema_references", ["subject"]
    )


def downgrade() -> None:
    """Drop the references table."""
    op.drop_index("ix_registry_schema_references_subject", "registry_schema_references")
    op.drop_index("ix_registry_schema_references_schema_id", "registry_schema_references")
    op.drop_table("registry_schema_references")
