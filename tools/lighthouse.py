"""Lighthouse mobile performance, accessibility and best-practices scores of the login,
journal, entry form and entry pages, as the demo patient. Not part of the tests: it needs
the network once (npx fetches lighthouse@12) and a running server with the demo accounts,
served as in production (compressed pages, gunicorn) so the performance figures mean
something:

    export JOURNAL_INSTANCE_PATH=$(mktemp -d)
    .venv/bin/flask --app journal db upgrade && .venv/bin/flask --app journal seed-demo --if-empty
    .venv/bin/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:5077 &
    .venv/bin/python tools/lighthouse.py http://127.0.0.1:5077

Prints one line per page (scores, CLS, LCP, TBT) and each audit that lost points. The
performance score moves with the machine's load: rerun before believing a small drop.
Reports go to a temporary folder.
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
CATEGORIES = "performance,accessibility,best-practices"


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
    audits = report["audits"]
    scores = {key: round(cat["score"] * 100) for key, cat in report["categories"].items()}
    print(report["finalDisplayedUrl"], scores,
          f"CLS {audits['cumulative-layout-shift']['numericValue']:.3f}",
          f"LCP {audits['largest-contentful-paint']['numericValue']:.0f} ms",
          f"TBT {audits['total-blocking-time']['numericValue']:.0f} ms")
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            # Performance weighs only its metrics; its other audits (opportunities, insights)
            # say why a metric is slow, so they are listed when they fail too.
            result = audits[ref["id"]]
            if result.get("score") is not None and result["score"] < 1 and result["scoreDisplayMode"] != "informative":
                value = f" ({result['displayValue']})" if result.get("displayValue") else ""
                print(f"  {category['id']}: {result['title']}{value}")


def main(base: str) -> None:
    cookie, entry = patient_cookie(base)
    with tempfile.TemporaryDirectory() as folder:
        for n, (path, needs_login) in enumerate([("/login", False), ("/", True), ("/entries/new", True),
                                                 (entry, True)]):
            audit(base + path, cookie if needs_login else None, os.path.join(folder, f"{n}.json"))


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:5077")
