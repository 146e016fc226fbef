"""What a therapist writes: comments on shared entries, private notes, prompts, meetings."""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal.auth.models import User
from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow

COMMENT_MAX = 2_000
NOTE_MAX = 5_000
PROMPT_MAX = 500


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


class TherapistNote(db.Model):
    """A therapist's private note about one patient; nobody else ever sees it."""

    __tablename__ = "therapist_notes"
    __table_args__ = (sa.Index("ix_therapist_notes_pair", "therapist_id", "patient_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class Meeting(db.Model):
    """An integration meeting between therapist and patient, on a calendar day."""

    __tablename__ = "meetings"
    __table_args__ = (sa.Index("ix_meetings_pair", "therapist_id", "patient_id", "held_on"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: The day, in the therapist's time zone.
    held_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
