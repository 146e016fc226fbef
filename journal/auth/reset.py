"""Forgotten passwords: a single-use link by mail, valid for an hour. Nothing here commits.

Asking for a link says the same thing whether or not the address has an account, and
the mail leaves from a background thread, so neither the words nor the time taken tell.
"""
import hashlib
import secrets
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, url_for

from journal import mail
from journal.auth.models import PasswordReset, User
from journal.extensions import db
from journal.security_log.service import record
from journal.timeutil import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_mail(email: str) -> EmailMessage | None:
    """A mail with a new reset link for the account with this address, or None without one."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        return None
    token = secrets.token_urlsafe(32)
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    db.session.add(PasswordReset(user_id=user.id, token_hash=_digest(token),
                                 expires_at=utcnow() + timedelta(minutes=minutes)))
    record(user.id, "reset-requested")
    link = url_for("auth.reset_link", token=token, _external=True)
    return mail.compose(user.email, "Reset your Integration Journal password", (
        f"Hello {user.display_name},\n\n"
        f"Someone (we hope you) asked to reset the password of your Integration Journal.\n"
        f"Open this link within {minutes} minutes to choose a new password:\n\n{link}\n\n"
        "It works once. Choosing a new password logs you out on every device.\n"
        "If you did not ask for this, ignore this mail: your password stays as it is.\n"))


def _usable(token: str):
    return sa.and_(PasswordReset.token_hash == _digest(token), PasswordReset.used_at.is_(None),
                   PasswordReset.expires_at > utcnow())


def user_for_reset(token: str | None) -> User | None:
    """The account a reset token may still change, or None (unknown, used or expired)."""
    if not isinstance(token, str) or not token:
        return None
    reset = db.session.scalar(sa.select(PasswordReset).where(_usable(token)))
    return db.session.get(User, reset.user_id) if reset else None


def spend_reset(token: str) -> User | None:
    """Use the link up, once: one conditional UPDATE, so two tabs cannot both use it.

    Every other open link of the same account is spent with it. Not committed.
    """
    user = user_for_reset(token)
    if user is None:
        return None
    now = utcnow()
    spent = db.session.execute(sa.update(PasswordReset).where(_usable(token)).values(used_at=now))
    if spent.rowcount != 1:
        return None
    db.session.execute(sa.update(PasswordReset).where(PasswordReset.user_id == user.id,
                                                      PasswordReset.used_at.is_(None)).values(used_at=now))
    return user
