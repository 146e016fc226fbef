"""Instructions per request, counted by callgrind: the journal page, the first page of the
changes feed and a create, in-process, for this checkout and for ``BENCH_BASELINE``.

Time on a shared 2-core machine moves 10–20 % between runs of the same code, and more
between machines; the number of instructions a request executes does not (the same code
gives the same count to within 0.1 %). So this is the figure to compare two revisions
by: a ratio here is what the code changed, not what the machine did. It leaves out what
only a server has (gunicorn, the network, PostgreSQL's own processes), which ``make bench``
measures.

Each code gets a fresh database (SQLite, and PostgreSQL when ``JOURNAL_BENCH_DATABASE_URL``
is set, as for ``make bench``), migrated and seeded by its own code as
``bench/baseline.py`` seeds (one patient, ``BENCH_ENTRIES`` entries through the sync
API); ``bench/instructions_driver.py`` then runs in that code's folder under
``valgrind --tool=callgrind``, once per scenario. Needs valgrind (Debian: ``apt-get
install valgrind``). Prints a Markdown table; asserts nothing.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from baseline import Checkout, baseline_checkout, current_code, seed_baseline
from databases import PROJECT, database_names, fresh_database, project_env
from seed import PASSWORD, bench_email

BENCH = Path(__file__).resolve().parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 20))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", 1_000))
BASELINE = os.environ.get("BENCH_BASELINE", "")
#: The driver's scenarios, in the order they run: the create last, as it adds entries.
SCENARIOS = {"page": "journal page, GET /", "feed": "changes feed, GET /api/v1/entries?limit=20",
             "create": "create, PUT new id"}


def instructions_per_request(checkout: Checkout, database: str) -> dict[str, int]:
    """Each scenario's instructions per request for ``checkout``, on a fresh database of
    the kind ``database`` of its own."""
    with fresh_database(database) as url, tempfile.TemporaryDirectory(prefix="journal-bench-instance-") as instance:
        seed_baseline(checkout, url, instance, users=1, entries=ENTRIES, workers=2)
        return {name: count(checkout, url, instance, name) // REQUESTS for name in SCENARIOS}


def count(checkout: Checkout, url: str, instance: str, scenario: str) -> int:
    """The instructions of ``REQUESTS`` requests of ``scenario``, as callgrind counts them."""
    with tempfile.TemporaryDirectory(prefix="journal-bench-callgrind-") as folder:
        out = Path(folder) / "callgrind.out"
        env = {**project_env(checkout.project), "JOURNAL_DATABASE_URL": url, "JOURNAL_INSTANCE_PATH": instance,
               "JOURNAL_SECRET_KEY": "bench-instructions", "BENCH_SCENARIO": scenario,
               "BENCH_REQUESTS": str(REQUESTS), "BENCH_EMAIL": bench_email(0), "BENCH_PASSWORD": PASSWORD}
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                        sys.executable, str(BENCH / "instructions_driver.py")],
                       cwd=checkout.project, env=env, check=True, capture_output=True, timeout=1800)
        totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
        return int(totals[0].split()[1])


def main() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    print(f"<!-- in-process, {ENTRIES:,} entries, {REQUESTS} requests per scenario after 20 to warm up -->")
    for database in database_names():
        counts = {}
        if BASELINE:
            with baseline_checkout(BASELINE) as old:
                counts[old.code] = instructions_per_request(old, database)
        this = Checkout(current_code(), PROJECT)
        counts[this.code] = instructions_per_request(this, database)
        print_table(database, counts)


def print_table(database: str, counts: dict[str, dict[str, int]]) -> None:
    """A Markdown table: a row per scenario, a column per code, and their ratio for two."""
    codes = list(counts)
    compare = len(codes) == 2
    header = [f"{code}: instructions/request" for code in codes] + ([f"{codes[1]} ÷ {codes[0]}"] if compare else [])
    print(f"\n| {database}: scenario | " + " | ".join(header) + " |")
    print("| --- |" + " --- |" * len(header))
    for name, label in SCENARIOS.items():
        cells = [f"{counts[code][name]:,}" for code in codes]
        if compare:
            cells.append(f"{counts[codes[1]][name] / counts[codes[0]][name]:.2f}")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)

if __name__ == "__main__":
    main()
