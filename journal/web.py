"""What every response shares: security headers, error pages, template helpers."""
import logging
import traceback
import uuid
from datetime import datetime
from functools import lru_cache

from flask import Flask, current_app, g, has_request_context, jsonify, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError

from journal.access_log import redact
from journal.extensions import db
from journal.pwa.routes import is_offline_page
from journal.timeutil import zone

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)

HSTS_SECONDS = 2 * 365 * 24 * 3600

ERROR_TITLES = {
    400: "That request could not be understood",
    401: "Please log in",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "This changed on another device",
    413: "That is too large to save",
    415: "Unsupported content type",
    429: "Too many attempts",
}


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(StaleDataError, handle_stale_write)
    app.register_error_handler(Exception, handle_unexpected_error)
    app.jinja_env.filters["localtime"] = format_local_time
    app.jinja_env.filters["localdate"] = format_local_date
    app.jinja_env.filters["datetime_input"] = datetime_input_value
    app.jinja_env.filters["entry_name"] = entry_name
    app.jinja_env.globals["url_for"] = remembered_links(app)
    app.jinja_env.globals["csrf_token"] = request_csrf_token(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


#: How many links a process remembers: every page's menu, and the entries recently listed.
LINKS_REMEMBERED = 4096
#: The values a remembered link may carry: ids and None. Two of these are equal keys only
#: when they build the same URL (1 and True are equal keys, but ``?n=1`` and ``?n=True``),
#: and none is something a person typed: a search term or a page cursor in a link is built
#: each time, not kept in the process after its request.
PLAIN_VALUES = frozenset({uuid.UUID, type(None)})
#: Endpoints whose text values are the app's own (a static file's name), remembered too.
APP_TEXT_ENDPOINTS = frozenset({"static"})


def remembered_links(app: Flask):
    """``url_for`` for templates, each link built once per process.

    A page draws 40 or more links (the menu, the tab bar, one per journal card) and
    building one costs about as much as reading a row. While a release runs, a link
    depends only on its endpoint, its values and where the app is mounted (the one
    ``url_defaults`` hook adds a static file's hash, fixed per release), so it is
    remembered under those. Other links are built each time: relative endpoints (they
    depend on the request's blueprint), ``_external``/``_anchor``/… options, values other
    than ids (``PLAIN_VALUES``), and every link in debug mode, where static files change
    as one works.
    """
    @lru_cache(maxsize=LINKS_REMEMBERED)
    def remembered(script_root: str, endpoint: str, values: tuple) -> str:
        return url_for(endpoint, **dict(values))

    def link(endpoint: str, **values) -> str:
        if app.debug or not has_request_context() or not _plain_link(endpoint, values):
            return url_for(endpoint, **values)
        return remembered(request.script_root, endpoint, tuple(values.items()))

    link.remembered = remembered
    return link


def _plain_link(endpoint: str, values: dict) -> bool:
    """Whether the link depends on nothing but the endpoint, the values and the mount point."""
    if endpoint.startswith("."):
        return False
    text_is_plain = endpoint in APP_TEXT_ENDPOINTS
    return all(not key.startswith("_") and (type(value) in PLAIN_VALUES or text_is_plain and type(value) is str)
               for key, value in values.items())


def request_csrf_token(field_name: str):
    """``csrf_token()`` for templates: Flask-WTF makes the request's token once and keeps
    it in ``g`` under its field name, where this reads it back. A journal page with
    sharing controls draws a form per card, and each of Flask-WTF's own calls looks its
    settings up again (a third of a card's cost)."""
    def csrf_token() -> str:
        return g.get(field_name) or generate_csrf()

    return csrf_token


def add_security_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["JOURNAL_HTTPS"]:
        # Two years: browsers then refuse plain HTTP to this host, even a first typed URL.
        response.headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
    if current_user and current_user.is_authenticated and request.endpoint != "static":
        # Personal pages must not sit in shared caches. The service worker keeps its own
        # copy of the few pages offline use needs; any other page (an entry, the Trash,
        # search results, the account's email) must not outlive the visit on the device.
        response.headers.setdefault("Cache-Control",
                                    "private, no-cache" if is_offline_page(request) else "no-store")
        if current_user.is_patient:
            # The service worker keeps a page only in the cache of the account it belongs to.
            response.headers["Journal-User"] = str(current_user.id)
    return response


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


#: What a person can do about a form whose CSRF token was refused.
CSRF_MESSAGE = "Your form expired or was sent from elsewhere. Go back, reload the page and try again."


def _explained(error: HTTPException) -> tuple[int, str, str | None]:
    """An HTTP error's status, title, and the message worth showing (None: the title says it)."""
    code = error.code or 500
    if isinstance(error, CSRFError):
        message = CSRF_MESSAGE
    else:
        message = error.description if code in (400, 409, 413, 415, 429) and error.description else None
    return code, ERROR_TITLES.get(code, error.name), message


def error_json(error: HTTPException) -> dict:
    """The JSON body of an HTTP error, as the API answers it (a batch item's, too)."""
    code, title, message = _explained(error)
    body = {"error": title, "status": code}
    if message:
        body["message"] = message
    if isinstance(error, CSRFError):
        body["reason"] = "csrf"  # the offline outbox fetches a fresh token and retries
    return body


def handle_http_error(error: HTTPException):
    """One answer for every 4xx/5xx: JSON for API clients, a page for people."""
    code, title, message = _explained(error)
    if wants_json():
        return jsonify(error_json(error)), code, error.get_headers() if code == 405 else {}
    response = render_template("error.html", code=code, title=title, message=message)
    return response, code


def handle_stale_write(error: StaleDataError):
    """Two saves of one entry at the same moment: the second is refused, not merged."""
    db.session.rollback()
    return handle_http_error(Conflict(
        "This entry was changed on another device while you saved. Nothing was overwritten: "
        "go back, copy your text, reload the entry and save again."))


def handle_unexpected_error(error: Exception):
    """Roll back the broken transaction and log where it failed, never what was written.

    Exception messages can quote entry text (PostgreSQL's DETAIL echoes the failing
    row), so the log gets the exception's type and stack, not its message.
    """
    db.session.rollback()
    stack = "".join(traceback.format_tb(error.__traceback__))
    logging.getLogger("journal").error("Unhandled %s on %s %s\n%s", type(error).__name__,
                                       request.method, redact(request.path), stack)
    return handle_http_error(InternalServerError())


def viewer_zone():
    """The zone dates on this page are shown in: the viewer's, looked up once per request."""
    found = g.get("viewer_zone")  # one look through the proxy: every date on the page asks
    if found is None:
        found = g.viewer_zone = zone(current_user.timezone if current_user.is_authenticated else "UTC")
    return found


def format_local_time(moment: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if moment is None:
        return ""
    return moment.astimezone(viewer_zone()).strftime(fmt)


def format_local_date(moment: datetime | None) -> str:
    return format_local_time(moment, "%a %d %b %Y")


def datetime_input_value(moment: datetime | None) -> str:
    """The value a ``datetime-local`` input expects, in the user's zone."""
    return format_local_time(moment, "%Y-%m-%dT%H:%M") if moment else ""


def first_words(text: str, count: int = 6) -> str:
    """The first ``count`` words of ``text`` on one line, with "…" when there is more."""
    words = (text or "").split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def entry_name(entry, text: str | None = None) -> str:
    """How a control names one entry, so that two of the same day can be told apart:
    "entry of Thu 26 Nov 2026, 05:01: “First words of it…”". Lists that load only an
    excerpt of the entry's text pass it as ``text``."""
    name = f"entry of {format_local_time(entry.written_at)}"
    words = first_words(entry.insights if text is None else text)
    return f"{name}: “{words}”" if words else name
