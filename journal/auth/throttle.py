"""Slows password guessing: too many failed log-ins for one address pause it for a while."""
import hashlib
from datetime import timedelta

import sqlalchemy as sa

from journal.auth.models import FailedLogin
from journal.extensions import db
from journal.timeutil import utcnow

MAX_FAILURES = 10
WINDOW = timedelta(minutes=15)


def _email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def login_paused(email: str) -> bool:
    """True when this address has failed MAX_FAILURES times within WINDOW.

    It holds for unknown addresses too, so the pause reveals nothing about accounts.
    """
    since = utcnow() - WINDOW
    failures = db.session.scalar(sa.select(sa.func.count()).select_from(FailedLogin).where(
        FailedLogin.email_hash == _email_hash(email), FailedLogin.attempted_at > since))
    return failures >= MAX_FAILURES


def record_failure(email: str) -> None:
    db.session.execute(sa.delete(FailedLogin).where(FailedLogin.attempted_at <= utcnow() - WINDOW))
    db.session.add(FailedLogin(email_hash=_email_hash(email)))
    db.session.commit()


def clear_failures(email: str) -> None:
    db.session.execute(sa.delete(FailedLogin).where(FailedLogin.email_hash == _email_hash(email)))
    db.session.commit()
