"""What a second factor needs on the server: a TOTP secret, recovery-code digests, passkeys."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow


class TotpCredential(db.Model):
    """An authenticator app. One per account; it counts once ``confirmed_at`` is set."""

    __tablename__ = "totp_credentials"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: Base32 secret shared with the app (the server must read it to check codes).
    secret: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the person typed a first correct code: until then it is only being set up.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The 30-second step of the last accepted code: a code is accepted once (no replay).
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)


class RecoveryCode(db.Model):
    """A single-use code for when the phone or passkey is lost; only its digest is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(db.Model):
    """A WebAuthn credential registered by the account's owner."""

    __tablename__ = "passkeys"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: "Firefox on Windows", from the device that registered it; the owner sees it.
    name: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebAuthnChallenge(db.Model):
    """A challenge handed to the browser, spent by the first answer to it.

    Kept on the server (not in the cookie session, which a client could replay) so an
    old assertion sent again finds no challenge to match.
    """

    __tablename__ = "webauthn_challenges"

    challenge_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: "register" or "login".
    purpose: Mapped[str] = mapped_column(sa.String(16))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
