"""The app under gunicorn for a benchmark run: a free loopback port, its own instance
folder and secret key, statements and CPU counted by ``bench/gunicorn_conf.py``."""
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from databases import PROJECT, project_env
from gunicorn_conf import JOURNAL_IMPORTED, SIZE, read_totals

BENCH = Path(__file__).resolve().parent
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``with Server(url, workers) as server:`` gunicorn runs the app of ``project`` (this
    checkout unless told), importing ``journal`` from there; stopped on leaving."""

    def __init__(self, database_url: str, workers: int, project: Path = PROJECT):
        self.database_url, self.workers, self.project = database_url, workers, project
        self.port = free_port()
        self._folder = tempfile.TemporaryDirectory(prefix="journal-bench-server-")
        self.stats_path = os.path.join(self._folder.name, "stats")
        self.log_path = os.path.join(self._folder.name, "gunicorn.log")
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        Path(self.stats_path).write_bytes(b"\0" * SIZE)
        instance = os.path.join(self._folder.name, "instance")
        env = {**project_env(self.project), "JOURNAL_DATABASE_URL": self.database_url,
               "JOURNAL_INSTANCE_PATH": instance, "JOURNAL_SECRET_KEY": secrets.token_urlsafe(32), "JOURNAL_BENCH_STATS": self.stats_path,
               "JOURNAL_BENCH_COUNT_STATEMENTS": "1"}
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", str(BENCH / "gunicorn_conf.py"),
                 "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
                 "--graceful-timeout", "5", "journal:create_app()"],
                cwd=self.project, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._folder.cleanup()

    def totals(self) -> dict[str, int]:
        """Requests, SQL statements and CPU ns of all workers so far."""
        time.sleep(0.2)  # post_request runs just after the client has its answer
        return read_totals(self.stats_path)

    def journal_file(self) -> Path:
        """The ``journal/__init__.py`` the workers imported, as ``gunicorn_conf`` logged it.

        :raise RuntimeError: when no worker has logged it yet.
        """
        for line in Path(self.log_path).read_text().splitlines():
            if JOURNAL_IMPORTED in line:
                return Path(line.split(JOURNAL_IMPORTED, 1)[1].strip())
        raise RuntimeError(f"no worker logged {JOURNAL_IMPORTED!r} in {self.log_path}")

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{Path(self.log_path).read_text()[-2000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {START_TIMEOUT:.0f} s")
