"""Engine set-up that differs per database."""
import sqlalchemy as sa
from flask import Flask

from journal.extensions import db


def configure_engine(app: Flask) -> None:
    """SQLite gets WAL (readers never block the writer), a busy timeout and foreign keys."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def insert_ignoring_conflict(model) -> sa.Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` for this database: a row that a concurrent
    request inserted first is left as it is, and nobody gets a unique-key error."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def database_is_up() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False
