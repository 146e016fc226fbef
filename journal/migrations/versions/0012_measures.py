"""measures: questionnaire responses, per-patient protocols, safety plans, and their sharing

Revision ID: 0012_measures
Revises: 0011_entry_conflicts
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = "0012_measures"
down_revision = "0011_entry_conflicts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "measure_responses",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.Column("dosing_session_id", sa.Uuid(), sa.ForeignKey("dosing_sessions.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("timepoint", sa.String(16), nullable=True),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("band", sa.String(40), nullable=True),
        sa.Column("score", sa.JSON(), nullable=False),
        sa.Column("safety_flag", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_measure_responses_owner_completed", "measure_responses", ["owner_id", "completed_at"])
    op.create_index("ix_measure_responses_session", "measure_responses",
                    ["dosing_session_id", "timepoint", "instrument"])
    op.create_table(
        "measure_protocols",
        sa.Column("patient_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("set_by_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "safety_plans",
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        *[sa.Column(name, sa.Text(), nullable=False) for name in (
            "warning_signs", "self_care", "people_places", "ask_for_help", "professionals", "safer_surroundings")],
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "response_shares",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("response_id", sa.Uuid(), sa.ForeignKey("measure_responses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("response_id", "therapist_id", name="uq_response_shares_pair"),
    )
    op.create_index("ix_response_shares_therapist", "response_shares", ["therapist_id", "response_id"])
    op.create_table(
        "response_reads",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("response_id", sa.Uuid(), sa.ForeignKey("measure_responses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_response_reads_response", "response_reads", ["response_id", "read_at"])
    op.create_table(
        "safety_flag_reviews",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("response_id", sa.Uuid(), sa.ForeignKey("measure_responses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("therapist_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("response_id", "therapist_id", name="uq_safety_flag_reviews_pair"),
    )


def downgrade():
    for table in ("safety_flag_reviews", "response_reads", "response_shares", "safety_plans",
                  "measure_protocols", "measure_responses"):
        op.drop_table(table)
