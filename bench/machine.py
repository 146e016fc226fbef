"""CPU time the rest of the machine spends on a scenario: PostgreSQL's processes (when the
server runs here) and this benchmark's own client threads. With the workers' CPU
(``bench/gunicorn_conf.py``) they account for where the two cores go."""
import os
import time
from pathlib import Path

import sqlalchemy as sa

_TICKS = os.sysconf("SC_CLK_TCK")


def postgres_is_here() -> bool:
    """Whether ``JOURNAL_BENCH_DATABASE_URL`` names a server on this machine (loopback or
    a socket), whose processes ``postgres_cpu_seconds`` can see."""
    url = os.environ.get("JOURNAL_BENCH_DATABASE_URL")
    return bool(url) and sa.engine.make_url(url).host in (None, "", "127.0.0.1", "localhost", "::1")


def postgres_cpu_seconds() -> float:
    """User + system CPU of every ``postgres`` process on this machine, alive now (a
    backend that exited in between is missed: the benchmark's connections stay open)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        name, _, rest = text.partition(" (")[2].rpartition(") ")
        if name == "postgres":
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / _TICKS


def client_cpu_seconds() -> float:
    """This process's CPU (every thread): the load generator's cost."""
    return time.process_time()
