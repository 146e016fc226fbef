"""Password hashing (argon2id) and the rules a new password must meet."""
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

PASSWORD_MIN, PASSWORD_MAX = 10, 128


def _hasher() -> PasswordHasher:
    params = current_app.config["PASSWORD_HASH_PARAMS"]
    return PasswordHasher(type=Type.ID, **params)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash still costs one hash (no timing leak)."""
    hasher = _hasher()
    if not password_hash:
        hasher.hash(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password cannot be used, or None when it is fine."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    lowered = password.lower()
    if lowered in common_passwords():
        return "This password is too common. Choose something others would not guess."
    if email and lowered == email.strip().lower():
        return "Do not use your email address as your password."
    return None
