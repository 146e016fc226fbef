"""Outgoing mail: over SMTP when ``JOURNAL_SMTP_URL`` is set, otherwise into ``instance/mail/``.

With no SMTP server (``make run`` on a fresh machine) each mail becomes an ``.eml`` file
readable by its owner only, and its path is logged so a newcomer can open it. Nothing
here logs a mail's body: it may hold a reset link.
"""
import logging
import secrets
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

log = logging.getLogger("journal.mail")
TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes, read from the app's config while the app is at hand."""

    smtp_url: str | None
    starttls: bool
    sender: str
    folder: Path

    @classmethod
    def from_app(cls) -> "MailSettings":
        config = current_app.config
        return cls(smtp_url=config.get("SMTP_URL") or None,
                   starttls=str(config.get("SMTP_STARTTLS", "")).lower() in TRUE,
                   sender=config["MAIL_FROM"],
                   folder=Path(config.get("MAIL_DIR") or Path(current_app.instance_path) / "mail"))


#: Lines up to RFC 5322's limit stay as they are: a long link is not folded into
#: quoted-printable, so it can be copied from the .eml file as well as from a mail client.
POLICY = policy.default.clone(max_line_length=998)


def compose(to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="integration-journal")
    message.set_content(body)
    return message


def send(message: EmailMessage, settings: MailSettings | None = None) -> None:
    """Deliver now; raises ``OSError``/``smtplib.SMTPException`` when the server refuses."""
    settings = settings or MailSettings.from_app()
    if settings.smtp_url:
        _send_smtp(message, settings)
    else:
        _write_file(message, settings.folder)


def send_soon(message: EmailMessage) -> None:
    """Deliver from a background thread, so the answer does not wait for (or time) the mail.

    Failures are logged by type only; the person can ask again.
    """
    settings = MailSettings.from_app()

    def deliver():
        try:
            send(message, settings)
        except (OSError, smtplib.SMTPException) as error:
            log.error("Mail not sent: %s", type(error).__name__)

    threading.Thread(target=deliver, name="journal-mail", daemon=True).start()


def _send_smtp(message: EmailMessage, settings: MailSettings) -> None:
    """``smtp://[user:password@]host[:port][?starttls=1]`` or ``smtps://`` (TLS from the start)."""
    url = urlsplit(settings.smtp_url)
    starttls = settings.starttls or parse_qs(url.query).get("starttls", [""])[0].lower() in TRUE
    context = ssl.create_default_context()
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(url.hostname, url.port or 465, timeout=15, context=context)
    elif url.scheme == "smtp":
        client = smtplib.SMTP(url.hostname, url.port or 25, timeout=15)
    else:
        raise smtplib.SMTPException(f"unsupported mail URL scheme {url.scheme!r}")
    with client:
        if starttls:
            client.starttls(context=context)
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message, from_addr=settings.sender)


def _write_file(message: EmailMessage, folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-{secrets.token_hex(4)}.eml"
    partial = path.with_suffix(".partial")
    partial.touch(mode=0o600)
    partial.write_bytes(bytes(message))
    partial.replace(path)  # a reader never sees half a mail
    # The path only: the body may hold a reset link, and addresses stay out of logs.
    log.warning("No SMTP server configured (JOURNAL_SMTP_URL): mail written to %s", path)
    return path
