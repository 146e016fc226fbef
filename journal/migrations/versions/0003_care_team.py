"""care team: links, invitations, shares, access log, comments, notes, prompts, meetings

Revision ID: 0003_care_team
Revises: 0002_sync
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_care_team"
down_revision = "0002_sync"
branch_labels = None
depends_on = None


def _id():
    return sa.Column("id", sa.Uuid(), primary_key=True)


def _user(name, nullable=False, ondelete="CASCADE"):
    return sa.Column(name, sa.Uuid(), sa.ForeignKey("users.id", ondelete=ondelete), nullable=nullable)


def _entry(name="entry_id", nullable=False, ondelete="CASCADE"):
    return sa.Column(name, sa.Uuid(), sa.ForeignKey("entries.id", ondelete=ondelete), nullable=nullable)


def _moment(name, nullable=False):
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def upgrade():
    op.create_table(
        "care_links", _id(), _user("patient_id"), _user("therapist_id"), _moment("created_at"),
        _moment("ended_at", True), _user("ended_by_id", True, "SET NULL"))
    op.create_index("ix_care_links_pair", "care_links", ["patient_id", "therapist_id"])
    op.create_index("ix_care_links_therapist_id", "care_links", ["therapist_id"])

    op.create_table(
        "invitations", _id(), sa.Column("code", sa.String(16), nullable=False, unique=True),
        _user("therapist_id"), _moment("created_at"), _moment("expires_at"), _moment("used_at", True),
        _user("used_by_id", True, "SET NULL"))
    op.create_index("ix_invitations_therapist_id", "invitations", ["therapist_id"])

    op.create_table("invite_attempts", _id(), _user("user_id"), _moment("attempted_at"))
    op.create_index("ix_invite_attempts_user_time", "invite_attempts", ["user_id", "attempted_at"])

    op.create_table(
        "shares", _id(), _entry(), _user("therapist_id"), _moment("created_at"),
        sa.UniqueConstraint("entry_id", "therapist_id", name="uq_shares_entry_therapist"))
    op.create_index("ix_shares_therapist", "shares", ["therapist_id", "entry_id"])

    op.create_table("entry_reads", _id(), _entry(), _user("therapist_id"), _moment("read_at"))
    op.create_index("ix_entry_reads_entry", "entry_reads", ["entry_id", "read_at"])
    op.create_index("ix_entry_reads_therapist", "entry_reads", ["therapist_id", "entry_id"])

    op.create_table(
        "comments", _id(), _entry(), _user("therapist_id"), sa.Column("body", sa.Text(), nullable=False),
        _moment("created_at"), _moment("read_by_patient_at", True))
    op.create_index("ix_comments_entry", "comments", ["entry_id", "created_at"])

    op.create_table(
        "therapist_notes", _id(), _user("therapist_id"), _user("patient_id"),
        sa.Column("body", sa.Text(), nullable=False), _moment("created_at"))
    op.create_index("ix_therapist_notes_pair", "therapist_notes", ["therapist_id", "patient_id", "created_at"])

    op.create_table(
        "reflection_prompts", _id(), _user("therapist_id"), _user("patient_id"),
        sa.Column("text", sa.String(500), nullable=False), _moment("created_at"), _moment("answered_at", True),
        _entry("answer_entry_id", True, "SET NULL"))
    op.create_index("ix_reflection_prompts_patient", "reflection_prompts", ["patient_id", "answered_at"])

    op.create_table(
        "meetings", _id(), _user("therapist_id"), _user("patient_id"),
        sa.Column("held_on", sa.Date(), nullable=False), _moment("created_at"))
    op.create_index("ix_meetings_pair", "meetings", ["therapist_id", "patient_id", "held_on"])


def downgrade():
    for table in ("meetings", "reflection_prompts", "therapist_notes", "comments", "entry_reads",
                  "shares", "invite_attempts", "invitations", "care_links"):
        op.drop_table(table)
