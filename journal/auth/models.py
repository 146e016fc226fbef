"""Accounts: patients register themselves; therapists are created by the CLI."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow

PATIENT = "patient"
THERAPIST = "therapist"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    #: Stored lower-cased and stripped, so log-in is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    #: argon2id hash string (parameters included, so they can be raised later).
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: ``patient`` or ``therapist``.
    role: Mapped[str] = mapped_column(sa.String(16), default=PATIENT)
    #: IANA zone name; dates are shown and entered in it.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_therapist(self) -> bool:
        return self.role == THERAPIST

    @property
    def is_patient(self) -> bool:
        return self.role == PATIENT

    def __repr__(self) -> str:  # never the email: reprs end up in logs
        return f"<User {self.id} {self.role}>"


class PasswordReset(db.Model):
    """A "forgot my password" link: single use, valid for an hour.

    Only the token's SHA-256 digest is stored; the token itself exists in one mail.
    """

    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set once, by the conditional UPDATE that spends the link.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
