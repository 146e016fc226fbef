"""The production server for tests: gunicorn with 2 workers and gunicorn.conf.py, on loopback.

Used where more than one process matters (a login ended in one worker is refused by
the other; counters shared by every worker) and to read the real access log.
"""
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import gunicorn

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``with Gunicorn(database_url, tmp_path) as server:`` serves the app at ``server.url``."""

    def __init__(self, database_url: str, tmp_path: Path, workers: int = 2, **environment):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.access_log = tmp_path / "access.log"
        self.error_log = tmp_path / "error.log"
        self.env = {**os.environ, "JOURNAL_DATABASE_URL": database_url,
                    "JOURNAL_SECRET_KEY": "live-gunicorn-test-key",
                    "JOURNAL_INSTANCE_PATH": str(tmp_path / "instance"), **environment}
        self.command = [sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
                        "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
                        "--access-logfile", str(self.access_log), "--error-logfile", str(self.error_log)]
        if gunicorn.version_info >= (25, 1):  # its control socket would be shared by parallel runs
            self.command += ["--control-socket", str(tmp_path / "gunicorn.ctl")]

    def __enter__(self):
        self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT, env=self.env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1)
                return self
            except OSError:  # refused, reset or timed out while it boots
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start:\n{self.error_log.read_text()}")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)

    def logged(self) -> str:
        """The access log so far (gunicorn writes each line as the response goes out)."""
        return self.access_log.read_text()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browserless:
    """A cookie-keeping HTTP client that sends forms with their CSRF token, like JournalClient."""

    def __init__(self, base_url: str, address: str | None = None):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                  _NoRedirect())
        self.headers = {"X-Forwarded-For": address} if address else {}

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body, method=method,
                                     headers={**self.headers, **(headers or {})})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def submit(self, path: str, data: dict, page: str = "/help"):
        _, html = self.get(page)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        return self.request("POST", path, {"csrf_token": token, **data})

    def login(self, email: str, password: str, **extra):
        return self.submit("/login", {"email": email, "password": password, **extra})
