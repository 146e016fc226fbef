"""entry conflicts: a save refused for an old version, remembered for the patient's other devices

Revision ID: 0011_entry_conflicts
Revises: 0010_reminders
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = "0011_entry_conflicts"
down_revision = "0010_reminders"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "entry_conflicts",
        sa.Column("entry_id", sa.Uuid(), sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(80), nullable=False),
        sa.Column("insights", sa.Text(), nullable=False),
        sa.Column("mood", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_entry_conflicts_owner_id", "entry_conflicts", ["owner_id"])


def downgrade():
    op.drop_index("ix_entry_conflicts_owner_id", table_name="entry_conflicts")
    op.drop_table("entry_conflicts")
