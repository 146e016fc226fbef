"""What a person asked to be reminded of, and one row per reminder sent (or to be sent)."""
import uuid
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow

#: Reminder kinds; the text a phone shows for each lives in ``messages.py``.
DAILY = "daily"
STEPS = "steps"
MEASURES = "measures"
CARE = "care"
DIGEST = "digest"
#: Therapists: a questionnaire answer that asks for the care team's attention.
SAFETY = "safety"

#: A delivery's life: planned → claimed by one sender → sending (written before the
#: network call, so a crash there is never retried) → sent. A claim whose sender died
#: before "sending" is taken over once its lease has run out.
PENDING, CLAIMED, SENDING, SENT, FAILED = "pending", "claimed", "sending", "sent", "failed"


class ReminderSettings(db.Model):
    """One row per person; every kind is off until they turn it on (a time of ``None``)."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                               primary_key=True)
    #: Local wall-clock times in the person's zone (``users.timezone``); ``None`` is off.
    daily_at: Mapped[time | None] = mapped_column(sa.Time)
    steps_at: Mapped[time | None] = mapped_column(sa.Time)
    #: Questionnaires the protocol asks for that day (``journal.measures.protocol``).
    measures_at: Mapped[time | None] = mapped_column(sa.Time)
    #: Therapists: the daily digest of patients who shared new entries.
    digest_at: Mapped[time | None] = mapped_column(sa.Time)
    #: Therapists: safety flags raised after this moment are announced, one by one.
    safety_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: New comments and reflection prompts written after this moment are announced.
    care_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Nothing is sent between these local times (may run over midnight).
    quiet_from: Mapped[time | None] = mapped_column(sa.Time)
    quiet_until: Mapped[time | None] = mapped_column(sa.Time)
    #: Mail even when a push reached a device (mail is always the fallback otherwise).
    always_email: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def care_team(self) -> bool:
        return self.care_since is not None

    @property
    def anything_on(self) -> bool:
        return any((self.daily_at, self.steps_at, self.measures_at, self.digest_at, self.care_since,
                    self.safety_since))


class ReminderDelivery(db.Model):
    """One reminder for one person, keyed so that it exists (and is sent) at most once.

    ``key`` names the occasion — ``daily:<user>:<local date>``, ``comment:<id>`` — and is
    unique: several planners inserting the same occasion agree on one row.
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (sa.Index("ix_reminder_deliveries_status_due", "status", "due_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    #: Number shown in a digest ("3 patients shared new entries"); never a name.
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: The page a tap opens (a path inside the app).
    target: Mapped[str] = mapped_column(sa.String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(16), default=PENDING)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: ``push``, ``email`` or ``push+email``: what carried it.
    channels: Mapped[str | None] = mapped_column(sa.String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PushSubscription(db.Model):
    """A browser's Web Push subscription (RFC 8030): where to post, and its keys (RFC 8291).

    Removed when the push service answers 404 or 410; the app subscribes again on open.
    """

    __tablename__ = "push_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1024))
    #: SHA-256 of the endpoint: one row per browser, even when two requests race.
    endpoint_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The browser's P-256 public key and auth secret, base64url without padding.
    p256dh: Mapped[str] = mapped_column(sa.String(128))
    auth: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
