"""Run by ``bench/instructions.py`` under callgrind, in the folder of the code it measures:
log in through the form, warm up, then count the instructions of ``BENCH_REQUESTS``
requests of one scenario. In-process (Flask's test client), standard library and the
app's own HTTP interface only, so any revision of the app can be measured.

Instrumentation is off until the timed part (``--instr-atstart=no``); this process asks
``callgrind_control`` to switch it on and off around it. Prints the scenario's name.
"""
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timezone

from journal import create_app

WARM_UP = 20
FEED = "/api/v1/entries?limit=20"


def log_in(client, email: str, password: str) -> str:
    """Log in through the form; the API's CSRF token.

    :raise RuntimeError: when the app does not answer as a logged-in session.
    """
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'<meta\s+name="csrf-token"\s+content="([^"]+)"', page)
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token.group(1)})
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"POST /login answered {answer.status_code}")
    return client.get("/api/v1/session").get_json()["csrf_token"]


def scenario(client, name: str, csrf: str):
    """The request ``name`` sends, as a function that checks its answer."""
    def page():
        return client.get("/")

    def feed():
        return client.get(FEED)

    def create():
        body = {"insights": "A new entry " * 20, "mood": 6, "emotions": ["hope", "clarity"],
                "written_at": datetime.now(timezone.utc).isoformat(),
                "action_steps": [{"id": str(uuid.uuid4()), "text": "Drink water, walk"}]}
        return client.put(f"/api/v1/entries/{uuid.uuid4()}", data=json.dumps(body),
                          headers={"Content-Type": "application/json", "X-CSRFToken": csrf})

    send = {"page": page, "feed": feed, "create": create}[name]

    def checked():
        status = send().status_code
        if not 200 <= status < 300:
            raise RuntimeError(f"{name} answered {status}")

    return checked


def instrument(on: bool) -> None:
    subprocess.run(["callgrind_control", "--instr=on" if on else "--instr=off", str(os.getpid())],
                   check=True, capture_output=True)


def main() -> None:
    name, count = os.environ["BENCH_SCENARIO"], int(os.environ["BENCH_REQUESTS"])
    client = create_app().test_client()
    send = scenario(client, name, log_in(client, os.environ["BENCH_EMAIL"], os.environ["BENCH_PASSWORD"]))
    for _ in range(WARM_UP):
        send()
    instrument(True)
    for _ in range(count):
        send()
    instrument(False)
    print(name, file=sys.stderr)


if __name__ == "__main__":
    main()
