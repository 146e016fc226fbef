"""One security event in an account's history."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow

#: What the owner reads for each kind of event.
DESCRIPTIONS = {
    "login": "Logged in",
    "login-failed": "Wrong password entered",
    "logout": "Logged out",
    "login-ended": "A login was ended",
    "logout-everywhere": "Logged out everywhere else",
    "idle-logoff": "Logged out after a time without activity",
    "password-changed": "Password changed",
    "reset-requested": "Password reset link requested",
    "password-reset": "Password reset by email link",
    "second-factor-passed": "Second factor confirmed",
    "second-factor-failed": "Wrong second-factor code entered",
    "recovery-code-used": "Recovery code used",
    "totp-enabled": "Authenticator app set up",
    "totp-disabled": "Authenticator app removed",
    "recovery-codes-renewed": "New recovery codes made",
    "passkey-added": "Passkey added",
    "passkey-removed": "Passkey removed",
}


class SecurityEvent(db.Model):
    __tablename__ = "security_events"
    __table_args__ = (sa.Index("ix_security_events_user_at", "user_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: A key of ``DESCRIPTIONS``.
    kind: Mapped[str] = mapped_column(sa.String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The device the request came from ("Firefox on Windows"), approximate.
    device: Mapped[str] = mapped_column(sa.String(80), default="Unknown device")
    #: A short, secret-free addition ("Safari on iPhone" for an ended login).
    detail: Mapped[str | None] = mapped_column(sa.String(120))

    @property
    def description(self) -> str:
        text = DESCRIPTIONS.get(self.kind, self.kind)
        return f"{text}: {self.detail}" if self.detail else text
