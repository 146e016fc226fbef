"""Authenticator apps (RFC 6238 TOTP, 6 digits, 30 s). Nothing here commits."""
import time

import pyotp
import segno
import sqlalchemy as sa
from markupsafe import Markup

from journal.auth.models import User
from journal.extensions import db
from journal.mfa.models import TotpCredential
from journal.timeutil import utcnow

ISSUER = "Integration Journal"
#: A code from the step before or after still counts (clocks drift, people type slowly).
DRIFT_STEPS = 1


def confirmed_totp(user: User) -> TotpCredential | None:
    return db.session.scalar(sa.select(TotpCredential).where(
        TotpCredential.user_id == user.id, TotpCredential.confirmed_at.is_not(None)))


def start_setup(user: User) -> TotpCredential:
    """An unconfirmed secret for the app to scan: a new one, or the unfinished one (not committed)."""
    credential = db.session.get(TotpCredential, user.id)
    if credential is None:
        credential = TotpCredential(user_id=user.id, secret=pyotp.random_base32(32))
        db.session.add(credential)
    return credential


def pending_setup(user: User) -> TotpCredential | None:
    credential = db.session.get(TotpCredential, user.id)
    return credential if credential and credential.confirmed_at is None else None


def provisioning_uri(user: User, credential: TotpCredential) -> str:
    return pyotp.TOTP(credential.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn here: no image service ever sees the secret."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff"))


def _matching_step(secret: str, code: str) -> int | None:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _spend_step(user: User, step: int) -> bool:
    """Accept this step once: one conditional UPDATE, so a code seen twice (replayed or
    sent from two tabs at once) counts once."""
    spent = db.session.execute(
        sa.update(TotpCredential)
        .where(TotpCredential.user_id == user.id,
               sa.or_(TotpCredential.last_step.is_(None), TotpCredential.last_step < step))
        .values(last_step=step).execution_options(synchronize_session="fetch"))
    return spent.rowcount == 1


def confirm_setup(user: User, code: str) -> bool:
    credential = pending_setup(user)
    step = _matching_step(credential.secret, code) if credential else None
    if step is None or not _spend_step(user, step):
        return False
    credential.confirmed_at = utcnow()
    return True


def verify(user: User, code: str) -> bool:
    """True for a correct, not yet used code of the confirmed app."""
    credential = confirmed_totp(user)
    step = _matching_step(credential.secret, code) if credential else None
    return step is not None and _spend_step(user, step)


def remove(user: User) -> None:
    db.session.execute(sa.delete(TotpCredential).where(TotpCredential.user_id == user.id))
