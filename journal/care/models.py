"""Care links between a patient and a therapist, and what flows over them.

An entry is private until the patient creates a ``Share`` for a therapist; whether a
therapist may read it is decided in one place, ``journal.care.visibility``.
"""
import secrets
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal.auth.models import User
from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow

#: No 0/O, 1/I/L, so a code can be read aloud or copied from paper without doubt.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
INVITATION_DAYS = 7
COMMENT_MAX = 2_000
PROMPT_MAX = 500


def new_invitation_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:3]}-{raw[3:]}"


def normalise_code(typed: str) -> str:
    """``7k4 qp9``, ``7K4QP9`` and ``7K4-QP9`` all mean ``7K4-QP9``."""
    raw = "".join(ch for ch in (typed or "").upper() if ch.isalnum())[:CODE_LENGTH * 2]
    return f"{raw[:3]}-{raw[3:]}" if len(raw) == CODE_LENGTH else raw


class CareLink(db.Model):
    """A patient has added a therapist to their care team (until ``ended_at``)."""

    __tablename__ = "care_links"
    __table_args__ = (
        sa.Index("ix_care_links_pair", "patient_id", "therapist_id"),
        #: One active link per pair, held by the database: a code accepted twice at once
        #: (a double tap, two tabs) cannot make two.
        sa.Index("uq_care_links_active_pair", "patient_id", "therapist_id", unique=True,
                 sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when either side ends the link; access ends at that moment.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who ended it (the patient or the therapist).
    ended_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    patient: Mapped[User] = relationship(foreign_keys=[patient_id], lazy="joined")
    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id], lazy="joined")

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def end(self, by: User) -> None:
        self.ended_at = utcnow()
        self.ended_by_id = by.id


class Invitation(db.Model):
    """A single-use code a therapist hands to a patient, valid for a week."""

    __tablename__ = "invitations"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    #: ``XXX-XXX`` from ``CODE_ALPHABET``.
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: utcnow() + timedelta(days=INVITATION_DAYS))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id], lazy="joined")

    def problem(self, now: datetime | None = None) -> str | None:
        """Why this code cannot be used now, in words for the patient; None when it can."""
        if self.used_at is not None:
            return "That code has already been used. Ask your therapist for a new one."
        if (now or utcnow()) >= self.expires_at:
            return "That code has expired (codes last 7 days). Ask your therapist for a new one."
        return None


class InviteAttempt(db.Model):
    """A wrong code typed by a patient; counted to slow down guessing.

    Kept in the database, not in memory, so the limit holds across app processes.
    """

    __tablename__ = "invite_attempts"
    __table_args__ = (sa.Index("ix_invite_attempts_user_time", "user_id", "attempted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Share(db.Model):
    """The patient shares one entry with one therapist of their care team."""

    __tablename__ = "shares"
    __table_args__ = (sa.UniqueConstraint("entry_id", "therapist_id", name="uq_shares_entry_therapist"),
                      sa.Index("ix_shares_therapist", "therapist_id", "entry_id"),
                      #: "Prepare for session": old entries the patient shared since the last meeting.
                      sa.Index("ix_shares_therapist_created", "therapist_id", "created_at"))

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EntryRead(db.Model):
    """A therapist opened a page showing this entry: the patient's access log."""

    __tablename__ = "entry_reads"
    __table_args__ = (sa.Index("ix_entry_reads_entry", "entry_id", "read_at"),
                      sa.Index("ix_entry_reads_therapist", "therapist_id", "entry_id"))

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    therapist: Mapped[User] = relationship(lazy="joined")


# What flows from the therapist to the patient over the link -------------------

class Comment(db.Model):
    """Feedback on a shared entry; the patient sees it on that entry."""

    __tablename__ = "comments"
    __table_args__ = (sa.Index("ix_comments_entry", "entry_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set the first time the patient opens the entry after the comment was left.
    read_by_patient_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    therapist: Mapped[User] = relationship(lazy="joined")


class ReflectionPrompt(db.Model):
    """A question a therapist gives a patient; shown on the new-entry screen until answered."""

    __tablename__ = "reflection_prompts"
    __table_args__ = (sa.Index("ix_reflection_prompts_patient", "patient_id", "answered_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.String(PROMPT_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Answering means writing an entry with the prompt; the entry stays private unless shared.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_entry_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("entries.id", ondelete="SET NULL"))

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id], lazy="joined")

    def answer_with(self, entry) -> None:
        self.answered_at = utcnow()
        self.answer_entry_id = entry.id
