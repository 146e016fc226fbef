"""Questionnaire endpoints: the instruments, and responses sent from the device's outbox."""
import uuid
from datetime import datetime

from flask import jsonify
from flask_login import current_user

from journal.api import bp
from journal.api.routes import _error_body, _json_body, respond
from journal.auth.access import patient_required
from journal.extensions import db
from journal.fields import is_uuid
from journal.measures.instruments import instruments
from journal.measures.responses import Conflict, Invalid, NotYours, record_response
from journal.measures.serialize import instrument_json, response_json

RESPONSE_FIELDS = {"instrument", "answers", "completed_at", "dosing_session_id"}
BAD_TIME = "Must be a time in ISO 8601 with its offset, like 2026-11-26T21:30:00+00:00."


@bp.route("/measures")
@patient_required
def measures():
    """Every instrument, with its items and answer options."""
    return jsonify(instruments=[instrument_json(found) for found in instruments().values()])


def _completed_at(value, problems: dict) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        problems["completed_at"] = [BAD_TIME]
        return None
    return moment


def _session_id(value, problems: dict) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if is_uuid(value):
        return uuid.UUID(value)
    problems["dosing_session_id"] = ["Must be a dosing session's id, or null."]
    return None


def put_measure_response(response_id: uuid.UUID, body: dict, undo) -> tuple[int, dict]:
    """Record a completed questionnaire from a sync body: (status, JSON body) — 201
    created, 200 a replay, 404 another account's id, 409 other answers, 422. Not
    committed; a refused write is taken back by ``undo``."""
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(body) - RESPONSE_FIELDS)
    if unknown:
        problems["body"] = [f"Unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}."]
    for name in ("instrument", "answers", "completed_at"):
        if name not in body:
            problems[name] = ["Required."]
    completed_at = _completed_at(body.get("completed_at"), problems) if "completed_at" in body else None
    session_id = _session_id(body.get("dosing_session_id"), problems)
    if problems:
        return 422, _error_body(422, "The response needs attention.", problems)
    try:
        recorded = record_response(current_user.id, response_id, body["instrument"], body["answers"],
                                   completed_at, session_id, current_user.timezone)
    except Invalid as error:
        undo()
        return 422, _error_body(422, "The response needs attention.", error.fields)
    except NotYours:
        undo()
        return 404, _error_body(404, "Not found.")
    except Conflict:
        undo()
        return 409, _error_body(409, "A response with this id was already recorded with other answers.",
                                message="Fill the questionnaire again to record new answers.")
    return (201 if recorded.created else 200), {**response_json(recorded.response), "replayed": not recorded.created}


@bp.route("/measures/responses/<uuid:response_id>", methods=["PUT"])
@patient_required
def put_response(response_id: uuid.UUID):
    """Record a completed questionnaire (201 created, 200 a replay of the same response)."""
    status, answer = put_measure_response(response_id, _json_body(), db.session.rollback)
    db.session.commit()
    return respond(status, answer)
