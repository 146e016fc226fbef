"""What of a patient's questionnaires and safety plan flows over a care link.

A response the protocol asked for is visible to the care team without this; a response the
patient started alone needs a ``ResponseShare``. The rule itself is in
``journal.care.visibility``.
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal.auth.models import User
from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow


class ResponseShare(db.Model):
    """The patient shares one self-started questionnaire response with one therapist."""

    __tablename__ = "response_shares"
    __table_args__ = (sa.UniqueConstraint("response_id", "therapist_id", name="uq_response_shares_pair"),
                      sa.Index("ix_response_shares_therapist", "therapist_id", "response_id"))

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    response_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("measure_responses.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResponseRead(db.Model):
    """A therapist opened a page showing this response: the patient's access log."""

    __tablename__ = "response_reads"
    __table_args__ = (sa.Index("ix_response_reads_response", "response_id", "read_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    response_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("measure_responses.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    therapist: Mapped[User] = relationship(lazy="joined")


class SafetyFlagReview(db.Model):
    """A therapist has seen a response's safety flag: it leaves the top of their dashboard."""

    __tablename__ = "safety_flag_reviews"
    __table_args__ = (sa.UniqueConstraint("response_id", "therapist_id", name="uq_safety_flag_reviews_pair"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    response_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("measure_responses.id", ondelete="CASCADE"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
