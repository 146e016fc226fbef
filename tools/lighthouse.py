"""Lighthouse mobile accessibility and best-practices scores of the login, journal, entry
form and entry pages, as the demo patient. Not part of the tests: it needs the network
once (npx fetches lighthouse@12) and a running server with the demo accounts.

    .venv/bin/flask --app journal db upgrade && .venv/bin/flask --app journal seed-demo --if-empty
    .venv/bin/flask --app journal run -p 5077 &
    python tools/lighthouse.py http://127.0.0.1:5077

Prints one line per page and each audit that lost points. Reports go to a temporary folder.
"""
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

PATIENT, PASSWORD = "patient@demo.example", "integration-demo-2026"  # the demo login (README)
CATEGORIES = "accessibility,best-practices"


def patient_cookie(base: str) -> tuple[str, str]:
    """Log in as the demo patient: the session cookie, and the path of one of their entries."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = browser.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": PATIENT, "password": PASSWORD}).encode()
    journal = browser.open(f"{base}/login", data=form).read().decode()
    entry = re.search(r'href="(/entries/[0-9a-f-]{36})"', journal)
    if entry is None:
        sys.exit("Logging in as the demo patient did not reach a journal with entries (seed-demo?).")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, entry.group(1)


def audit(url: str, cookie: str | None, out: str) -> None:
    command = ["npx", "-y", "lighthouse@12", url, f"--only-categories={CATEGORIES}", "--form-factor=mobile",
               "--chrome-flags=--headless=new --no-sandbox", "--output=json", f"--output-path={out}", "--quiet"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env)
    report = json.load(open(out))
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    print(report["finalDisplayedUrl"], scores)
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref.get("weight") and result.get("score") is not None and result["score"] < 1:
                print(f"  {category['id']}: {result['title']}")


def main(base: str) -> None:
    cookie, entry = patient_cookie(base)
    with tempfile.TemporaryDirectory() as folder:
        for n, (path, needs_login) in enumerate([("/login", False), ("/", True), ("/entries/new", True),
                                                 (entry, True)]):
            audit(base + path, cookie if needs_login else None, os.path.join(folder, f"{n}.json"))


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:5077")
