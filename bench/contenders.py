"""The codes a load benchmark compares, each on a fresh database of its own, seeded by
its own code: this checkout in-process through its write path, an older revision
(``BENCH_BASELINE``) through its sync API (``bench/baseline.py``)."""
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask

from baseline import Checkout, seed_baseline
from databases import fresh_database, migrate
from seed import analyze, ensure_users, grow_journal, hold_statistics
from writes import Writes


@dataclass
class Contender:
    """One code's app on a database of its own, seeded, and the writes the benchmark sent it."""
    checkout: Checkout
    database: str
    url: str
    users: list[tuple[uuid.UUID, str]]
    engine: sa.Engine
    writes: Writes = field(default_factory=Writes)
    #: This checkout's app on the contender's database (the large journal grows through
    #: it); None for an older revision, which runs only in its own processes.
    app: Flask | None = None

    @property
    def label(self) -> str:
        return f"{self.database} {self.checkout.code}"


@contextlib.contextmanager
def current_contender(name: str, checkout: Checkout, *, users: int, entries: int) -> Iterator[Contender]:
    """This checkout on a fresh database, seeded in-process through its write path; the
    app's context stays pushed while the contender is used (the large journal grows in it)."""
    from journal import create_app
    from journal.extensions import db

    with fresh_database(name) as url, tempfile.TemporaryDirectory(prefix="journal-bench-instance-") as instance:
        os.environ["JOURNAL_INSTANCE_PATH"] = instance
        migrate(url, instance)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-seed"})
        with app.app_context():
            started = time.perf_counter()
            patients = ensure_users(users)
            for patient in patients:
                grow_journal(patient[0], entries)
            hold_statistics(True)  # from here on, statistics change only when we say
            analyze()
            print(f"<!-- {name} {checkout.code}: seeded {users} x {entries:,} entries in "
                  f"{time.perf_counter() - started:.0f} s -->", flush=True)
            db.session.expunge_all()
            yield Contender(checkout, name, url, patients, db.engine, app=app)
            hold_statistics(False)
            db.session.remove()
            db.engine.dispose()


@contextlib.contextmanager
def baseline_contender(name: str, checkout: Checkout, *, users: int, entries: int,
                       workers: int) -> Iterator[Contender]:
    """An older revision on a fresh database, migrated and seeded by its own code."""
    with fresh_database(name) as url, tempfile.TemporaryDirectory(prefix="journal-bench-instance-") as instance:
        started = time.perf_counter()
        patients = seed_baseline(checkout, url, instance, users=users, entries=entries, workers=workers)
        engine = sa.create_engine(url)
        try:
            hold_statistics(True, engine)
            analyze(engine)
            print(f"<!-- {name} {checkout.code}: migrated and seeded {users} x {entries:,} entries through its "
                  f"sync API in {time.perf_counter() - started:.0f} s -->", flush=True)
            yield Contender(checkout, name, url, patients, engine)
            hold_statistics(False, engine)
        finally:
            engine.dispose()
