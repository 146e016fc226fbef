"""A logged-in device: what the Account page lists and what every request is checked against."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal.auth.models import User
from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow


class LoginSession(db.Model):
    """One login on one device, from the password (and second factor) to its end.

    The browser holds random secrets; only their SHA-256 digests are stored, so a copy
    of the database cannot be replayed as a cookie.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (sa.Index("ix_login_sessions_user_ended", "user_id", "ended_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: Digest of the secret in the signed session cookie; replaced when the login resumes.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Digest of the "keep me logged in" secret, rotated each time it is used; None without it.
    remember_hash: Mapped[str | None] = mapped_column(sa.String(64))
    #: The remember-me cookie is refused after this, whatever the cookie says.
    remember_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Last request made by the person (background sync does not count): the idle clock.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "Chrome on Android": approximate, from the user agent, never the raw string.
    device: Mapped[str] = mapped_column(sa.String(80), default="Unknown device")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it ended: logged-out, idle, expired, ended-elsewhere, password-changed, password-reset.
    ended_reason: Mapped[str | None] = mapped_column(sa.String(32))

    user: Mapped[User] = relationship(lazy="joined")

    def end(self, reason: str) -> None:
        """End this login now (not committed); a second end keeps the first reason."""
        if self.ended_at is None:
            self.ended_at = utcnow()
            self.ended_reason = reason
