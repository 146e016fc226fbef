"""Load benchmark: the app under gunicorn on SQLite (and PostgreSQL when
``JOURNAL_BENCH_DATABASE_URL`` is set), seeded through the write path, driven over
loopback HTTP. Prints a Markdown table; asserts nothing (but exits 1 when an
acknowledged write was not stored exactly once). See bench/README.md.
"""
import contextlib
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

from baseline import Checkout, baseline_checkout, check_imports, current_code
from client import Patient, log_in_patients
from contenders import Contender, baseline_contender, current_contender
from databases import PROJECT, database_names
from explain import explain_hot_queries, seed_care_team
from drive import Run, closed_loop, open_loop, percentile
from machine import client_cpu_seconds, postgres_cpu_seconds, postgres_is_here
from medians import errors_cell, median_row
from seed import PASSWORD, analyze, grow_journal
from server import Server
from writes import Writes, check_writes


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
#: A git revision to run first, on its own database, beside this checkout ("" = none).
BASELINE = os.environ.get("BENCH_BASELINE", "")
WRITE_SHARE = 0.2
FEED = "/api/v1/entries?limit=20"

#: Rounds of the scenarios at ``ENTRIES``, taking turns with ``BASELINE``; medians printed after.
ROUNDS = setting("BENCH_ROUNDS", 3)

COLUMNS = ["database", *(["code"] if BASELINE else []), "round", "entries/user", "statistics", "scenario", "load",
           "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "SQL/req", "CPU ms/req",
           "PostgreSQL CPU ms/req", "client CPU ms/req"]
#: The cells that name a row's scenario (all before ``requests``, the round left out).
SCENARIO_CELLS = COLUMNS.index("requests") - 1


@dataclass
class Phase:
    database: str
    code: str
    #: Which round ("1", "2" …), as the table shows it.
    round: str
    #: Entries per patient, as the table shows them ("100,000, care team").
    entries: str
    statistics: str
    patients: list[Patient]


def scenarios(phase: Phase, writes: Writes):
    """(name, load, requests, run) for each scenario of a phase: ``requests`` are the
    names in ``REQUESTS`` it sends; ``run()`` returns a ``Run``."""
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
    everything = set(REQUESTS)
    yield "list 20 newest, HTML GET /", closed, {"html"}, lambda: closed_loop(html, connections=WORKERS, **limits)
    yield f"list 20 newest, JSON GET {FEED}", closed, {"feed"}, \
        lambda: closed_loop(feed, connections=WORKERS, **limits)
    yield "create, PUT new id", closed, {"create"}, lambda: closed_loop(create, connections=WORKERS, **limits)
    yield "mixed 80% read / 20% write", f"open, {RATE} req/s", everything, \
        lambda: open_loop(mixed, rate=RATE, **limits)
    yield "mixed 80% read / 20% write", f"closed, {CONNECTIONS} conn", everything, \
        lambda: closed_loop(mixed, connections=CONNECTIONS, **limits)


#: The requests the scenarios send, by the name ``scenarios`` gives them.
REQUESTS = {"html": "GET /", "feed": f"GET {FEED}", "create": "PUT /api/v1/entries/<new uuid>"}


def unserved(patient: Patient, writes: Writes) -> dict[str, str]:
    """Each of ``REQUESTS`` sent once; those the app did not answer with a 2xx, with the
    status it gave (an older revision may lack a route or a parameter)."""
    statuses = {"html": patient.request("GET", "/")[0], "feed": patient.request("GET", FEED)[0],
                "create": writes.put(patient, -1)}
    return {name: f"status {status}" for name, status in statuses.items() if not 200 <= status < 300}


def warm_up(patients: list[Patient]) -> None:
    """Templates compiled, connections pooled: 10 reads per patient (their answers ignored)."""
    for patient in patients:
        for path in ("/", FEED):
            for _ in range(5):
                patient.request("GET", path)


def measure(phase: Phase, server: Server, writes: Writes) -> list[list[str]]:
    missing = unserved(phase.patients[0], writes)
    for name, reason in missing.items():
        print(f"<!-- {phase.database} {phase.code}: n/a where a scenario sends {REQUESTS[name]}: "
              f"it answered {reason} -->", flush=True)
    warm_up(phase.patients)
    rows = []
    for name, load, requests, run_it in scenarios(phase, writes):
        row = [phase.database, *([phase.code] if BASELINE else []), phase.round, phase.entries, phase.statistics,
               name, load]
        if requests & missing.keys():
            rows.append(row + ["n/a"] * (len(COLUMNS) - len(row)))
        else:
            rows.append(row + figures(server, run_it, phase.database))
        print(markdown_row(rows[-1]), flush=True)
    return rows


def figures(server: Server, run_it, database: str) -> list[str]:
    """Run one scenario; its cells from requests to client CPU ms/req."""
    # PostgreSQL's processes are read from /proc only when they are this run's and on this machine.
    watch_postgres = database == "postgresql" and postgres_is_here()
    postgres_cpu = postgres_cpu_seconds if watch_postgres else lambda: 0.0
    before, postgres, client = server.totals(), postgres_cpu(), client_cpu_seconds()
    run: Run = run_it()
    after = server.totals()
    postgres, client = postgres_cpu() - postgres, client_cpu_seconds() - client
    served = max(1, after["requests"] - before["requests"])
    ms = [latency * 1000 for latency in run.latencies]
    return [str(run.completed), f"{run.rate:.0f}", f"{percentile(ms, 50):.1f}", f"{percentile(ms, 95):.1f}",
            f"{percentile(ms, 99):.1f}", errors_cell(run.errors),
            f"{(after['statements'] - before['statements']) / served:.1f}",
            f"{(after['cpu_ns'] - before['cpu_ns']) / served / 1e6:.1f}",
            f"{postgres * 1000 / served:.1f}" if watch_postgres else "n/a",
            f"{client * 1000 / max(1, run.completed):.1f}"]


def markdown_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def run_phase(checkout: Checkout, phase_args: dict, url: str, writes: Writes, users) -> list[list[str]]:
    """Start ``checkout``'s app on ``url``, log the patients in and run the scenarios."""
    with Server(url, WORKERS, checkout.project) as server:
        journal_file = server.journal_file()
        check_imports(journal_file, checkout)
        print(f"<!-- {phase_args['database']} {checkout.code}: gunicorn imported {journal_file} -->", flush=True)
        patients = log_in_patients(server.port, [email for _user_id, email in users], PASSWORD)
        return measure(Phase(code=checkout.code, patients=patients, **phase_args), server, writes)


def statistics(name: str) -> str:
    """The statistics column of a phase run right after seeding and ANALYZE."""
    return "fresh" if name == "postgresql" else "n/a"


def run_rounds(contenders: list[Contender]) -> None:
    """``ROUNDS`` rounds, each running every contender's scenarios in turn (so a machine
    that slows down for a while slows every code); then each scenario's median row."""
    rounds: dict[tuple, list[list[str]]] = defaultdict(list)
    for number in range(1, ROUNDS + 1):
        for contender in contenders:
            phase = {"database": contender.database, "round": str(number), "entries": f"{ENTRIES:,}",
                     "statistics": statistics(contender.database)}
            for row in run_phase(contender.checkout, phase, contender.url, contender.writes, contender.users):
                rounds[scenario_of(row)].append(row)
    if ROUNDS > 1:
        for rows in rounds.values():
            print(markdown_row(median_row(COLUMNS, rows, f"median of {ROUNDS}")), flush=True)


def scenario_of(row: list[str]) -> tuple[str, ...]:
    """The cells that name the row's code and scenario, whatever its round."""
    return tuple(cell for column, cell in zip(COLUMNS, row) if column != "round")[:SCENARIO_CELLS]


def bench_databases(names: list[str], current: Checkout, baseline: Checkout | None) -> bool:
    """Every phase on a fresh database of each kind in ``names``: the rounds, in which every
    code on every database takes its turn (so a slow stretch of the machine slows SQLite
    and PostgreSQL alike, and their ratio holds), then the large journal on each; False
    when a write was lost or stored twice."""
    with contextlib.ExitStack() as stack:
        sizes = {"users": USERS, "entries": ENTRIES}
        contenders, these = [], []
        for name in names:
            if baseline:
                contenders.append(stack.enter_context(baseline_contender(name, baseline, workers=WORKERS, **sizes)))
            these.append(stack.enter_context(current_contender(name, current, **sizes)))
            contenders.append(these[-1])
        run_rounds(contenders)
        if LARGE:
            for this in these:
                with this.app.app_context():
                    bench_large_journal(this)
        return all([check_writes(contender.label, contender.engine, contender.writes) for contender in contenders])


def bench_large_journal(this: Contender) -> None:
    """The first patient's journal at ``ENTRIES`` and again grown to ``LARGE_ENTRIES``,
    with a care team both times (the EXPLAINs need one, and a card with sharing controls
    draws more than one without): the two pages differ only in how many entries lie behind
    them. On PostgreSQL the grown journal runs with the statistics of ``ENTRIES`` (stale),
    then again after ANALYZE (fresh)."""
    from journal.extensions import db

    checkout, name, url, writes, user = this.checkout, this.database, this.url, this.writes, this.users[0]
    postgres, fresh = name == "postgresql", statistics(name)
    team = ", care team"
    therapist_id = seed_care_team(user[0])
    analyze()
    db.session.expunge_all()
    run_phase(checkout, {"database": name, "round": "1", "entries": f"{ENTRIES:,}{team}", "statistics": fresh}, url,
              writes, [user])
    started = time.perf_counter()
    grow_journal(user[0], LARGE_ENTRIES)
    # Shares and Trash across the older entries too, for the EXPLAINs; counted from the
    # newest entry, so the newest page keeps the ones it had.
    seed_care_team(user[0])
    print(f"<!-- {this.label}: grew {user[1]} to {LARGE_ENTRIES:,} entries in "
          f"{time.perf_counter() - started:.0f} s -->", flush=True)
    db.session.expunge_all()
    large = {"database": name, "round": "1", "entries": f"{LARGE_ENTRIES:,}{team}"}
    if postgres:  # statistics still say every journal has ~1,000 entries
        run_phase(checkout, {**large, "statistics": f"stale ({ENTRIES:,})"}, url, writes, [user])
        explained = [explain_hot_queries(user[0], therapist_id, f"{LARGE_ENTRIES:,} entries, stale statistics")]
        analyze()
        explained.append(explain_hot_queries(user[0], therapist_id, f"{LARGE_ENTRIES:,} entries, fresh statistics",
                                             sql=False))
    run_phase(checkout, {**large, "statistics": fresh}, url, writes, [user])
    if postgres:
        print("\n" + "\n".join(explained), flush=True)


def main() -> int:
    print(f"<!-- {os.cpu_count()} CPUs, {WORKERS} gunicorn sync workers, {SECONDS} s or {MAX_REQUESTS:,} requests "
          f"per scenario, {USERS} patients, {ROUNDS} rounds; client and server share the machine -->")
    with baseline_checkout(BASELINE) if BASELINE else contextlib.nullcontext() as baseline:
        current = Checkout(current_code(), PROJECT)
        if baseline:
            print(f"<!-- code: {baseline.code} is BENCH_BASELINE={BASELINE} (git archive, this venv), "
                  f"{current.code} this checkout; each on a fresh database -->")
        print(markdown_row(COLUMNS))
        print(markdown_row(["---"] * len(COLUMNS)), flush=True)
        ok = bench_databases(database_names(), current, baseline)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
