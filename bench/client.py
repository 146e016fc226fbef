"""A small HTTP client for the benchmark: logs in through the real form, keeps cookies,
sends the CSRF token the app hands out. Standard library only (a socket per request),
loopback."""
import json
import re
import socket
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
        """Send one request on a connection of its own and keep the cookies the answer
        sets; (status, body). Raises ``OSError`` (a timeout, a reset) or ``ValueError``
        (an answer that is not HTTP/1.x).

        A plain socket, not ``http.client``: gunicorn's sync workers close every
        connection after one answer anyway, and ``http.client`` parses headers with the
        ``email`` package, which cost the client more CPU than some requests cost the
        server, on the same two cores."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        with self._lock:
            if self.cookies:
                lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as connection:
            connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
            status, answer_headers, data = parse_response(_read_all(connection))
        self._keep_cookies([value for name, value in answer_headers if name == "set-cookie"])
        return status, data

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


def _read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def parse_response(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers as lower-cased (name, value) pairs, body) of an HTTP/1.x answer
    read to its end (``Content-Length`` or chunked bodies both).

    :raise ValueError: when ``raw`` is not one.
    """
    head, separator, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    if not separator or not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x answer: {status_line[:40]!r}")
    headers = [(name.strip().lower(), value.strip()) for name, _, value in
               (line.partition(":") for line in header_lines)]
    fields = dict(headers)
    if fields.get("transfer-encoding", "").lower() == "chunked":
        body = _unchunk(body)
    elif "content-length" in fields:
        body = body[:int(fields["content-length"])]
    return int(rest[:3]), headers, body


def _unchunk(body: bytes) -> bytes:
    parts = []
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return b"".join(parts)
        parts.append(body[:size])
        body = body[size + 2:]


def log_in_patients(port: int, emails: list[str], password: str) -> list[Patient]:
    """A logged-in ``Patient`` for each email (see ``Patient.log_in``)."""
    patients = [Patient(port, email, password) for email in emails]
    for patient in patients:
        patient.log_in()
    return patients
