"""attachment downloads under way, kept to resume

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

``blob_part`` holds the pieces of an attachment's file fetched so far (sync.attachments), so a download cut off
goes on from there on the next sync instead of from zero. Local bookkeeping: never synced.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_part",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "start", name=op.f("pk_blob_part")),
    )


def downgrade() -> None:
    op.drop_table("blob_part")
