"""login throttle: failed log-ins per (hashed) email address

Revision ID: 0005_login_throttle
Revises: 0004_purge_tombstones
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_login_throttle"
down_revision = "0004_purge_tombstones"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "failed_logins",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False))
    op.create_index("ix_failed_logins_email_time", "failed_logins", ["email_hash", "attempted_at"])


def downgrade():
    op.drop_index("ix_failed_logins_email_time", table_name="failed_logins")
    op.drop_table("failed_logins")
