"""Slows password and second-factor guessing without locking the owner out of their account.

Every attempt is charged *before* the password is checked, as one atomic increment in
the rate-limit storage shared by every process (Redis or the database, see
``journal.throttle``), so parallel requests cannot slip an extra try past a limit:

* per client address (``LOGIN_LIMITS_PER_ADDRESS``): trying many accounts from one
  place is limited; a successful log-in gives its charge back, so only failures add up.
* per account (``LOGIN_LIMITS_PER_ACCOUNT``), for browsers that have not logged in to
  it before: tiered windows (a few a minute, fewer per hour, per day), so guessing slows
  down step by step rather than being locked out for a fixed time.
* per known device (``LOGIN_LIMITS_PER_DEVICE``): a browser that completed a log-in to
  this account carries a signed ``journal_device`` cookie and has its own budget, so
  the owner logs in on their own devices while someone elsewhere is being slowed down.

A complete log-in (password and any second factor) or a password reset clears the
account's count. Unknown addresses are counted the same way as real ones.
Call these before the view writes anything: the database storage uses its own connection.
"""
import hashlib
import secrets
import time
from contextlib import nullcontext

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many

from journal.extensions import limiter

DEVICE_COOKIE = "journal_device"
DEVICE_COOKIE_DAYS = 365


class Throttled(Exception):
    """Too many attempts: ``retry_after`` seconds until the next one is allowed."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after

    @property
    def in_words(self) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        if minutes >= 120:
            return f"{-(-minutes // 60)} hours"
        return "a minute" if minutes == 1 else f"{minutes} minutes"


def account_key(email: str) -> str:
    """Counters never hold an address in clear."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def counting_together():
    """One transaction for several counts where the storage can (the database); Redis needs none."""
    batch = getattr(limiter.storage, "batch", None)
    return batch() if batch else nullcontext()


def _windows(config_key: str):
    return parse_many(current_app.config[config_key])


def _charge(config_key: str, who: str) -> None:
    """One attempt against each window; :raise Throttled: when one is used up."""
    strategy = limiter.limiter
    for window in _windows(config_key):
        if not strategy.hit(window, "journal-login", config_key, who):
            reset_at, _ = strategy.get_window_stats(window, "journal-login", config_key, who)
            raise Throttled(max(1, int(reset_at - time.time())))


def _clear(config_key: str, who: str) -> None:
    for window in _windows(config_key):
        limiter.limiter.clear(window, "journal-login", config_key, who)


def _give_back(config_key: str, who: str) -> None:
    for window in _windows(config_key):
        limiter.storage.incr(window.key_for("journal-login", config_key, who), window.get_expiry(), amount=-1)


def charge_reset_request(email: str) -> None:
    """One reset mail more for this address; :raise Throttled: past ``RESET_LIMITS_PER_EMAIL``."""
    _charge("RESET_LIMITS_PER_EMAIL", account_key(email))


def client_address() -> str:
    return request.remote_addr or "unknown"


def charge_attempt(email: str, user_id=None) -> None:
    """Charge one password or second-factor attempt for this address and account.

    :raise Throttled: when this client or this account must wait.
    """
    with counting_together():
        _charge("LOGIN_LIMITS_PER_ADDRESS", client_address())
        device = known_device(user_id)
        if device:
            _charge("LOGIN_LIMITS_PER_DEVICE", device)
        else:
            _charge("LOGIN_LIMITS_PER_ACCOUNT", account_key(email))


def password_accepted() -> None:
    """The client's charge comes back: a correct password is not a failure."""
    with counting_together():
        _give_back("LOGIN_LIMITS_PER_ADDRESS", client_address())


def login_completed(email: str, user_id) -> None:
    """Password and any second factor passed: the account's and this device's counts restart."""
    with counting_together():
        clear_account(email)
        device = known_device(user_id)
        if device:
            _clear("LOGIN_LIMITS_PER_DEVICE", device)


def clear_account(email: str) -> None:
    _clear("LOGIN_LIMITS_PER_ACCOUNT", account_key(email))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="journal-known-device")


def known_device(user_id) -> str | None:
    """This browser's device id when it has logged in to ``user_id`` before, else None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or user_id is None:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(value, dict) or value.get("user") != str(user_id):
        return None
    return value.get("device")


def remember_device(response, user_id) -> None:
    """Mark this browser as one the account logs in from (it holds no credential)."""
    device = known_device(user_id) or secrets.token_urlsafe(16)
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps({"user": str(user_id), "device": device}),
                        max_age=DEVICE_COOKIE_DAYS * 24 * 3600, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("JOURNAL_HTTPS")))
