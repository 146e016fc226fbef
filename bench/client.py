"""A small HTTP client for the benchmark: logs in through the real form, keeps cookies,
sends the CSRF token the app hands out. Standard library only (http.client), loopback."""
import http.client
import json
import re
import threading
import urllib.parse
import uuid
from datetime import datetime, timezone

TIMEOUT = 10.0
_META_CSRF = re.compile(r'<meta\s+name="csrf-token"\s+content="([^"]+)"')


class Patient:
    """One logged-in patient: cookies and CSRF token shared by every thread using them."""

    def __init__(self, port: int, email: str, password: str):
        self.port, self.email, self.password = port, email, password
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self._lock = threading.Lock()
        self._local = threading.local()

    def log_in(self) -> None:
        """GET /login for the form's token, POST the form, then take the API's token.

        :raise RuntimeError: when the app does not answer as a logged-in session.
        """
        status, body = self.request("GET", "/login")
        token = _META_CSRF.search(body.decode())
        if status != 200 or token is None:
            raise RuntimeError(f"GET /login answered {status} without a csrf-token meta tag")
        form = urllib.parse.urlencode({"email": self.email, "password": self.password, "csrf_token": token.group(1)})
        status, _ = self.request("POST", "/login", form.encode(),
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        if status not in (302, 303):
            raise RuntimeError(f"POST /login answered {status}, not a redirect")
        status, body = self.request("GET", "/api/v1/session")
        if status != 200:
            raise RuntimeError(f"GET /api/v1/session answered {status} after logging in")
        self.csrf = json.loads(body)["csrf_token"]

    def put_new_entry(self, text: str) -> tuple[int, uuid.UUID]:
        """PUT a new entry with a fresh id, as a device's outbox does; (status, id)."""
        entry_id = uuid.uuid4()
        status = self.put_entry(entry_id, {"insights": text, "mood": 6, "emotions": ["hope", "clarity"],
                                           "written_at": datetime.now(timezone.utc).isoformat(),
                                           "action_steps": [{"id": str(uuid.uuid4()), "text": "Drink water, walk"}]})
        return status, entry_id

    def put_entry(self, entry_id: uuid.UUID, entry: dict) -> int:
        """PUT the entry (JSON fields as the sync API takes them) under ``entry_id``; the status."""
        status, _ = self.request("PUT", f"/api/v1/entries/{entry_id}", json.dumps(entry).encode(),
                                 {"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        return status

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        """Send one request on this thread's connection (a new one when the server closed
        it); keep the cookies it sets. Raises what http.client raises."""
        headers = dict(headers or {})
        with self._lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read()
        except Exception:
            connection.close()
            self._local.connection = None
            raise
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        if response.will_close:
            connection.close()
            self._local.connection = None
        return response.status, data

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            expired = re.search(r"(?i)max-age=0\b|expires=thu, 01 jan 1970", attributes)
            with self._lock:
                if expired:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value


def log_in_patients(port: int, emails: list[str], password: str) -> list[Patient]:
    """A logged-in ``Patient`` for each email (see ``Patient.log_in``)."""
    patients = [Patient(port, email, password) for email in emails]
    for patient in patients:
        patient.log_in()
    return patients
