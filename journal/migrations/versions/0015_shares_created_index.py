"""shares created index: "Prepare for session" finds old entries shared since the last meeting

Revision ID: 0015_shares_created_index
Revises: 0014_done_steps_index
Create Date: 2026-11-26
"""
from alembic import op

revision = "0015_shares_created_index"
down_revision = "0014_done_steps_index"
branch_labels = None
depends_on = None


def upgrade():
    # The page asks for entries written before the meeting but shared since: the
    # therapist's shares from that moment on, not all of them.
    op.create_index("ix_shares_therapist_created", "shares", ["therapist_id", "created_at"])


def downgrade():
    op.drop_index("ix_shares_therapist_created", table_name="shares")
