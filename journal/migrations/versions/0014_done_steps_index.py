"""done steps index: "Prepare for session" reads the steps done since the last meeting

Revision ID: 0014_done_steps_index
Revises: 0013_safety_reminders
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_done_steps_index"
down_revision = "0013_safety_reminders"
branch_labels = None
depends_on = None

DONE = sa.text("done IS TRUE")


def upgrade():
    # Without it the page's completed-steps query scans every action step of every
    # patient (100,000 for one patient at 100,000 entries) to find the few done since the
    # meeting. "IS TRUE", as SQLAlchemy writes ``done.is_(True)``: PostgreSQL does not
    # prove that a plain ``WHERE done`` index covers ``done IS TRUE``.
    op.create_index("ix_action_steps_done_at", "action_steps", ["done_at"],
                    sqlite_where=DONE, postgresql_where=DONE)


def downgrade():
    op.drop_index("ix_action_steps_done_at", table_name="action_steps")
