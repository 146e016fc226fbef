"""reminders: therapists' safety-flag alerts

Revision ID: 0013_safety_reminders
Revises: 0012_measures
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = "0013_safety_reminders"
down_revision = "0012_measures"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reminder_settings") as batch:
        batch.add_column(sa.Column("safety_since", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("reminder_settings") as batch:
        batch.drop_column("safety_since")
