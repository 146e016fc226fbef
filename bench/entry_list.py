"""Benchmark: journal page render time and SQL statements as a journal grows.

Prints figures; asserts nothing; in-process (Flask's test client), so it shows the cost of
the page alone. Run with `make bench-entry-list` (SQLite in a temp dir; PostgreSQL too, in a
fresh database dropped after, when JOURNAL_BENCH_DATABASE_URL is set). `make bench` runs
the load benchmark, bench/load.py.
"""
import statistics
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

from databases import databases
from journal import create_app
from journal.auth.models import User
from journal.entries.models import ActionStep
from journal.entries.writes import Prefill, write_entry
from journal.extensions import db
from journal.timeutil import utcnow

SIZES = [100, 1_000, 10_000]
REPEATS = 20


def build(app, count: int) -> User:
    user = User(email=f"bench{count}@example.org", display_name="Bench", password_hash="x")
    db.session.add(user)
    db.session.flush()
    now = utcnow()
    for n in range(count):  # through the one write path, as the app writes
        write_entry(user.id, uuid.uuid4(), Prefill({
            "insights": f"entry {n} " * 40, "mood": n % 10 + 1, "emotions": ["awe"],
            "written_at": now - timedelta(minutes=n), "action_steps": [ActionStep(text=f"step {n}", position=0)]}))
    db.session.commit()
    return user


def main() -> None:
    for _name, database in databases():
        with database as url:
            measure(url)


def measure(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        print(f"database: {db.engine.dialect.name}")
        print(f"{'entries':>8} {'median ms':>10} {'p95 ms':>8} {'statements':>10}")
        for size in SIZES:
            user = build(app, size)
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(user.id)
                session["_fresh"] = True
            timings, statements = [], []

            def count(*_):
                statements.append(1)

            sa.event.listen(db.engine, "before_cursor_execute", count)
            for _ in range(REPEATS):
                statements.clear()
                start = time.perf_counter()
                with app.app_context():  # a request of its own, as in production
                    assert client.get("/").status_code == 200
                timings.append((time.perf_counter() - start) * 1000)
            sa.event.remove(db.engine, "before_cursor_execute", count)
            timings.sort()
            print(f"{size:>8} {statistics.median(timings):>10.1f} {timings[int(REPEATS * .95) - 1]:>8.1f} "
                  f"{len(statements):>10}")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
