"""An older revision of the app for ``BENCH_BASELINE=<rev>``: its files from ``git archive``
in a temporary folder, and a fresh database migrated and seeded by its own code, so that
``bench/load.py`` runs the same scenarios against it and against this checkout.

The old app runs with this checkout's venv (its dependencies are a subset of today's) and
its own folder first on ``sys.path``; ``Server`` and ``check_imports`` make sure the
``journal`` package gunicorn loads is the old one, not the venv's editable install.
"""
import contextlib
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from client import log_in_patients
from databases import PROJECT, migrate, project_env
from seed import PASSWORD, bench_email, entry_content, step_text
from server import Server

from journal.timeutil import utcnow

BENCH = Path(__file__).resolve().parent
#: Connections that PUT the seed entries: enough to keep two workers busy.
SEED_CONNECTIONS = 4


@dataclass(frozen=True)
class Checkout:
    """A revision's files in a temporary folder; ``code`` is how the table names it."""
    code: str
    project: Path


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=PROJECT, check=True, capture_output=True, text=True).stdout.strip()


def current_code() -> str:
    """This checkout's short sha, with ``+changes`` when tracked files differ from it."""
    changed = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + ("+changes" if changed else "")


@contextlib.contextmanager
def baseline_checkout(rev: str) -> Iterator[Checkout]:
    """The files of ``rev`` (``git archive | tar -x``, no worktree), deleted after, even on failure."""
    code = git("rev-parse", "--short", f"{rev}^{{commit}}")
    with tempfile.TemporaryDirectory(prefix=f"journal-bench-{code}-") as folder:
        archive = subprocess.Popen(["git", "archive", code], cwd=PROJECT, stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", folder], stdin=archive.stdout, check=True)
        archive.stdout.close()
        if archive.wait() != 0:
            raise RuntimeError(f"git archive {code} failed")
        yield Checkout(code, Path(folder))


def check_imports(journal_file: Path, checkout: Checkout) -> None:
    """:raise RuntimeError: when ``journal`` came from anywhere but the checkout's folder."""
    if not journal_file.resolve().is_relative_to(checkout.project.resolve()):
        raise RuntimeError(f"{checkout.code}: journal was imported from {journal_file}, not {checkout.project}")


def create_users(checkout: Checkout, url: str, count: int) -> list[tuple[uuid.UUID, str]]:
    """The bench patients, made by the checkout's own models and password hashing
    (``bench/baseline_users.py`` run in its folder); their (id, email)."""
    request = {"password": PASSWORD,
               "users": [{"email": bench_email(n), "display_name": f"Bench {n}"} for n in range(count)]}
    env = {**project_env(checkout.project), "JOURNAL_DATABASE_URL": url, "JOURNAL_SECRET_KEY": "bench-seed"}
    done = subprocess.run([sys.executable, str(BENCH / "baseline_users.py")], cwd=checkout.project, env=env,
                          input=json.dumps(request), capture_output=True, text=True, check=True, timeout=120)
    answer = json.loads(done.stdout)
    check_imports(Path(answer["journal"]), checkout)
    return [(uuid.UUID(user_id), email) for user_id, email in answer["users"]]


def entry_json(n: int, now) -> dict:
    """``bench/seed.py``'s ``n``-th entry as the sync API takes it."""
    content = entry_content(n, now)
    return {**content, "written_at": content["written_at"].isoformat(),
            "action_steps": [{"id": str(uuid.uuid4()), "text": step_text(n)}]}


def put_entries(server: Server, users: list[tuple[uuid.UUID, str]], count: int) -> None:
    """``count`` entries per patient, PUT to the running app's sync API.

    :raise RuntimeError: when one is not answered 201.
    """
    now = utcnow()
    patients = log_in_patients(server.port, [email for _, email in users], PASSWORD)

    def put(job):
        patient, n = job
        status = patient.put_entry(uuid.uuid4(), entry_json(n, now))
        if status != 201:
            raise RuntimeError(f"seeding PUT answered {status}")

    with ThreadPoolExecutor(SEED_CONNECTIONS) as pool:
        list(pool.map(put, [(patient, n) for patient in patients for n in range(count)]))


def seed_baseline(checkout: Checkout, url: str, instance: str, *, users: int, entries: int,
                  workers: int) -> list[tuple[uuid.UUID, str]]:
    """Migrate ``url`` with the checkout's migrations and seed it as ``bench/seed.py`` does,
    through the checkout's own code; the patients' (id, email)."""
    migrate(url, instance, checkout.project)
    patients = create_users(checkout, url, users)
    with Server(url, workers, checkout.project) as server:
        check_imports(server.journal_file(), checkout)
        put_entries(server, patients, entries)
    return patients
