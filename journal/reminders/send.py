"""Claiming due deliveries and sending each at most once.

Several ``send-reminders`` processes (on several hosts) may run together. A delivery is
claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite writes one at a time anyway)
and a lease; just before the network call its row is switched to "sending" and committed.
So a sender killed after claiming leaves a claim that another takes over when the lease
runs out (the reminder is not lost), and one killed while sending leaves a "sending" row
that nobody sends again (never twice).
"""
import logging
import secrets
import smtplib
from datetime import datetime, timedelta

import sqlalchemy as sa

from journal.auth.models import User
from journal.extensions import db
from journal.reminders import channels
from journal.reminders.messages import notice_for
from journal.reminders.models import (CLAIMED, FAILED, PENDING, SENDING, SENT, ReminderDelivery,
                                      ReminderSettings)
from journal.reminders.plan import plan_due

log = logging.getLogger("journal.reminders")
LEASE = timedelta(minutes=5)
BATCH = 100
#: A mail server that refuses is tried again this much later (times the attempts so far),
#: up to ATTEMPTS times in all.
RETRY_AFTER = timedelta(minutes=5)
ATTEMPTS = 3


def claim(now: datetime, limit: int = BATCH) -> list[ReminderDelivery]:
    """Take up to ``limit`` due deliveries for this sender, and commit the claim."""
    token = secrets.token_hex(16)
    claimable = sa.or_(
        sa.and_(ReminderDelivery.status == PENDING, ReminderDelivery.due_at <= now),
        sa.and_(ReminderDelivery.status == CLAIMED, ReminderDelivery.lease_until < now),
    )
    chosen = (sa.select(ReminderDelivery.id).where(claimable).order_by(ReminderDelivery.due_at)
              .limit(limit).with_for_update(skip_locked=True))
    db.session.execute(
        sa.update(ReminderDelivery).where(ReminderDelivery.id.in_(chosen), claimable)
        .values(status=CLAIMED, claim_token=token, lease_until=now + LEASE,
                attempts=ReminderDelivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(
        sa.select(ReminderDelivery).where(ReminderDelivery.claim_token == token,
                                          ReminderDelivery.status == CLAIMED)
        .order_by(ReminderDelivery.due_at)))


def start_sending(delivery: ReminderDelivery, now: datetime) -> bool:
    """Write "sending" before the network call; false when the claim was lost to another
    sender meanwhile (its lease ran out). Commits."""
    result = db.session.execute(
        sa.update(ReminderDelivery)
        .where(ReminderDelivery.id == delivery.id, ReminderDelivery.claim_token == delivery.claim_token,
               ReminderDelivery.status == CLAIMED)
        .values(status=SENDING)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def deliver(delivery: ReminderDelivery, now: datetime) -> None:
    """Send one claimed delivery on the person's channels and record how. Commits."""
    if not start_sending(delivery, now):
        return
    user = db.session.get(User, delivery.user_id)
    settings = db.session.get(ReminderSettings, delivery.user_id)
    notice = notice_for(delivery.kind, delivery.target, delivery.count)
    try:
        used = channels.send(user, notice, delivery.key, bool(settings and settings.always_email))
    except (OSError, smtplib.SMTPException) as error:
        # Refused before the mail server took it: safe to try again a little later.
        log.error("Reminder not sent: %s", type(error).__name__)
        retry = delivery.attempts < ATTEMPTS
        db.session.execute(
            sa.update(ReminderDelivery).where(ReminderDelivery.id == delivery.id)
            .values(status=PENDING if retry else FAILED, claim_token=None,
                    due_at=now + RETRY_AFTER * delivery.attempts if retry else delivery.due_at)
            .execution_options(synchronize_session=False))
        db.session.commit()
        return
    db.session.execute(
        sa.update(ReminderDelivery).where(ReminderDelivery.id == delivery.id)
        .values(status=SENT, channels=used, sent_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()


def send_due(now: datetime) -> int:
    """Plan what is due at ``now`` and send it; returns how many were sent. Commits."""
    plan_due(now)
    db.session.commit()
    sent = 0
    while True:
        batch = claim(now)
        if not batch:
            return sent
        for delivery in batch:
            deliver(delivery, now)
            sent += db.session.scalar(sa.select(ReminderDelivery.status)
                                      .where(ReminderDelivery.id == delivery.id)) == SENT
        if len(batch) < BATCH:
            return sent
