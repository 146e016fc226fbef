"""The PostgreSQL connection pool: sized for a gunicorn process, and checked before use."""
import multiprocessing
import os
import runpy
from pathlib import Path

import pytest
import sqlalchemy as sa

from journal import create_app
from journal.extensions import db

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
    assert pool.size() == 5 and pool._pre_ping and pool._recycle == 1800


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
        assert connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    assert patient_client.get("/").status_code == 200


def test_gunicorn_runs_two_processes_per_core_and_tells_the_app_its_threads(monkeypatch):
    monkeypatch.delenv("JOURNAL_WORKERS", raising=False)
    monkeypatch.setenv("JOURNAL_THREADS", "3")
    settings = runpy.run_path(GUNICORN_CONF)
    assert settings["workers"] == 2 * multiprocessing.cpu_count()
    assert settings["threads"] == 3 and os.environ["JOURNAL_THREADS"] == "3"
    monkeypatch.delenv("JOURNAL_THREADS")
    assert runpy.run_path(GUNICORN_CONF)["threads"] == 1
    assert os.environ["JOURNAL_THREADS"] == "1"
