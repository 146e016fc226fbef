"""Fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

``JOURNAL_TEST_DATABASE_URL`` (a PostgreSQL URL) makes every test run twice: once on
SQLite and once on PostgreSQL, in a schema created for this run and dropped after it.
"""
import os
import re
import shutil
import uuid

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from journal import create_app
from journal.auth.models import PATIENT, THERAPIST, User
from journal.auth.passwords import hash_password
from journal.extensions import db

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("JOURNAL_TEST_DATABASE_URL") else [])
PASSWORD = "a quiet walk by the river"
# Cheap hashing in tests only (the production parameters are tested on their own).
FAST_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_PARAMS": FAST_HASH,
        # Therapist logins in most tests skip the second factor; tests/test_mfa.py checks "required".
        "THERAPIST_MFA": "optional",
    }


def migrate_to_head(database_url: str) -> None:
    """Build the schema with the real Alembic history, as production does."""
    from flask_migrate import upgrade

    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def postgres_url_with_schema(schema: str) -> str:
    url = sa.engine.make_url(os.environ["JOURNAL_TEST_DATABASE_URL"])
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory):
    """A migrated database for the whole run; yields a callable giving a fresh one per test."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
        migrate_to_head(f"sqlite:///{template}")

        def fresh(tmp_path):
            path = tmp_path / "journal.sqlite"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"

        yield fresh
        return

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url_with_schema("public"))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = postgres_url_with_schema(schema)
    migrate_to_head(url)
    engine = sa.create_engine(url)
    tables = [t for t in sa.inspect(engine).get_table_names() if t != "alembic_version"]

    def fresh(tmp_path):
        with engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        return url

    yield fresh
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


class JournalClient(FlaskClient):
    """A test client that knows how to send forms with their CSRF token.

    Each request gets its own app context, as in production: otherwise requests
    would share the test's ``g`` (and so its logged-in user) and its DB session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = self.get("/help").get_data(as_text=True)
        return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form the way a browser would, CSRF token included."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD, **extra):
        return self.submit("/login", {"email": email, "password": password, **extra})

    def logout(self):
        return self.submit("/logout")


@pytest.fixture
def app(database, tmp_path):
    app = create_app(base_config(database(tmp_path)))
    app.test_client_class = JournalClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> JournalClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create an account directly in the database."""
    counter = iter(range(1, 10_000))

    def make(role: str = PATIENT, email: str | None = None, timezone: str = "UTC", **fields) -> User:
        n = next(counter)
        user = User(email=email or f"{role}{n}-{uuid.uuid4().hex[:6]}@example.org",
                    display_name=fields.pop("display_name", f"{role.title()} {n}"),
                    role=role, timezone=timezone, password_hash=hash_password(PASSWORD), **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def patient(make_user) -> User:
    return make_user(PATIENT)


@pytest.fixture
def therapist(make_user) -> User:
    return make_user(THERAPIST)


@pytest.fixture
def patient_client(app, patient) -> JournalClient:
    """A client logged in as ``patient``."""
    client = app.test_client()
    assert client.login(patient.email).status_code == 302
    return client


class Mailbox:
    """What a real SMTP server on loopback (aiosmtpd) received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list:
        """The first ``count`` messages, waiting for mail sent from a background thread."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} mails arrived, expected {count}"
        return self.messages[:count]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    from tests.live_gunicorn import free_port

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.url = f"smtp://127.0.0.1:{controller.port}"
    yield mailbox
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server) -> Mailbox:
    """An empty mailbox, and the app sending its mail there over SMTP."""
    smtp_server.messages.clear()
    app.config["SMTP_URL"] = smtp_server.url
    return smtp_server


@pytest.fixture
def count_queries(app):
    """Counts SQL statements run inside a ``with count_queries() as counter`` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)

    return counting
