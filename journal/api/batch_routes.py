"""A batch of outbox writes in one request and one commit: what a device with a long
outbox sends, instead of one request (and one commit) per write.

Each item goes through the same function as its single endpoint, with the same
fingerprint, in a SAVEPOINT of its own: an item refused (409, 422, 404…) is taken back
alone and the items after it still apply, in the order sent. A batch item sent again as
a single request, or the other way round, is answered as a replay of the first.
"""
import json
import uuid

from flask import abort, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from journal.api import bp
from journal.api.measures_routes import put_measure_response
from journal.api.routes import MAX_BODY, _json_body, delete_entry, put_entry, version_number
from journal.auth.access import patient_required
from journal.entries.writes import hold_changes
from journal.extensions import db
from journal.requests import takes_bodies_up_to
from journal.web import error_json, handle_http_error

#: Items in one batch: enough that a thousand waiting writes are twenty requests.
MAX_ITEMS = 50
#: A whole batch; fifty entries of the largest size would be 50 MB, which no device
#: needs to send at once: it sends big entries in smaller batches, or one by one.
MAX_BATCH_BODY = 8 * 1024 * 1024
KINDS = {("entry", "PUT"), ("entry", "DELETE"), ("measure", "PUT")}
TOO_LARGE = f"A batch must be under {MAX_BATCH_BODY // (1024 * 1024)} MB: send fewer items at once."


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    """A batch over its limit is refused before the view runs (the CSRF check reads the
    body): say what to do, as the view would."""
    if request.endpoint == "api.batch" and error.description == RequestEntityTooLarge.description:
        error = RequestEntityTooLarge(TOO_LARGE)
    return handle_http_error(error)


def _items() -> list:
    """The batch's items.

    :raise 413: when the body is over ``MAX_BATCH_BODY`` or holds over ``MAX_ITEMS`` items.
    :raise 400: when it is not ``{"requests": [...]}``.
    """
    body = _json_body(MAX_BATCH_BODY, TOO_LARGE)
    items = body.get("requests")
    if not isinstance(items, list):
        abort(400, 'The body must be {"requests": [...]}.')
    if len(items) > MAX_ITEMS:
        abort(413, f"A batch holds at most {MAX_ITEMS} requests; this one has {len(items)}.")
    return items


def _checked(item) -> tuple[uuid.UUID, dict | None]:
    """The item's target id and body.

    :raise 400: when it is not ``{"id", "kind", "method", "base_version", "body"}`` as described.
    :raise 413: when its body is larger than the single endpoint takes.
    """
    if not isinstance(item, dict):
        abort(400, "Each request must be a JSON object.")
    if (item.get("kind"), item.get("method")) not in KINDS:
        abort(400, "kind and method must be entry PUT, entry DELETE or measure PUT.")
    try:
        target = uuid.UUID(item.get("id"))
    except (TypeError, ValueError, AttributeError):
        abort(400, "id must be a UUID.")
    body = item.get("body")
    if item["method"] == "PUT":
        if not isinstance(body, dict):
            abort(400, "The body must be a JSON object.")
        if len(json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")) > MAX_BODY:
            abort(413, f"An entry must be under {MAX_BODY // 1024} KB.")
    return target, body


def _write(item: dict, target: uuid.UUID, body: dict | None, undo) -> tuple[int, dict]:
    if item["kind"] == "measure":
        return put_measure_response(target, body, undo)
    if item["method"] == "DELETE":
        return delete_entry(target, version_number(item.get("base_version")), undo)
    # As the single PUT: the version named beside the body (If-Match there), else in it.
    named = item.get("base_version")
    base_version = version_number(named if named is not None else body.get("base_version"))
    return put_entry(target, base_version, body, undo)


def _result(item) -> dict:
    """One item applied in a savepoint of its own: its id, status and JSON body, as its
    single endpoint would answer. Not committed."""
    try:
        target, body = _checked(item)
        savepoint = db.session.begin_nested()
        try:
            status, answer = _write(item, target, body, savepoint.rollback)
        except HTTPException:
            if savepoint.is_active:
                savepoint.rollback()
            raise
        if savepoint.is_active:
            savepoint.commit()  # RELEASE: kept, to be committed with the batch
    except HTTPException as error:
        # This item alone is refused (someone else's id, a malformed item); the batch goes on.
        status, answer = error.code or 500, error_json(error)
    return {"id": item.get("id") if isinstance(item, dict) else None, "status": status, "body": answer}


@bp.route("/batch", methods=["POST"])
@takes_bodies_up_to(MAX_BATCH_BODY)
@patient_required
def batch():
    """Apply up to ``MAX_ITEMS`` outbox writes in order, each as its single endpoint would,
    and commit them once: 200 with each item's status and body."""
    items = _items()
    hold_changes(current_user.id)
    results = [_result(item) for item in items]
    db.session.commit()
    return jsonify(results=results)
