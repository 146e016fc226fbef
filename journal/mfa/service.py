"""Whether an account has or needs a second factor, and the half-done log-in between the steps."""
import time
import uuid

import sqlalchemy as sa
from flask import current_app, session

from journal.auth.models import User
from journal.extensions import db
from journal.mfa.models import Passkey, TotpCredential

PENDING_KEY = "second_factor_pending"
#: The password step is good for this long; then the password is asked again.
PENDING_SECONDS = 5 * 60


def has_totp(user: User) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(TotpCredential).where(
        TotpCredential.user_id == user.id, TotpCredential.confirmed_at.is_not(None))) > 0


def has_passkey(user: User) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Passkey).where(
        Passkey.user_id == user.id)) > 0


def has_second_factor(user: User) -> bool:
    return has_totp(user) or has_passkey(user)


def second_factor_required(user: User) -> bool:
    """Therapists must set one up unless ``THERAPIST_MFA`` is ``optional`` (the demo, tests)."""
    return user.is_therapist and current_app.config["THERAPIST_MFA"] == "required"


def begin_second_step(user: User, *, remember: bool, next_url: str | None) -> None:
    """The password was right: remember who is half logged in, for ``PENDING_SECONDS``."""
    session[PENDING_KEY] = {"user": str(user.id), "remember": bool(remember), "next": next_url or "",
                            "until": time.time() + PENDING_SECONDS}


def pending_login() -> tuple[User, dict] | tuple[None, None]:
    """The half-logged-in user and their choices, or (None, None) when there is none or it expired."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        session.pop(PENDING_KEY, None)
        return None, None
    try:
        user = db.session.get(User, uuid.UUID(pending["user"]))
    except (KeyError, ValueError):
        user = None
    return (user, pending) if user else (None, None)
