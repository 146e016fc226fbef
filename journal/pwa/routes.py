"""The manifest, the service worker (with a cache name that follows its files) and /offline."""
import hashlib
from pathlib import Path
from types import SimpleNamespace

from flask import Request, current_app, render_template, url_for

from journal.measures.instruments import instruments
from journal.pwa import bp

#: Files under static/ every device keeps, so the app opens with no network: every
#: stylesheet, module and icon, so a new module is never forgotten here.
SHELL_PATTERNS = ["css/*.css", "js/*.js", "icons/*"]
#: Templates whose output is in the shell; a change to any of them renames the cache.
SHELL_TEMPLATES = ["pwa/offline.html", "pwa/sw.js", "base.html"]
#: Personal pages kept for offline use (fetched with the patient's cookie, wiped at logout).
#: Entry pages are not among them: offline-views.js draws those from IndexedDB, which the
#: changes feed keeps current, so an entry deleted elsewhere is not readable here.
#: Questionnaires and the safety plan open offline too: a crisis does not wait for a network.
PERSONAL_PAGES = ["/", "/entries/new", "/measures/", "/safety-plan"] + [
    f"/measures/{instrument_id}/new" for instrument_id in instruments()]
#: Every page the service worker may keep: the personal ones and the shell's offline page.
OFFLINE_PAGES = PERSONAL_PAGES + ["/offline"]
#: Never cached by the service worker: private API answers and other people's data.
NEVER_CACHE = ["/api/", "/therapist", "/care"]

THEME_COLOUR = "#3d5a80"
BACKGROUND_COLOUR = "#fbfaf7"

#: Stands in for the patient on the shared offline page: it names no one.
SHELL_USER = SimpleNamespace(is_authenticated=True, is_patient=True, is_therapist=False,
                             display_name="", timezone="UTC", is_anonymous=False)


def shell_static() -> list[str]:
    """The shell's static files, as paths relative to static/, in a stable order."""
    static = Path(current_app.static_folder)
    return sorted(str(path.relative_to(static)) for pattern in SHELL_PATTERNS
                  for path in static.glob(pattern) if path.is_file())


def shell_hash() -> str:
    """A short hash of every shell file: the service worker's cache name follows it."""
    digest = hashlib.sha256()
    static = Path(current_app.static_folder)
    templates = Path(current_app.template_folder)
    for path in [static / name for name in shell_static()] + [templates / name for name in SHELL_TEMPLATES]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def is_offline_page(request: Request) -> bool:
    """Whether this request asks for a page the service worker keeps (exactly: a search
    or a filter of the journal is another page, never kept)."""
    return request.method in ("GET", "HEAD") and request.path in OFFLINE_PAGES and not request.query_string


def _icon(name: str, size: str, purpose: str) -> dict:
    return {"src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png",
            "purpose": purpose}


def _screenshot(name: str, size: str, form_factor: str, label: str) -> dict:
    return {"src": url_for("static", filename=f"screenshots/{name}"), "sizes": size, "type": "image/png",
            "form_factor": form_factor, "label": label}


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest that makes the journal installable."""
    body = {
        "id": "/",
        "name": "Integration Journal",
        "short_name": "Journal",
        "description": "A private journal for integrating psychedelic-assisted therapy, "
                       "that works with no network.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "lang": "en",
        "categories": ["health", "lifestyle"],
        "icons": [_icon("icon-192.png", "192x192", "any"), _icon("icon-512.png", "512x512", "any"),
                  _icon("maskable-512.png", "512x512", "maskable")],
        # A long press on the home-screen icon: straight to a new entry.
        "shortcuts": [{"name": "New entry", "short_name": "New entry", "url": url_for("entries.new"),
                       "description": "Write down what surfaced, while it is fresh.",
                       "icons": [{"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192",
                                  "type": "image/png"}]}],
        # The richer install sheet (Android, desktop Chromium); the demo journal, no one's words.
        "screenshots": [_screenshot("journal-narrow.png", "390x844", "narrow", "Your journal on a phone"),
                        _screenshot("journal-wide.png", "1280x800", "wide", "Your journal on a laptop")],
    }
    response = current_app.response_class(current_app.json.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/sw.js")
def service_worker():
    """The service worker, at the root so its scope is the whole app."""
    version = shell_hash()
    shell = [url_for("static", filename=name) for name in shell_static()]
    shell += [url_for("pwa.offline"), url_for("pwa.manifest")]
    body = render_template("pwa/sw.js", version=version, shell=shell, personal=PERSONAL_PAGES,
                           never_cache=NEVER_CACHE, offline=url_for("pwa.offline"),
                           new_entry=url_for("entries.new"))
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
def offline():
    """What opens when there is no network and no saved copy of the page asked for."""
    return render_template("pwa/offline.html", current_user=SHELL_USER)
