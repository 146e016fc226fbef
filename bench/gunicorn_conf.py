"""gunicorn settings for ``bench/load.py``: each worker counts its requests, SQL
statements and CPU time into a small shared file the benchmark reads.

Nothing in ``journal/`` knows about it: statements are counted by a SQLAlchemy event on
the ``Engine`` class, registered in ``post_fork`` only when
``JOURNAL_BENCH_COUNT_STATEMENTS=1``; the file is named by ``JOURNAL_BENCH_STATS``.
"""
import mmap
import os
import struct
import sys
import time

#: One slot per worker (by gunicorn's worker age); a slot is pid, requests, statements, CPU ns.
SLOTS = 64
SLOT = struct.Struct("<4q")
SIZE = SLOTS * SLOT.size
#: Logged by each worker, followed by the path of the ``journal`` package it loaded.
JOURNAL_IMPORTED = "journal imported from "

_stats: mmap.mmap | None = None
_slot = 0
_requests = 0
_statements = 0


def _count_statement(*_args) -> None:
    global _statements
    _statements += 1


def post_fork(server, worker):
    """In the new worker: open the stats file and start counting statements."""
    global _stats, _slot
    path = os.environ.get("JOURNAL_BENCH_STATS")
    if not path:
        return
    with open(path, "r+b") as handle:
        _stats = mmap.mmap(handle.fileno(), SIZE)
    _slot = worker.age % SLOTS
    if os.environ.get("JOURNAL_BENCH_COUNT_STATEMENTS") == "1":
        import sqlalchemy as sa

        sa.event.listen(sa.engine.Engine, "before_cursor_execute", _count_statement)


def post_worker_init(worker):
    """After the worker loaded the app: log which ``journal`` it imported, so a benchmark
    of an older checkout can check it is not running the installed one."""
    worker.log.info("%s%s", JOURNAL_IMPORTED, sys.modules["journal"].__file__)


def post_request(worker, req, environ, resp):
    """After the response is sent: publish this worker's totals (a sync worker runs one
    request at a time, so nothing else writes its slot)."""
    global _requests
    _requests += 1
    if _stats is not None:
        SLOT.pack_into(_stats, _slot * SLOT.size, os.getpid(), _requests, _statements, time.process_time_ns())


def read_totals(path: str) -> dict[str, int]:
    """Requests, statements and CPU ns summed over every worker that wrote the file."""
    with open(path, "rb") as handle:
        data = handle.read(SIZE)
    totals = {"requests": 0, "statements": 0, "cpu_ns": 0}
    for pid, requests, statements, cpu_ns in SLOT.iter_unpack(data):
        if pid:
            totals["requests"] += requests
            totals["statements"] += statements
            totals["cpu_ns"] += cpu_ns
    return totals
