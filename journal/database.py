"""Engine set-up that differs per database."""
import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from journal import postgres
from journal.extensions import db

#: SQLite keeps recent writes in -wal and shared memory in -shm: both hold journal text.
SQLITE_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def configure_engine(app: Flask) -> None:
    """Requests keep what they loaded across a commit; PostgreSQL's connections are checked
    and keep their prepared statements (``journal.postgres``); SQLite gets WAL (readers
    never block the writer), a busy timeout and foreign keys."""
    app.before_request(keep_loaded_objects_after_commit)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        postgres.configure(engine)
    if engine.dialect.name != "sqlite":
        return

    database_file = engine.url.database

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        restrict_sqlite_files(database_file)


def restrict_sqlite_files(database_file: str | None) -> None:
    """Make the database and its -wal/-shm files readable by their owner only (0600).

    The umask set in ``create_app`` covers files this process creates; this covers
    files made before it (older versions, another tool) once WAL mode has made them.
    """
    if not database_file or database_file == ":memory:" or database_file.startswith("file:"):
        return
    for suffix in SQLITE_FILE_SUFFIXES:
        path = Path(database_file + suffix)
        try:
            if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except FileNotFoundError:
            continue


def keep_loaded_objects_after_commit() -> None:
    """A request's session does not expire what it loaded when it commits.

    A request commits once and then answers from what it has: expiring would only make
    the answer (its headers, its page) read the same rows again. What must be current is
    read on purpose (the write path re-reads its entry under the patient's lock).
    """
    db.session().expire_on_commit = False


def insert_with_on_conflict(model):
    """This database's ``INSERT`` that knows ``ON CONFLICT`` (PostgreSQL's or SQLite's)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def insert_ignoring_conflict(model) -> sa.Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` for this database: a row that a concurrent
    request inserted first is left as it is, and nobody gets a unique-key error."""
    return insert_with_on_conflict(model).on_conflict_do_nothing()


def database_is_up() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
