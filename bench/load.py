"""Load benchmark: the app under gunicorn on SQLite (and PostgreSQL when
``JOURNAL_BENCH_DATABASE_URL`` is set), seeded through the write path, driven over
loopback HTTP. Prints a Markdown table; asserts nothing (but exits 1 when an
acknowledged write was not stored exactly once). See bench/README.md.
"""
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from client import Patient
from databases import databases, migrate
from explain import explain_hot_queries, seed_care_team
from drive import Run, closed_loop, open_loop, percentile
from seed import PASSWORD, analyze, ensure_users, grow_journal, hold_statistics
from server import Server


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


WORKERS = setting("BENCH_WORKERS", 2)
RATE = setting("BENCH_RATE", 300)
SECONDS = setting("BENCH_SECONDS", 8)
MAX_REQUESTS = setting("BENCH_MAX_REQUESTS", 5_000)
CONNECTIONS = setting("BENCH_CONNECTIONS", 16)
USERS = setting("BENCH_USERS", 3)
ENTRIES = setting("BENCH_ENTRIES", 1_000)
LARGE = setting("BENCH_LARGE", 0)
LARGE_ENTRIES = setting("BENCH_LARGE_ENTRIES", 100_000)
WRITE_SHARE = 0.2
FEED = "/api/v1/entries?limit=20"

COLUMNS = ["database", "entries/user", "statistics", "scenario", "load", "requests", "req/s",
           "p50 ms", "p95 ms", "p99 ms", "errors", "SQL/req", "CPU ms/req"]


@dataclass
class Phase:
    database: str
    entries: int
    statistics: str
    patients: list[Patient]


class Writes:
    """Ids of the entries the benchmark PUT, and which of them were answered 201."""

    def __init__(self):
        self.sent: list[uuid.UUID] = []
        self.acknowledged: list[uuid.UUID] = []

    def put(self, patient: Patient, index: int) -> int:
        status, entry_id = patient.put_new_entry(f"bench write {index}: " + "a calmer morning. " * 20)
        self.sent.append(entry_id)
        if status == 201:
            self.acknowledged.append(entry_id)
        return status


def exactly_once(acknowledged: list[uuid.UUID], stored: dict[uuid.UUID, int]) -> tuple[list, list]:
    """(missing, duplicated): acknowledged ids stored no time, and ids stored more than once."""
    missing = [entry_id for entry_id in acknowledged if stored.get(entry_id, 0) == 0]
    duplicated = [entry_id for entry_id, count in stored.items() if count > 1]
    return missing, duplicated


def stored_counts(ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    from journal.entries.models import Entry
    from journal.extensions import db

    counts: dict[uuid.UUID, int] = {}
    for start in range(0, len(ids), 500):
        rows = db.session.execute(sa.select(Entry.id, sa.func.count()).where(Entry.id.in_(ids[start:start + 500]))
                                  .group_by(Entry.id))
        counts.update({entry_id: count for entry_id, count in rows})
    db.session.rollback()
    return counts


def scenarios(phase: Phase, writes: Writes):
    """(name, load, run) for each scenario of a phase; ``run()`` returns a ``Run``."""
    patients = phase.patients

    def pick(index: int) -> Patient:
        return patients[index % len(patients)]

    def html(index):
        return pick(index).request("GET", "/")[0]

    def feed(index):
        return pick(index).request("GET", FEED)[0]

    def create(index):
        return writes.put(pick(index), index)

    def mixed(index):
        draw = random.Random(index).random()
        if draw < WRITE_SHARE:
            return create(index)
        return html(index) if draw < (1 + WRITE_SHARE) / 2 else feed(index)

    limits = {"seconds": SECONDS, "max_requests": MAX_REQUESTS}
    closed = f"closed, {WORKERS} conn"
    yield "list 20 newest, HTML GET /", closed, lambda: closed_loop(html, connections=WORKERS, **limits)
    yield f"list 20 newest, JSON GET {FEED}", closed, lambda: closed_loop(feed, connections=WORKERS, **limits)
    yield "create, PUT new id", closed, lambda: closed_loop(create, connections=WORKERS, **limits)
    yield "mixed 80% read / 20% write", f"open, {RATE} req/s", lambda: open_loop(mixed, rate=RATE, **limits)
    yield "mixed 80% read / 20% write", f"closed, {CONNECTIONS} conn", \
        lambda: closed_loop(mixed, connections=CONNECTIONS, **limits)


def measure(phase: Phase, server: Server, writes: Writes) -> list[list[str]]:
    for patient in phase.patients:  # warm up: templates compiled, connections pooled
        for path in ("/", FEED):
            for _ in range(5):
                patient.request("GET", path)
    rows = []
    for name, load, run_it in scenarios(phase, writes):
        before = server.totals()
        run: Run = run_it()
        after = server.totals()
        served = max(1, after["requests"] - before["requests"])
        ms = [latency * 1000 for latency in run.latencies]
        rows.append([phase.database, f"{phase.entries:,}", phase.statistics, name, load, str(run.completed),
                     f"{run.rate:.0f}", f"{percentile(ms, 50):.1f}", f"{percentile(ms, 95):.1f}",
                     f"{percentile(ms, 99):.1f}", _errors(run.errors),
                     f"{(after['statements'] - before['statements']) / served:.1f}",
                     f"{(after['cpu_ns'] - before['cpu_ns']) / served / 1e6:.1f}"])
        print(markdown_row(rows[-1]), flush=True)
    return rows


def _errors(errors: Counter) -> str:
    if not errors:
        return "0"
    return f"{sum(errors.values())} (" + ", ".join(f"{kind}: {n}" for kind, n in errors.most_common()) + ")"


def markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def run_phase(phase_args: dict, url: str, writes: Writes, users) -> list[list[str]]:
    with Server(url, WORKERS) as server:
        patients = []
        for _user_id, email in users:
            patient = Patient(server.port, email, PASSWORD)
            patient.log_in()
            patients.append(patient)
        return measure(Phase(patients=patients, **phase_args), server, writes)


def bench_database(name: str, url: str) -> bool:
    """All phases on one database; False when a write was lost or stored twice."""
    from journal import create_app
    from journal.extensions import db

    migrate(url, os.environ["JOURNAL_INSTANCE_PATH"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-seed"})
    writes = Writes()
    postgres = name == "postgresql"
    with app.app_context():
        started = time.perf_counter()
        users = ensure_users(USERS)
        for user in users:
            grow_journal(user[0], ENTRIES)
        hold_statistics(True)  # from here on, statistics change only when we say
        analyze()
        print(f"<!-- {name}: seeded {USERS} x {ENTRIES:,} entries in {time.perf_counter() - started:.0f} s -->",
              flush=True)
        db.session.expunge_all()
        fresh = "fresh" if postgres else "n/a"
        run_phase({"database": name, "entries": ENTRIES, "statistics": fresh}, url, writes, users)
        if LARGE:
            started = time.perf_counter()
            grow_journal(users[0][0], LARGE_ENTRIES)
            print(f"<!-- {name}: grew {users[0][1]} to {LARGE_ENTRIES:,} entries in "
                  f"{time.perf_counter() - started:.0f} s -->", flush=True)
            therapist_id = seed_care_team(users[0][0])
            db.session.expunge_all()
            large = {"database": name, "entries": LARGE_ENTRIES}
            if postgres:  # statistics still say every journal has ~1,000 entries
                run_phase({**large, "statistics": f"stale ({ENTRIES:,})"}, url, writes, users[:1])
                explained = [explain_hot_queries(users[0][0], therapist_id,
                                                 f"{LARGE_ENTRIES:,} entries, stale statistics")]
                analyze()
                explained.append(explain_hot_queries(users[0][0], therapist_id,
                                                    f"{LARGE_ENTRIES:,} entries, fresh statistics", sql=False))
            run_phase({**large, "statistics": fresh}, url, writes, users[:1])
            if postgres:
                print("\n" + "\n".join(explained), flush=True)
        missing, duplicated = exactly_once(writes.acknowledged, stored_counts(writes.sent))
        unacknowledged = len(set(stored_counts(writes.sent)) - set(writes.acknowledged))
        print(f"<!-- {name}: {len(writes.acknowledged):,} writes acknowledged (201): {len(missing)} missing, "
              f"{len(duplicated)} stored twice; {unacknowledged} stored without a 201 -->", flush=True)
        hold_statistics(False)
        db.session.remove()
        db.engine.dispose()
    return not missing and not duplicated


def main() -> int:
    print(f"<!-- {os.cpu_count()} CPUs, {WORKERS} gunicorn sync workers, {SECONDS} s or {MAX_REQUESTS:,} requests "
          f"per scenario, {USERS} patients; client and server share the machine -->")
    print(markdown_row(COLUMNS))
    print(markdown_row(["---"] * len(COLUMNS)), flush=True)
    ok = True
    for name, database in databases():
        with database as url, tempfile.TemporaryDirectory(prefix="journal-bench-instance-") as instance:
            os.environ["JOURNAL_INSTANCE_PATH"] = instance
            ok = bench_database(name, url) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
