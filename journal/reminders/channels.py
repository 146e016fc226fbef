"""The ways a reminder travels: Web Push to each subscribed browser, mail otherwise."""
import hashlib
from email.message import EmailMessage

from flask import current_app

from journal import mail
from journal.auth.models import User
from journal.reminders.messages import Notice


def send(user: User, notice: Notice, key: str) -> str:
    """Send ``notice``; returns the channels used (``"email"``). Raises ``OSError`` or
    ``smtplib.SMTPException`` when mail could not be handed over."""
    mail.send(reminder_mail(user, notice, key))
    return "email"


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
