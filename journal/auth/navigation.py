"""Where a user goes after logging in, and which ``next`` targets are safe to follow."""
from urllib.parse import urlsplit

from flask import url_for

from journal.auth.models import User


def home_for(user: User) -> str:
    if user.is_therapist:
        return url_for("therapist.dashboard")
    return url_for("entries.index")


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so a crafted link cannot send a user elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target
