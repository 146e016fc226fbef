"""Sync endpoints: parse and check the request, call the entry write path, answer JSON."""
import json
import re
import uuid

from flask import abort, jsonify, request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from journal.api import bp
from journal.api.openapi import OPENAPI
from journal.api.payload import PayloadError, care_formdata, to_formdata
from journal.auth.access import patient_required
from journal.care.choices import care_choices
from journal.cursors import BadCursor
from journal.dosing.access import sessions_of
from journal.entries.changes import changes_since, latest_entries
from journal.entries.access import get_entry_for_owner
from journal.entries.conflicts import forget_conflict, remember_conflict
from journal.entries.forms import EntryForm
from journal.entries.serialize import change_json, entry_json, with_local_time
from journal.entries.writes import (Conflict, Invalid, MoveToTrash, SaveContent, WriteResult, fingerprint,
                                    write_entry)
from journal.extensions import db
from journal.logins.service import current_login
from journal.requests import NotUnicode, clean_json

#: The largest entry the form accepts — 20,000 characters and 50 steps of 500, every one
#: of them a 4-byte character sent \u-escaped — fits with room to spare; anything
#: bigger is not an entry. (64 KB, as before, refused some valid entries for ever.)
MAX_BODY = 1024 * 1024
CHANGES_LIMIT = 100
_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


@bp.after_request
def never_store(response):
    """API answers hold private entries: no cache, service worker included, may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _error_body(status: int, title: str, fields: dict | None = None, **extra) -> dict:
    body = {"error": title, "status": status, **extra}
    if fields:
        body["fields"] = fields
    return body


def _error(status: int, title: str, fields: dict | None = None, **extra):
    return jsonify(_error_body(status, title, fields, **extra)), status


def _json_body(limit: int = MAX_BODY, too_large: str = f"An entry must be under {MAX_BODY // 1024} KB.") -> dict:
    """The request's JSON object, as clean text.

    :raise 415: when it is not sent as application/json.
    :raise 413: when it is larger than ``limit`` (saying ``too_large``).
    :raise 400: when it is not a JSON object, is nested absurdly deep, or holds text
        that is not Unicode (a lone surrogate such as ``"\\ud800"``).
    """
    if request.mimetype != "application/json":
        abort(415, "Send the entry as application/json.")
    if (request.content_length or 0) > limit:
        abort(413, too_large)
    raw = request.get_data(cache=False)
    if len(raw) > limit:
        abort(413, too_large)
    try:
        body = clean_json(json.loads(raw))
    except RecursionError:
        abort(400, "The body is nested too deeply to be an entry.")
    except NotUnicode:
        abort(400, "The body holds text that is not valid Unicode (a lone surrogate). "
                   "Remove that character and send it again.")
    except (ValueError, UnicodeDecodeError):
        abort(400, "The body is not valid JSON.")
    if not isinstance(body, dict):
        abort(400, "The body must be a JSON object.")
    return body


def _base_version(body: dict | None) -> int | None:
    """The version the device edited: ``If-Match`` header, else ``base_version``.

    :raise 400: when it is not a positive whole number.
    """
    header = request.headers.get("If-Match", "").strip()
    if header:  # an empty If-Match is the same as none
        match = _IF_MATCH.match(header)
        if not match:
            abort(400, 'If-Match must be an entity tag like "3".')
        return int(match.group(1))
    return version_number((body or {}).get("base_version", request.args.get("base_version")))


def version_number(value) -> int | None:
    """A ``base_version`` as sent (None: there is none).

    :raise 400: when it is not a positive whole number.
    """
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():  # JSON's 3.0 is the integer 3
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        abort(400, "base_version must be a whole number of 1 or more.")
    return value


def _answer(result: WriteResult, tz_name: str) -> dict:
    """The write's answer; for a replay, exactly the first answer (version included)."""
    return {"entry": with_local_time(result.answer, tz_name), "replayed": result.replayed}


def _conflict(error: Conflict, base_version: int | None, undo, content: dict | None = None) -> tuple[int, dict]:
    """409 with the server's version; ``undo`` takes the refused write back, and a refused
    save is noted for the patient's other devices."""
    answer = _error_body(409, "This entry changed on another device.",
                         current=with_local_time(entry_json(error.current), current_user.timezone),
                         message="Your copy was kept. Compare both versions and choose what to keep.")
    undo()  # the refused write leaves nothing behind but the note
    if content is not None:
        remember_conflict(error.current, base_version=base_version, device=getattr(current_login(), "device", None),
                          insights=content.get("insights"), mood=content.get("mood"))
    return 409, answer


def respond(status: int, body: dict):
    """One write's (status, body) as an HTTP answer; an entry's carries its ETag."""
    response = jsonify(body)
    response.status_code = status
    if status < 300 and "entry" in body:
        response.headers["ETag"] = f'"{body["entry"]["version"]}"'
    return response


@bp.route("/session")
@login_required
def session():
    """Who is logged in, and a fresh CSRF token for the next writes."""
    return jsonify(csrf_token=generate_csrf(), user={
        "id": str(current_user.id), "display_name": current_user.display_name,
        "timezone": current_user.timezone, "role": current_user.role})


def _parsed(parse, *args):
    """What ``parse`` made of the body, or the ``PayloadError`` it raised (to collect them all)."""
    try:
        return parse(*args)
    except PayloadError as error:
        return error


def put_entry(entry_id: uuid.UUID, base_version: int | None, body: dict, undo) -> tuple[int, dict]:
    """Create or update the patient's entry from a sync body: (status, JSON body) — 201,
    200, 409 stale version or 422. Not committed; a refused write is taken back by
    ``undo`` (the request's rollback, or a batch item's savepoint's).

    ``base_version`` is the version the body names, read by the caller (which also
    looks beside the body); the rest of the body is the content.

    :raise 404: when the id is another user's entry.
    """
    content = {key: value for key, value in body.items() if key != "base_version"}
    formdata, care = _parsed(to_formdata, content), _parsed(care_formdata, content)
    errors: dict[str, list[str]] = {}
    for parsed in (formdata, care):
        if isinstance(parsed, PayloadError):
            errors.update(parsed.fields)
    if errors:
        return 422, _error_body(422, "Some fields need attention.", errors)
    tz_name = current_user.timezone  # read before a commit or rollback expires the user
    named = [formdata["dosing_session_id"]] if formdata.get("dosing_session_id") else []
    form = EntryForm(formdata=formdata, meta={"csrf": False}, sessions=sessions_of(current_user.id, only=named),
                     tz_name=tz_name)
    edit = SaveContent(form, care_choices(current_user, care))
    try:
        result = write_entry(current_user.id, entry_id, edit, base_version=base_version,
                             print_=fingerprint("PUT", entry_id, base_version, content))
    except Invalid as error:
        undo()
        return 422, _error_body(422, "Some fields need attention.", error.fields)
    except Conflict as error:
        return _conflict(error, base_version, undo, content)
    return result.status, _answer(result, tz_name)


def delete_entry(entry_id: uuid.UUID, base_version: int | None, undo) -> tuple[int, dict]:
    """Move the patient's entry to the Trash: (status, JSON body) — 200, 409 stale version,
    or 428 without a version. Not committed; a refused write is taken back by ``undo``.

    :raise 404: when there is no such entry of the patient's.
    """
    if base_version is None:
        return 428, _error_body(428, "Say which version you are deleting (If-Match or base_version).")
    tz_name = current_user.timezone
    try:
        result = write_entry(current_user.id, entry_id, MoveToTrash(), base_version=base_version,
                             print_=fingerprint("DELETE", entry_id, base_version, None))
    except Conflict as error:
        return _conflict(error, base_version, undo)
    return result.status, _answer(result, tz_name)


@bp.route("/entries/<uuid:entry_id>", methods=["PUT"])
@patient_required
def put(entry_id: uuid.UUID):
    """Create or update an entry (idempotent; 201 created, 200 updated, 409 stale version)."""
    body = _json_body()
    status, answer = put_entry(entry_id, _base_version(body), body, db.session.rollback)
    db.session.commit()  # the write, or a refused save's note
    return respond(status, answer)


@bp.route("/entries/<uuid:entry_id>", methods=["DELETE"])
@patient_required
def delete(entry_id: uuid.UUID):
    """Move an entry to the Trash (a tombstone in the changes feed); 409 on a stale version."""
    status, answer = delete_entry(entry_id, _base_version(None), db.session.rollback)
    db.session.commit()
    return respond(status, answer)


@bp.route("/entries/<uuid:entry_id>/conflict", methods=["DELETE"])
@patient_required
def settle_conflict(entry_id: uuid.UUID):
    """This device kept the server's version of an entry changed on two devices: the other
    devices stop saying so (204, also when nothing was open)."""
    forget_conflict(get_entry_for_owner(entry_id, current_user.id))
    db.session.commit()
    return "", 204


def _count(name: str, raw: str) -> int:
    """A page size from the query string.

    :raise 400: unless it is a whole number from 1 to ``CHANGES_LIMIT``.
    """
    value = int(raw) if raw.isdigit() and len(raw) < 6 else 0
    if not 1 <= value <= CHANGES_LIMIT:
        abort(400, f"{name} must be from 1 to {CHANGES_LIMIT}.")
    return value


@bp.route("/entries")
@patient_required
def changes():
    """The patient's entries changed since ``since`` (Trash and purge tombstones included),
    oldest first; or, with ``latest=N`` (a first pull), their newest N live entries and a
    cursor at the current change."""
    if "latest" in request.args:
        if "since" in request.args or "limit" in request.args:
            abort(400, "latest goes without since and limit.")
        page = latest_entries(current_user.id, _count("latest", request.args["latest"]))
    else:
        limit = _count("limit", request.args.get("limit", str(CHANGES_LIMIT)))
        try:
            page = changes_since(current_user.id, request.args.get("since") or None, limit)
        except BadCursor:
            abort(400, "That since cursor is not valid; start again without it.")
    tz_name = current_user.timezone  # read once: each read of current_user goes through its proxy
    return jsonify(entries=[change_json(c, tz_name) for c in page.changes],
                   next=page.cursor, has_more=page.has_more)


@bp.route("/openapi.json")
def openapi():
    """The API described as OpenAPI 3.1."""
    return jsonify(OPENAPI)
