"""Ten single-use recovery codes per account; only digests are stored. Nothing here commits."""
import hashlib
import secrets

import sqlalchemy as sa

from journal.auth.models import User
from journal.extensions import db
from journal.mfa.models import RecoveryCode
from journal.timeutil import utcnow

COUNT = 10
#: Crockford-like: no 0/O or 1/I/L to misread from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _normalised(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len(_normalised(code)) == 10 and not _normalised(code).isdigit()


def new_codes(user: User) -> list[str]:
    """Replace all of the account's codes with ten new ones, returned once for the person to keep."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(10)) for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_code(user: User, code: str) -> bool:
    """Spend one unused code (one conditional UPDATE: a code works once, even in parallel)."""
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False))
    return spent.rowcount == 1


def codes_left(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def remove_all(user: User) -> None:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
