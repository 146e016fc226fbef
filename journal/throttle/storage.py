"""Rate-limit counters in the app's own database, for hosts without Redis.

A ``limits`` storage (the library under Flask-Limiter), so the same limits run on Redis
where ``JOURNAL_REDIS_URL`` is set and on SQLite or PostgreSQL otherwise. Each count is
one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` in its own short transaction: every
gunicorn worker (and every host, on PostgreSQL) shares it, and parallel requests
cannot read the same count and both pass.
"""
import threading
import time
from contextlib import contextmanager

import sqlalchemy as sa
from limits.storage import Storage

from journal.extensions import db

#: ``journal+db://`` selects this storage; the app's engine (``db.engine``) is used.
SCHEME = "journal+db"

_INCR = sa.text("""
    INSERT INTO rate_limit_counters (key, count, expires_at) VALUES (:key, :amount, :now + :expiry)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_counters.expires_at <= :now THEN :amount
                   ELSE rate_limit_counters.count + :amount END,
      expires_at = CASE WHEN rate_limit_counters.expires_at <= :now THEN :now + :expiry
                        ELSE rate_limit_counters.expires_at END
    RETURNING count""")


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_limit_counters`` table (see the module docstring)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._batch = threading.local()

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    @contextmanager
    def batch(self):
        """Run the counts inside this block in one transaction: one commit (one fsync on
        SQLite) for a log-in's several windows instead of one each. Each count is still
        one atomic statement."""
        if getattr(self._batch, "conn", None) is not None:
            yield
            return
        with db.engine.begin() as conn:
            self._batch.conn = conn
            try:
                yield
            finally:
                self._batch.conn = None

    @contextmanager
    def _transaction(self):
        conn = getattr(self._batch, "conn", None)
        if conn is not None:
            yield conn
        else:
            with db.engine.begin() as conn:
                yield conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self._transaction() as conn:
            return conn.execute(_INCR, {"key": key, "amount": amount, "now": time.time(),
                                        "expiry": expiry}).scalar_one()

    def get(self, key: str) -> int:
        with self._transaction() as conn:
            count = conn.execute(sa.text("SELECT count FROM rate_limit_counters WHERE key = :key "
                                         "AND expires_at > :now"), {"key": key, "now": time.time()}).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        with self._transaction() as conn:
            expiry = conn.execute(sa.text("SELECT expires_at FROM rate_limit_counters WHERE key = :key"),
                                  {"key": key}).scalar()
        return expiry or time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as conn:
            return conn.execute(sa.text("DELETE FROM rate_limit_counters")).rowcount

    def clear(self, key: str) -> None:
        with self._transaction() as conn:
            conn.execute(sa.text("DELETE FROM rate_limit_counters WHERE key = :key"), {"key": key})


def delete_expired() -> int:
    """Drop counters whose window has passed (the daily housekeeping command calls it)."""
    with db.engine.begin() as conn:
        return conn.execute(sa.text("DELETE FROM rate_limit_counters WHERE expires_at <= :now"),
                            {"now": time.time()}).rowcount
