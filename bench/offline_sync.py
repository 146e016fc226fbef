"""Offline sync benchmark: Chromium queues 1,000 entries in its outbox while offline
(through the page's own outbox.js), goes online, and we time until the server holds all
of them. The app runs under gunicorn (``BENCH_WORKERS`` sync workers) on SQLite, and on
PostgreSQL too when ``JOURNAL_BENCH_DATABASE_URL`` is set. With ``BENCH_BASELINE=<rev>``, that
revision runs first on each database (its own files, migrations, account and outbox.js, as
``make bench`` does). Prints one line per database and code; asserts nothing, but exits 1 when
an entry is missing or stored twice."""
import contextlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

from baseline import baseline_checkout, check_imports, create_users, current_code
from databases import PROJECT, database_names, fresh_database, migrate
from seed import PASSWORD, ensure_users
from server import Server

CHROMIUM = "/usr/bin/chromium"
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
COUNT = int(os.environ.get("BENCH_OFFLINE_ENTRIES", 1_000))
LIMIT = 300.0
BASELINE = os.environ.get("BENCH_BASELINE", "")
OUTBOX_MODULE = ("import(performance.getEntriesByType('resource').map((entry) => entry.name)"
                 ".find((name) => name.includes('/static/js/outbox.js')))")
QUEUE = """async ([ids]) => {
  const outbox = await %s;
  for (const [n, id] of ids.entries()) await outbox.saveEntry(id, { insights: `Offline ${n}`, mood: 6 }, null);
}""" % OUTBOX_MODULE


def stored(engine, owner_id) -> list[str]:
    """The owner's entry ids, in the Trash or not (plain SQL: the baseline's models may differ)."""
    with engine.connect() as connection:
        query = (sa.text("SELECT id FROM entries WHERE owner_id = :owner")
                 .bindparams(sa.bindparam("owner", type_=sa.Uuid)).columns(id=sa.Uuid))
        return [str(i) for i in connection.scalars(query, {"owner": owner_id})]


def wait_for_service_worker(page) -> None:
    for _ in range(300):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    raise RuntimeError("the service worker never took the page")


def log_in(context, base_url: str, email: str):
    """A page of ``context`` logged in as the patient through the login form, on the journal."""
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
    return page


def sync_seconds(browser, base_url: str, email: str, engine, owner_id) -> tuple[float, int, int]:
    """Seconds until all COUNT entries are stored; (seconds, stored, distinct ids)."""
    context = browser.new_context()
    page = log_in(context, base_url, email)
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    ids = [str(uuid.uuid4()) for _ in range(COUNT)]
    page.evaluate(QUEUE, [ids])
    context.set_offline(False)
    start = time.monotonic()
    while time.monotonic() - start < LIMIT and len(stored(engine, owner_id)) < COUNT:
        time.sleep(0.05)
    seconds = time.monotonic() - start
    rows = stored(engine, owner_id)
    context.close()
    return seconds, len(rows), len(set(rows) & set(ids))


def one_patient(url: str, instance: str, checkout) -> tuple[uuid.UUID, str]:
    """Migrate ``url`` with the code's own migrations and make its one patient."""
    if checkout is not None:
        migrate(url, instance, checkout.project)
        [(owner_id, email)] = create_users(checkout, url, 1)
        return owner_id, email
    from journal import create_app

    migrate(url, instance)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-seed"})
    with app.app_context():
        [(owner_id, email)] = ensure_users(1)
    return owner_id, email


def code_of(checkout) -> str:
    """How the output names the code: the baseline's revision, or this checkout's."""
    return checkout.code if checkout is not None else current_code()


@contextlib.contextmanager
def serving(database, checkout) -> Iterator[tuple[str, str, uuid.UUID, str]]:
    """The code (``checkout``'s, or this checkout's when None) under gunicorn on the fresh
    ``database``, migrated by its own migrations, with one patient:
    (base URL, database URL, the patient's id, their email)."""
    with database as url, tempfile.TemporaryDirectory(prefix="journal-bench-instance-") as instance:
        os.environ["JOURNAL_INSTANCE_PATH"] = instance
        owner_id, email = one_patient(url, instance, checkout)
        with Server(url, WORKERS, checkout.project if checkout is not None else PROJECT) as server:
            if checkout is not None:
                check_imports(server.journal_file(), checkout)
            yield f"http://127.0.0.1:{server.port}", url, owner_id, email


def run(browser, name: str, database, checkout) -> bool:
    """One code on one fresh database: prints its line; whether every entry arrived once."""
    with serving(database, checkout) as (base_url, url, owner_id, email):
        engine = sa.create_engine(url)
        seconds, rows, matched = sync_seconds(browser, base_url, email, engine, owner_id)
        engine.dispose()
    print(f"{name} {code_of(checkout)}: {COUNT:,} offline entries reached the server in {seconds:.1f} s "
          f"({rows:,} stored, {matched:,} of ours)", flush=True)
    return rows == matched == COUNT


def main() -> int:
    from playwright.sync_api import sync_playwright

    ok = True
    print(f"<!-- {os.cpu_count()} CPUs, {WORKERS} gunicorn sync workers; Chromium and server share the machine -->")
    with sync_playwright() as playwright, \
            (baseline_checkout(BASELINE) if BASELINE else contextlib.nullcontext()) as baseline:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        for name in database_names():
            if baseline is not None:
                ok = run(browser, name, fresh_database(name), baseline) and ok
            ok = run(browser, name, fresh_database(name), None) and ok
        browser.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
