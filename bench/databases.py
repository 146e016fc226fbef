"""Databases for benchmarks: a temporary SQLite file, or a fresh PostgreSQL database
created next to ``JOURNAL_BENCH_DATABASE_URL`` and dropped after the run."""
import contextlib
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

PROJECT = Path(__file__).resolve().parent.parent


def postgres_url(url: str) -> sa.engine.URL:
    """The URL with the driver the app installs (psycopg 3), whatever the caller wrote."""
    parsed = sa.engine.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    """A SQLite file in a temporary folder, deleted after."""
    with tempfile.TemporaryDirectory(prefix="journal-bench-") as folder:
        yield f"sqlite:///{folder}/bench.sqlite"


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new database ``journal_bench_<random>`` on the server ``admin_url`` points at
    (the user needs CREATEDB), dropped after, even when the benchmark fails."""
    admin = postgres_url(admin_url)
    name = f"journal_bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield admin.set(database=name).render_as_string(hide_password=False)
        finally:
            with engine.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


def database_names() -> list[str]:
    """SQLite always; PostgreSQL too when ``JOURNAL_BENCH_DATABASE_URL`` is set."""
    return ["sqlite", "postgresql"] if os.environ.get("JOURNAL_BENCH_DATABASE_URL") else ["sqlite"]


def fresh_database(name: str) -> contextlib.AbstractContextManager[str]:
    """A new, empty database of the kind ``name`` (see ``database_names``), as a context."""
    if name == "postgresql":
        return postgres_database(os.environ["JOURNAL_BENCH_DATABASE_URL"])
    return sqlite_database()


def databases() -> Iterator[tuple[str, contextlib.AbstractContextManager[str]]]:
    """One fresh database of each kind in ``database_names()``."""
    for name in database_names():
        yield name, fresh_database(name)


def project_env(project: Path) -> dict[str, str]:
    """The environment for a process that must import ``journal`` from ``project``: its
    folder first on ``sys.path``, ahead of whichever checkout the venv installed."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(project), os.environ.get("PYTHONPATH")]))}


def migrate(url: str, instance_path: str, project: Path = PROJECT) -> None:
    """Bring the schema up with the app's own migrations (``project``'s), as a deployment does."""
    env = {**project_env(project), "JOURNAL_DATABASE_URL": url, "JOURNAL_INSTANCE_PATH": instance_path,
           "JOURNAL_SECRET_KEY": "bench-migrate"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "journal", "db", "upgrade"], cwd=project, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
