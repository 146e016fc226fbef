"""The PostgreSQL connection pool: sized for a gunicorn process, checked before use, and
keeping the statements psycopg prepared; plain reads outside transactions, writes and
locking reads in one that ends as it was asked to."""
import multiprocessing
import os
import re
import runpy
import tempfile
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import pq

from journal import create_app, postgres
from journal.auth.models import PATIENT, User
from journal.extensions import db
from tests.factories import create_entry
from tests.sync_client import SyncApi, new_id

GUNICORN_CONF = str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/unused"  # never connected to here


def _pool_of(tmp_path, monkeypatch, **environment):
    for name in ("JOURNAL_THREADS", "JOURNAL_DB_POOL_SIZE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"SECRET_KEY": "pool", "SQLALCHEMY_DATABASE_URI": POSTGRES_URL})
    with app.app_context():
        return db.engine.pool


def test_a_gunicorn_process_keeps_one_connection_per_thread(tmp_path, monkeypatch):
    assert _pool_of(tmp_path, monkeypatch, JOURNAL_THREADS="4").size() == 4
    assert _pool_of(tmp_path, monkeypatch, JOURNAL_THREADS="1").size() == 1
    assert _pool_of(tmp_path, monkeypatch, JOURNAL_THREADS="4", JOURNAL_DB_POOL_SIZE="6").size() == 6
    pool = _pool_of(tmp_path, monkeypatch)  # the development server's threads
    assert pool.size() == 5 and pool._recycle == 1800


def test_a_connection_the_database_dropped_is_replaced_not_a_500(app, patient_client):
    """PostgreSQL restarted, or an idle connection cut: the next request still works."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no server to drop connections (this runs on the PostgreSQL pass)")
    with app.app_context():
        db.engine.dispose()
    assert patient_client.get("/").status_code == 200  # its connection waits in the pool now
    with app.app_context():
        pooled = db.engine.raw_connection()  # the only one in the pool
        cursor = pooled.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        [(pid,)] = cursor.fetchall()
        pooled.close()  # back to the pool
    admin = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
    with admin.begin() as connection:
        # With a timeout it returns once the backend is gone, as after a restart.
        assert connection.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    admin.dispose()
    assert patient_client.get("/").status_code == 200


def _on_postgresql(app) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's connections and prepared statements (this runs on the PostgreSQL pass)")


def _count_pings(monkeypatch) -> list:
    """The pings the pool sends from now on, still sent to the server."""
    pings = []
    real_ping = db.engine.dialect.do_ping

    def ping(dbapi_connection):
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(db.engine.dialect, "do_ping", ping)
    return pings


def test_a_healthy_connection_is_used_without_a_round_trip_first(app, patient_client, monkeypatch):
    _on_postgresql(app)
    assert patient_client.get("/").status_code == 200
    pings = _count_pings(monkeypatch)
    for _ in range(3):
        assert patient_client.get("/").status_code == 200
    assert pings == []


def test_a_connection_idle_for_a_while_is_pinged_before_use(app, patient_client, monkeypatch):
    _on_postgresql(app)
    assert patient_client.get("/").status_code == 200
    pings = _count_pings(monkeypatch)
    monkeypatch.setattr(postgres, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert patient_client.get("/").status_code == 200
    assert len(pings) == 1


def _prepared_statements_of_the_pooled_connection() -> list[str]:
    with db.engine.connect() as connection:  # the pool's only connection
        return connection.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()


def test_reading_requests_keep_what_postgresql_prepared_for_them(app, patient_client, patient):
    """psycopg prepares a statement run five times on a connection, and forgets them all
    on ROLLBACK: a request that only read ends with COMMIT, so the next one reuses them."""
    _on_postgresql(app)
    create_entry(patient, insights="Breathing with the waves")
    db.session.remove()
    db.engine.dispose()  # from here the requests use one connection, as a sync worker does
    for _ in range(8):
        assert patient_client.get("/").status_code == 200
    prepared = _prepared_statements_of_the_pooled_connection()
    assert any("FROM entries" in statement for statement in prepared)


def test_a_transaction_that_wrote_is_rolled_back_not_committed(app, patient):
    """Ending read-only transactions with COMMIT must never keep a write that was rolled back."""
    db.session.scalar(sa.select(User.email).where(User.id == patient.id))
    db.session.execute(sa.update(User).where(User.id == patient.id).values(display_name="Changed"))
    db.session.rollback()
    assert db.session.scalar(sa.select(User.display_name).where(User.id == patient.id)) != "Changed"
    db.session.add(User(email="rolled-back@example.org", display_name="Rolled back", password_hash="x", role=PATIENT))
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.email == "rolled-back@example.org")) == 0


def test_a_transaction_whose_read_failed_is_rolled_back_and_the_connection_reused(app, patient):
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.text("SELECT nothing FROM no_such_table"))
    db.session.rollback()
    assert db.session.scalar(sa.select(User.email).where(User.id == patient.id)) == patient.email


def test_gunicorn_runs_two_processes_per_core_and_tells_the_app_its_threads(monkeypatch):
    monkeypatch.delenv("JOURNAL_WORKERS", raising=False)
    monkeypatch.setenv("JOURNAL_THREADS", "3")
    settings = runpy.run_path(GUNICORN_CONF)
    assert settings["workers"] == 2 * multiprocessing.cpu_count()
    assert settings["threads"] == 3 and os.environ["JOURNAL_THREADS"] == "3"
    monkeypatch.delenv("JOURNAL_THREADS")
    assert runpy.run_path(GUNICORN_CONF)["threads"] == 1
    assert os.environ["JOURNAL_THREADS"] == "1"


def _protocol_of(request) -> str:
    """What the pool's one connection sent and received while ``request()`` ran, as libpq
    traces it (``F`` lines from us, ``B`` lines from the server)."""
    db.session.remove()
    db.engine.dispose()
    request()  # opens the connection a sync worker keeps
    pooled = db.engine.raw_connection()
    psycopg_connection = pooled.dbapi_connection
    pooled.close()
    with tempfile.TemporaryFile("w+") as trace:
        psycopg_connection.pgconn.trace(trace.fileno())
        psycopg_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            request()
        finally:
            psycopg_connection.pgconn.untrace()
        trace.seek(0)
        return trace.read()


def _transaction_commands(protocol: str) -> list[str]:
    return re.findall(r'^F\s+\d+\s+Query\s+"(BEGIN|COMMIT|ROLLBACK)[^"]*"', protocol, re.MULTILINE)


def test_a_request_that_only_reads_opens_no_transaction(app, patient_client, patient):
    """Under READ COMMITTED every statement reads its own snapshot, in a transaction or
    not: BEGIN and COMMIT around a page's reads were two of its six round trips."""
    _on_postgresql(app)
    create_entry(patient, insights="Breathing with the waves")
    for path in ("/", "/api/v1/entries?limit=20"):
        protocol = _protocol_of(lambda: patient_client.get(path))
        assert "entries" in protocol  # the trace holds the request's queries
        assert _transaction_commands(protocol) == [], path


def test_a_write_begins_its_transaction_before_its_first_write_and_commits_once(app, patient_client):
    _on_postgresql(app)
    api = SyncApi(patient_client)
    ids = iter([new_id(), new_id()])  # a new entry each time _protocol_of sends the request

    def put():
        assert api.put(next(ids), {"insights": "Let the tide go out", "mood": 6}).status_code == 201
    protocol = _protocol_of(put)
    assert _transaction_commands(protocol) == ["BEGIN", "COMMIT"]
    assert protocol.index('"BEGIN"') < protocol.index("INSERT") < protocol.index('"COMMIT"')


def test_a_locking_read_holds_its_lock_until_the_transaction_ends(app, patient):
    """``SELECT … FOR UPDATE`` begins the transaction: outside one its lock would end with it."""
    _on_postgresql(app)
    patient_id = patient.id
    db.session.remove()
    db.session.execute(sa.select(User.id).where(User.id == patient_id).with_for_update())
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
    try:
        with other.connect() as connection, pytest.raises(sa.exc.OperationalError, match="could not obtain lock"):
            connection.execute(sa.select(User.id).where(User.id == patient_id).with_for_update(nowait=True))
        db.session.rollback()
        with other.connect() as connection:
            assert connection.scalar(sa.select(User.id).where(User.id == patient_id).with_for_update(nowait=True))
    finally:
        other.dispose()


def test_a_read_on_a_connection_the_server_dropped_raises_the_servers_own_error(app):
    """Running a read outside a transaction must not hide why the connection went."""
    _on_postgresql(app)
    connection = postgres.ReadAwareConnection.connect(
        sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
        .render_as_string(hide_password=False))
    try:
        [(pid,)] = connection.execute("SELECT pg_backend_pid()").fetchall()
        admin = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
        with admin.begin() as other:
            other.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        admin.dispose()
        with pytest.raises(psycopg.OperationalError, match="terminating connection due to administrator command"):
            connection.cursor().execute("SELECT 1")
    finally:
        connection.close()
