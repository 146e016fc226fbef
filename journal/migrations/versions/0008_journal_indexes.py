"""journal indexes that match each hot query: live entries newest first, the Trash, the feed

Revision ID: 0008_journal_indexes
Revises: 0007_sessions_and_mfa
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_journal_indexes"
down_revision = "0007_sessions_and_mfa"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")
TRASHED = sa.text("deleted_at IS NOT NULL")


def upgrade():
    # The journal page and its search: the patient's live entries, newest first. Partial,
    # so the plan is the same with fresh or stale statistics (no sort of every row);
    # read backwards for newest first.
    op.create_index("ix_entries_owner_live_written", "entries",
                    ["owner_id", "written_at", "id"],
                    sqlite_where=LIVE, postgresql_where=LIVE)
    op.create_index("ix_entries_owner_trashed", "entries", ["owner_id", "deleted_at"],
                    sqlite_where=TRASHED, postgresql_where=TRASHED)
    op.drop_index("ix_entries_owner_written", table_name="entries")


def downgrade():
    op.create_index("ix_entries_owner_written", "entries", ["owner_id", "written_at", "id"])
    op.drop_index("ix_entries_owner_trashed", table_name="entries")
    op.drop_index("ix_entries_owner_live_written", table_name="entries")
