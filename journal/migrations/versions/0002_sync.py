"""sync: receipts for idempotent replays, an index for the changes feed

Revision ID: 0002_sync
Revises: 1e980c29c892
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_sync"
down_revision = "1e980c29c892"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sync_receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "fingerprint", name="uq_sync_receipts_entry_fingerprint"),
    )
    with op.batch_alter_table("entries") as batch:
        batch.create_index("ix_entries_owner_updated", ["owner_id", "updated_at", "id"])


def downgrade():
    with op.batch_alter_table("entries") as batch:
        batch.drop_index("ix_entries_owner_updated")
    op.drop_table("sync_receipts")
