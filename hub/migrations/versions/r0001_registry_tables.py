"""Schema registry tables: subjects, schemas, versions, config, modes, tokens, audit.

Revision ID: r0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the registry tables."""
    op.create_table(
        "registry_subjects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "registry_schemas",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("schema_type", sa.String(16), nullable=False),
        sa.Column("schema_text", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "registry_subject_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("registry_subjects.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("schema_id", sa.Integer, sa.ForeignKey("registry_schemas.id"), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("subject_id", "version"),
    )
    op.create_index(
        "ix_registry_subject_versions_subject_id", "registry_subject_versions", ["subject_id"]
    )
    op.create_index(
        "ix_registry_subject_versions_schema_id", "registry_subject_versions", ["schema_id"]
    )
    op.create_table(
        "registry_config",
        sa.Column("scope", sa.String(255), primary_key=True),
        sa.Column("compatibility", sa.String(32), nullable=False),
    )
    op.create_table(
        "registry_modes",
        sa.Column("scope", sa.String(255), primary_key=True),
        sa.Column("mode", sa.String(32), nullable=False),
    )
    op.create_table(
        "registry_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    op.create_table(
        "registry_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_registry_audit_at", "registry_audit", ["at"])


def downgrade() -> None:
    """Drop the registry tables."""
    op.drop_index("ix_registry_audit_at", "registry_audit")
    op.drop_table("registry_audit")
    op.drop_table("registry_tokens")
    op.drop_table("registry_modes")
    op.drop_table("registry_config")
    op.drop_index("ix_registry_subject_versions_schema_id", "registry_subject_versions")
    op.drop_index("ix_registry_subject_versions_subject_id", "registry_subject_versions")
    op.drop_table("registry_subject_versions")
    op.drop_table("registry_schemas")
    op.drop_table("registry_subjects")
