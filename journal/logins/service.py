"""Start, check, resume and end logins. Nothing here commits: the caller does.

The browser carries two secrets, never the login's id alone:

* the session token, in Flask's signed session cookie, for as long as the browser runs;
* with "keep me logged in", a remember token in its own cookie (``<login id>.<secret>``),
  good for at most ``REMEMBER_DAYS`` and replaced by a new one each time it is used.

Both are checked against the login's row on every request (see ``load_user``), so a
login ended on the server refuses its old cookies at once.
"""
import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, flash, g, request, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf

from journal.auth.models import User
from journal.extensions import db
from journal.logins.models import LoginSession
from journal.security_log.service import record
from journal.timeutil import utcnow
from journal.user_agents import describe_device

TOKEN_KEY = "login_token"
REMEMBER_COOKIE = "journal_remember"
#: "Keep me logged in" never lasts longer than this, whatever the configuration says.
REMEMBER_DAYS_MAX = 30
#: last_seen_at moves at most once a minute: one write per minute, not per request.
SEEN_PRECISION = timedelta(seconds=60)
#: Requests sent by the app itself, not by the person (see ``counts_as_activity``).
BACKGROUND_HEADER = "X-Journal-Background"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def idle_limit(user: User) -> timedelta:
    key = "LOGIN_IDLE_MINUTES_THERAPIST" if user.is_therapist else "LOGIN_IDLE_MINUTES_PATIENT"
    return timedelta(minutes=float(current_app.config[key]))


def remember_days() -> int:
    return max(0, min(int(current_app.config["REMEMBER_DAYS"]), REMEMBER_DAYS_MAX))


def _lifetime_limit() -> timedelta:
    return timedelta(days=int(current_app.config["LOGIN_MAX_DAYS"]))


def end_reason_if_over(login: LoginSession, now) -> str | None:
    """Why this login can no longer be used ("idle", "expired"), or None while it is live."""
    if login.ended_at is not None:
        return login.ended_reason or "ended"
    if now - login.last_seen_at > idle_limit(login.user):
        return "idle"
    if now - login.created_at > _lifetime_limit():
        return "expired"
    return None


def start_login(user: User, *, remember: bool) -> LoginSession:
    """Log ``user`` in on this browser with a new login record (not committed)."""
    token = secrets.token_urlsafe(32)
    login = LoginSession(user_id=user.id, user=user, token_hash=_digest(token),
                         device=describe_device(request.user_agent.string))
    days = remember_days()
    if remember and days:
        secret = secrets.token_urlsafe(32)
        login.remember_hash = _digest(secret)
        login.remember_until = utcnow() + timedelta(days=days)
    db.session.add(login)
    db.session.flush()
    # Nothing from before the login (an old login's keys, a half-done reset) carries over.
    flashes = session.get("_flashes")
    session.clear()
    if flashes:
        session["_flashes"] = flashes
    session[TOKEN_KEY] = token
    _new_csrf_secret()
    login_user(user)
    g.login = login
    if login.remember_hash:
        g.set_remember = (f"{login.id}.{secret}", login.remember_until)
    return login


def load_user(_request) -> User | None:
    """Flask-Login's request loader: the user of this request's live login, or None.

    Tries the session cookie first, then the remember-me cookie. A login found past
    its idle or lifetime limit is ended here (the ``check_login`` hook commits it).
    """
    now = utcnow()
    login = _login_from_session_token(now) or _login_from_remember_cookie(now)
    g.login = login
    return login.user if login else None


def _login_from_session_token(now) -> LoginSession | None:
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    login = db.session.scalar(_login_by_token(), {"token_hash": _digest(token)})
    if login is None:
        _forget_browser_login()
        return None
    reason = end_reason_if_over(login, now)
    if reason is None:
        return login
    if login.ended_at is not None:
        # Ended before this request: by Log out, whose answer already set this browser's
        # cookie, or elsewhere. Writing the session here would send this request's older
        # cookie, which can land after Log out's and drop its "You are logged out.".
        return None
    login.end(reason)
    g.login_written = True
    _forget_browser_login()
    if reason == "idle":
        record(login.user_id, "idle-logoff", detail=login.device)
        if request.method == "GET" and not request.path.startswith("/api/"):
            minutes = int(idle_limit(login.user).total_seconds() // 60)
            flash(f"You were logged out after {minutes} minutes without activity. Please log in again.", "info")
    return None


@cache
def _login_by_token() -> sa.Select:
    """Built once, as every request runs it (building and keying a new statement each time
    cost about 4 % of a feed request)."""
    return sa.select(LoginSession).where(LoginSession.token_hash == sa.bindparam("token_hash"))


def _login_from_remember_cookie(now) -> LoginSession | None:
    """Resume a remembered login in a browser that lost its session, rotating both secrets.

    The swap is one conditional UPDATE, so two requests racing with the same remember
    token cannot both win: the loser is simply not logged in.
    """
    login_id, secret = _parse_remember_cookie(request.cookies.get(REMEMBER_COOKIE))
    if login_id is None:
        return None
    login = db.session.get(LoginSession, login_id)
    if (login is None or login.remember_hash is None or login.remember_until is None
            or login.remember_until <= now or end_reason_if_over(login, now)):
        g.clear_remember = True
        return None
    if not hmac.compare_digest(login.remember_hash, _digest(secret)):
        # An old token: maybe a copy, maybe this browser's own request that lost a race
        # with its rotation. Either way it is refused; the cookie is left to the winner.
        return None
    token, new_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    swapped = db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.id == login.id, LoginSession.remember_hash == login.remember_hash,
               LoginSession.ended_at.is_(None))
        .values(token_hash=_digest(token), remember_hash=_digest(new_secret))
        .execution_options(synchronize_session="fetch"))
    if swapped.rowcount != 1:
        return None
    g.login_written = True
    session[TOKEN_KEY] = token
    session["_user_id"] = login.user.get_id()
    _new_csrf_secret()
    g.set_remember = (f"{login.id}.{new_secret}", login.remember_until)
    return login


def _new_csrf_secret() -> None:
    """Give the login its CSRF secret now, in the response that starts it.

    Left to the first page that needs one, the secret is made by whichever requests come
    first with the new session cookie, and they come together: the page after login, the
    service worker saving the journal and the entry form, the sync asking for a token.
    Each made a secret of its own and the last cookie written won, so the page's forms
    (Log out among them) carried a token for a secret the browser no longer had: 400.
    """
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    generate_csrf()


def _parse_remember_cookie(raw: str | None) -> tuple[uuid.UUID | None, str]:
    if not raw or "." not in raw:
        return None, ""
    head, secret = raw.split(".", 1)
    try:
        return uuid.UUID(head), secret
    except ValueError:
        return None, ""


def _forget_browser_login() -> None:
    session.pop(TOKEN_KEY, None)
    session.pop("_user_id", None)
    if request.cookies.get(REMEMBER_COOKIE):
        g.clear_remember = True


def counts_as_activity() -> bool:
    """Requests the person made, as opposed to the app syncing on its own.

    Everything under /api/ is the PWA's outbox and changes feed (it also runs every
    30 seconds while a page is open), the service worker marks its page refreshes
    with ``X-Journal-Background: 1``, and browsers mark their update checks of /sw.js
    with ``Service-Worker: script``; none of them keeps an idle login alive.
    """
    if request.path.startswith("/api/") or request.headers.get(BACKGROUND_HEADER) == "1":
        return False
    # The browser's own update check of the service worker script is not the person either.
    return request.headers.get("Service-Worker") != "script"


def mark_seen(login: LoginSession) -> None:
    """Move the idle clock (not committed), at most once per ``SEEN_PRECISION``."""
    now = utcnow()
    if now - login.last_seen_at >= SEEN_PRECISION:
        login.last_seen_at = now
        g.login_written = True


def current_login() -> LoginSession | None:
    return g.get("login")


def end_current_login(reason: str) -> LoginSession | None:
    """End this browser's login (not committed) and drop its cookies."""
    login = current_login()
    if login is not None:
        login.end(reason)
    _forget_browser_login()
    g.clear_remember = True
    return login


def end_logins(user: User, reason: str, *, keep: LoginSession | None = None) -> int:
    """End every live login of ``user`` except ``keep`` (not committed); how many ended."""
    query = (sa.update(LoginSession)
             .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
             .values(ended_at=utcnow(), ended_reason=reason)
             .execution_options(synchronize_session="fetch"))
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    return db.session.execute(query).rowcount


def live_logins(user: User) -> list[LoginSession]:
    """The user's logins that still work, most recently used first."""
    now = utcnow()
    candidates = db.session.scalars(
        sa.select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .order_by(LoginSession.last_seen_at.desc()))
    return [login for login in candidates if end_reason_if_over(login, now) is None]
