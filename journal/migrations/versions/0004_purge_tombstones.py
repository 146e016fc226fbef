"""purge tombstones: entries deleted for good stay in the changes feed as ids

Revision ID: 0004_purge_tombstones
Revises: 0003_care_team
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_purge_tombstones"
down_revision = "0003_care_team"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "purged_entries",
        sa.Column("entry_id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=False))
    op.create_index("ix_purged_entries_owner_purged", "purged_entries", ["owner_id", "purged_at", "entry_id"])


def downgrade():
    op.drop_index("ix_purged_entries_owner_purged", table_name="purged_entries")
    op.drop_table("purged_entries")
