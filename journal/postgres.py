"""PostgreSQL connections that cost fewer round trips: checked before use without one, and
keeping the statements psycopg prepared from one request to the next.

Only pool and dialect hooks are used, not SQLAlchemy's connection events: one listener
on those makes every statement go through SQLAlchemy's event dispatch (about 2 % of a
create, counted by callgrind).
"""
import select
import time

import psycopg
import sqlalchemy as sa

#: A connection idle in the pool longer than this is pinged before use.
PING_AFTER_IDLE_SECONDS = 10.0


def configure(engine: sa.Engine) -> None:
    """Set up ``engine``'s PostgreSQL connections as this module describes."""
    check_connections_before_use(engine)

    @sa.event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams):
        return ReadAwareConnection.connect(*cargs, **cparams)


def check_connections_before_use(engine: sa.Engine) -> None:
    """A pooled connection the server has dropped is replaced before a request uses it.

    SQLAlchemy's ``pool_pre_ping`` sends an empty query on every checkout: a round trip
    on every request. A server that ends a connection (a restart, ``pg_terminate_backend``,
    an idle timeout) says so on its socket: it sends its last error and closes. So an idle
    connection with something to read is one the server has ended, and looking costs one
    ``poll``, not a round trip. A connection that waited in the pool longer than
    ``PING_AFTER_IDLE_SECONDS`` is pinged as well, as ``pool_pre_ping`` would: after such
    a wait the round trip costs nothing that matters. A failed ping raises
    ``DisconnectionError``, on which the pool opens a new connection instead of handing
    out the dead one.
    """
    @sa.event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy):
        idle = time.monotonic() - record.info.get("idle_since", 0.0)
        if idle > PING_AFTER_IDLE_SECONDS or _server_has_spoken(dbapi_connection):
            _ping(engine, dbapi_connection)

    @sa.event.listens_for(engine, "connect")
    @sa.event.listens_for(engine, "checkin")
    def _note_idle(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()


def _server_has_spoken(dbapi_connection) -> bool:
    """Whether an idle connection's socket has something to read: the server's goodbye.
    An idle connection of this app gets nothing else (it never LISTENs)."""
    try:
        socket = dbapi_connection.fileno()
    except psycopg.Error:  # closed on our side already
        return True
    poller = select.poll()
    poller.register(socket, select.POLLIN)
    return bool(poller.poll(0))


def _ping(engine: sa.Engine, dbapi_connection) -> None:
    """The ping ``pool_pre_ping`` sends (an empty query, outside any transaction).

    :raise sa.exc.DisconnectionError: when the server does not answer.
    """
    try:
        engine.dialect.do_ping(dbapi_connection)
    except psycopg.Error as error:
        raise sa.exc.DisconnectionError(str(error)) from error


class WriteNotingCursor(psycopg.Cursor):
    """psycopg's cursor, telling its connection when a statement in a transaction may
    write (in autocommit, as the ping runs, a statement is a transaction of its own)."""
    __slots__ = ()

    def execute(self, query, *args, **kwargs):
        if not (isinstance(query, str) and query.startswith("SELECT")) and not self.connection.autocommit:
            self.connection.wrote = True
        return super().execute(query, *args, **kwargs)

    def executemany(self, *args, **kwargs):
        self.connection.wrote = True
        return super().executemany(*args, **kwargs)

    def copy(self, *args, **kwargs):
        self.connection.wrote = True
        return super().copy(*args, **kwargs)


class ReadAwareConnection(psycopg.Connection):
    """psycopg's connection, ending a transaction that only read with COMMIT.

    For such a transaction COMMIT and ROLLBACK are the same, but psycopg forgets every
    statement it prepared on ROLLBACK. Most requests only read, and SQLAlchemy ends
    their transaction with a ROLLBACK, so every statement would be parsed and planned
    again on every request: about half of what PostgreSQL spends on a journal page.

    A statement that does not start with ``SELECT`` counts as a write (``WITH``, a
    ``COPY``, anything run with ``executemany``): a transaction with one, or one in
    error, is rolled back as asked. (A ``SELECT`` that calls a function that writes would
    count as a read; this app calls none. Row locks of ``SELECT … FOR UPDATE`` end with
    either.)
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursor_factory = WriteNotingCursor
        #: Whether the open transaction ran a statement that may have written.
        self.wrote = False

    def commit(self) -> None:
        super().commit()
        self.wrote = False

    def rollback(self) -> None:
        if not self.wrote and self.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS:
            super().commit()
        else:
            super().rollback()
        self.wrote = False
