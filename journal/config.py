"""Configuration: defaults, then ``instance/config.py``, then the environment."""
import os
import secrets
import time
from pathlib import Path

from flask import Flask

#: Variables read from the environment, with the config key each one sets.
ENVIRONMENT_VARIABLES = {
    "JOURNAL_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "JOURNAL_SECRET_KEY": "SECRET_KEY",
    "JOURNAL_IDLE_MINUTES_PATIENT": "LOGIN_IDLE_MINUTES_PATIENT",
    "JOURNAL_IDLE_MINUTES_THERAPIST": "LOGIN_IDLE_MINUTES_THERAPIST",
    "JOURNAL_REMEMBER_DAYS": "REMEMBER_DAYS",
    "JOURNAL_SMTP_URL": "SMTP_URL",
    "JOURNAL_SMTP_STARTTLS": "SMTP_STARTTLS",
    "JOURNAL_MAIL_FROM": "MAIL_FROM",
    "JOURNAL_PUBLIC_URL": "PUBLIC_URL",
    "JOURNAL_VAPID_PRIVATE_KEY": "VAPID_PRIVATE_KEY",
    "JOURNAL_VAPID_SUBJECT": "VAPID_SUBJECT",
    "JOURNAL_REDIS_URL": "REDIS_URL",
    "JOURNAL_PROXY_HOPS": "PROXY_HOPS",
    "JOURNAL_THERAPIST_MFA": "THERAPIST_MFA",
    "JOURNAL_WEBAUTHN_RP_ID": "WEBAUTHN_RP_ID",
    "JOURNAL_WEBAUTHN_ORIGIN": "WEBAUTHN_ORIGIN",
}

DEFAULT_CRISIS_RESOURCES = [
    {
        "name": "Emergency services",
        "contact": "Call your local emergency number (112 in Europe, 911 in the US)",
        "href": "tel:112",
        "description": "If you or someone else is in immediate danger.",
    },
    {
        "name": "988 Suicide & Crisis Lifeline (US)",
        "contact": "Call or text 988",
        "href": "tel:988",
        "description": "Free, confidential support 24/7 for people in distress.",
    },
]


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` in order: defaults → instance file → environment → tests."""
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    # An instance folder made by an older version (or by hand) is closed up too.
    _owner_only(Path(app.instance_path), 0o700)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "journal.sqlite"),
        # Database errors must not carry entry text into logs.
        SQLALCHEMY_ENGINE_OPTIONS={"hide_parameters": True},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        JOURNAL_HTTPS=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,  # an entry of 20,000 emoji and 50 long steps fits
        WTF_CSRF_TIME_LIMIT=None,  # token lives as long as the session; offline drafts need that
        CRISIS_RESOURCES=DEFAULT_CRISIS_RESOURCES,
        TRASH_RETENTION_DAYS=30,
        ENTRIES_PER_PAGE=20,
        PASSWORD_HASH_PARAMS={"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1},
        # Automatic logoff after this long without a request from the person (README).
        LOGIN_IDLE_MINUTES_PATIENT=12 * 60,
        LOGIN_IDLE_MINUTES_THERAPIST=30,
        #: "Keep me logged in" lasts this many days (at most 30, whatever is set).
        REMEMBER_DAYS=30,
        #: Even a busy login ends after this many days: log in again with the password.
        LOGIN_MAX_DAYS=30,
        # Mail: with no SMTP_URL, mails are written to MAIL_DIR (default instance/mail/).
        SMTP_URL=None,
        SMTP_STARTTLS=False,
        MAIL_FROM="Integration Journal <no-reply@localhost>",
        MAIL_DIR=None,
        PASSWORD_RESET_MINUTES=60,
        #: Where links in reminder mails point (the address patients open the app at).
        PUBLIC_URL="http://127.0.0.1:5000",
        # Web Push: the key is generated into instance/ unless set; push services may write
        # to VAPID_SUBJECT (a mailto: or https: URL) about problems.
        VAPID_PRIVATE_KEY=None,
        VAPID_SUBJECT="mailto:no-reply@localhost",
        # Only the tests' push service lives on loopback: real endpoints are public HTTPS.
        PUSH_ALLOW_PRIVATE_HOSTS=False,
        # make run: send reminders from a thread of the development server, every minute.
        REMINDER_LOOP=False,
        REMINDER_LOOP_SECONDS=60,
        # Rate limits ("N per period", ";" between windows): see journal/auth/throttle.py.
        REDIS_URL=None,
        PROXY_HOPS=0,
        LOGIN_LIMITS_PER_ADDRESS="30 per 15 minutes;200 per day",
        LOGIN_LIMITS_PER_ACCOUNT="5 per minute;10 per 15 minutes;20 per hour;50 per day",
        LOGIN_LIMITS_PER_DEVICE="10 per 15 minutes;50 per day",
        REGISTER_LIMITS="10 per hour;50 per day",
        RESET_LIMITS_PER_ADDRESS="5 per 15 minutes;20 per day",
        RESET_LIMITS_PER_EMAIL="3 per hour;6 per day",
        RATELIMIT_HEADERS_ENABLED=False,
        # "required": therapists set up a second factor before anything else; "optional".
        THERAPIST_MFA="required",
        # Passkeys are bound to this host name and origin; by default the request's own.
        WEBAUTHN_RP_ID=None,
        WEBAUTHN_ORIGIN=None,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    for variable, key in ENVIRONMENT_VARIABLES.items():
        if os.environ.get(variable):
            app.config[key] = os.environ[variable]
    if os.environ.get("JOURNAL_REMINDER_LOOP", "").lower() in {"1", "true", "yes"}:
        app.config["REMINDER_LOOP"] = True
    if os.environ.get("JOURNAL_HTTPS", "").lower() in {"1", "true", "yes"}:
        app.config["JOURNAL_HTTPS"] = True
    if test_config is not None:
        app.config.update(test_config)
    if app.config["JOURNAL_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**pool_options(app.config["SQLALCHEMY_DATABASE_URI"]),
                                               **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}


def pool_options(database_url: str) -> dict:
    """A PostgreSQL pool sized for one app process.

    Under gunicorn (``gunicorn.conf.py`` exports ``JOURNAL_THREADS``) a process serves
    that many requests at a time, 1 for a sync worker, so it keeps that many connections;
    elsewhere (the development server's threads) 5. Up to 2 more open briefly for work
    beside the requests (``make run``'s reminder loop) instead of queueing it. So
    workers × (threads + 2) bounds what the app asks of PostgreSQL's ``max_connections``.
    Connections are checked before use (a restarted database or a dropped idle
    connection costs a retry, not a 500: ``journal.postgres.check_connections_before_use``,
    which does what ``pool_pre_ping`` does without a round trip on every request) and
    replaced after 30 minutes, before a proxy or firewall cuts them. SQLite needs none of
    this: its connections are files it opens.
    """
    if not database_url.startswith("postgresql"):
        return {}
    size = int(os.environ.get("JOURNAL_DB_POOL_SIZE") or os.environ.get("JOURNAL_THREADS") or 5)
    return {"pool_size": size, "max_overflow": 2, "pool_timeout": 10, "pool_recycle": 1800}


def _owner_only(path: Path, mode: int) -> None:
    """chmod when this user owns the path; someone else's file is theirs to fix."""
    try:
        if path.stat().st_uid == os.getuid():
            path.chmod(mode)
    except FileNotFoundError:
        pass


def instance_secret_key(instance: Path) -> str:
    """Read the generated key in ``instance/``, creating it on first run.

    ``O_EXCL`` makes several app processes starting together agree on one key.
    """
    key_file = instance / "secret_key"
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(key_file)
    with os.fdopen(fd, "w") as handle:
        key = secrets.token_urlsafe(48)
        handle.write(key)
    return key


def _read_when_written(key_file: Path) -> str:
    """Another process may have created the file a moment ago and not yet written it."""
    for _ in range(50):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{key_file} is empty; delete it or set JOURNAL_SECRET_KEY")
