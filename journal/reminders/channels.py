"""The ways a reminder travels: Web Push to each subscribed browser, mail otherwise."""
import hashlib
from email.message import EmailMessage

from flask import current_app

import sqlalchemy as sa

from journal import mail
from journal.auth.models import User
from journal.extensions import db
from journal.reminders.messages import Notice
from journal.reminders.models import PushSubscription
from journal.reminders.push import send_push


def send(user: User, notice: Notice, key: str, always_email: bool = False) -> str:
    """Push to each of the person's browsers; mail when none took it (or always, if they
    asked). Returns the channels used (``push``, ``email``, ``push+email``). Raises
    ``OSError`` or ``smtplib.SMTPException`` when a needed mail could not be handed over."""
    used = []
    subscriptions = db.session.scalars(sa.select(PushSubscription)
                                       .where(PushSubscription.user_id == user.id)).all()
    pushed = [send_push(subscription, notice, public_url(notice.path), key) for subscription in subscriptions]
    if any(pushed):
        used.append("push")
    if always_email or not used:
        mail.send(reminder_mail(user, notice, key))
        used.append("email")
    return "+".join(used)


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def reminder_mail(user: User, notice: Notice, key: str) -> EmailMessage:
    """A mail that says no more than a lock screen would; its Message-ID comes from the
    occasion's key, so a mail client shows a duplicate (if ever) as the same message."""
    body = (f"{notice.body}\n\nOpen your journal: {public_url(notice.path)}\n\n"
            f"You get this because you turned on reminders. Change them here: "
            f"{public_url('/reminders/')}\n")
    message = mail.compose(user.email, notice.body, body)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    message.replace_header("Message-ID", f"<reminder-{digest}@integration-journal>")
    return message
