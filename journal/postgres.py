"""PostgreSQL connections that cost fewer round trips: checked before use without one,
reading outside transactions, and keeping the statements psycopg prepared from one
request to the next.

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


class ReadsOutsideTransactionsCursor(psycopg.Cursor):
    """psycopg's cursor, running a plain read outside a transaction when none is open.

    At READ COMMITTED, PostgreSQL's default and this app's level, each statement reads a
    snapshot of its own, in a transaction or not: a ``SELECT`` sees the same rows either
    way. So a request that only reads needs no BEGIN and no COMMIT, two of a journal
    page's six round trips. The transaction begins, as psycopg begins it, at the first
    statement that may write or lock: anything but a plain ``SELECT`` (an ``INSERT``, a
    ``WITH``, a ``SELECT … FOR UPDATE``, whose lock must last until the commit). Every
    write is in a transaction, as before, and a request that wrote commits or rolls back
    as it did.

    Reads before the first write run outside it, which under READ COMMITTED changes
    nothing: a read was never protected from another request's commit, which is why
    the write path settles races with constraints and conditional writes. (A ``SELECT``
    that calls a function that writes or takes a transaction's lock would need its
    transaction; this app calls none.)
    """
    __slots__ = ()

    def execute(self, query, *args, **kwargs):
        connection = self.connection
        if not (_is_plain_read(query) and _between_transactions(connection)):
            return super().execute(query, *args, **kwargs)
        connection.autocommit = True  # allowed only between transactions, and costs no round trip
        try:
            return super().execute(query, *args, **kwargs)
        finally:
            # A connection the server dropped can no longer be changed: restoring it would
            # replace the server's own error with psycopg's "the connection is lost".
            if not connection.closed:
                connection.autocommit = False


def _is_plain_read(query) -> bool:
    """A ``SELECT`` that takes no row locks (a false "no" costs only a BEGIN)."""
    return isinstance(query, str) and query.startswith("SELECT") and " FOR " not in query


def _between_transactions(connection: psycopg.Connection) -> bool:
    """No transaction is open, and the next statement would open one at READ COMMITTED."""
    return (connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            and not connection.autocommit
            and connection.isolation_level in (None, psycopg.IsolationLevel.READ_COMMITTED))


class ReadAwareConnection(psycopg.Connection):
    """psycopg's connection, whose plain reads run outside transactions
    (``ReadsOutsideTransactionsCursor``).

    This also keeps psycopg's prepared statements from one request to the next: psycopg
    forgets them all on ROLLBACK, and SQLAlchemy ends every request's transaction with
    one; a request that only read now has no transaction to roll back.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cursor_factory = ReadsOutsideTransactionsCursor
