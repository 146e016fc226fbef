"""Entries as JSON: the request body turned into the entry form's fields, and back.

The API has no validation rules of its own. A body is only checked for JSON *types*
here, then handed to ``EntryForm`` as the form data a browser would have posted.
"""
import uuid
from datetime import datetime

from werkzeug.datastructures import MultiDict

from journal.entries.forms import MAX_ACTION_STEPS
from journal.entries.models import Entry, PurgedEntry
from journal.timeutil import zone

LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


class PayloadError(ValueError):
    """A body whose fields have the wrong JSON types; ``fields`` maps names to messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("invalid payload")
        self.fields = fields


def _text(value, name: str, errors: dict, *, nullable: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        errors[name] = ["Must be text."]
        return None
    return value


def to_formdata(body: dict, tz_name: str) -> MultiDict:
    """The form data ``EntryForm`` expects, built from a JSON entry.

    :raise PayloadError: when a field has the wrong JSON type.
    """
    errors: dict[str, list[str]] = {}
    data = MultiDict()
    insights = _text(body.get("insights"), "insights", errors)
    if insights is not None:
        data["insights"] = insights
    mood = body.get("mood")
    if isinstance(mood, bool) or not isinstance(mood, (int, str, type(None))):
        errors["mood"] = ["Must be a whole number from 1 to 10."]
    elif mood is not None:
        data["mood"] = str(mood)
    emotions = body.get("emotions", [])
    if emotions is None:
        emotions = []
    if not isinstance(emotions, list) or not all(isinstance(e, str) for e in emotions):
        errors["emotions"] = ["Must be a list of words."]
    else:
        for emotion in emotions:
            data.add("emotions", emotion)
    session = _text(body.get("dosing_session_id"), "dosing_session_id", errors)
    data["dosing_session_id"] = session or ""
    written_at = _text(body.get("written_at"), "written_at", errors)
    if written_at:
        data["written_at"] = _local_time(written_at, tz_name)
    _add_steps(body.get("action_steps", []), data, errors)
    if errors:
        raise PayloadError(errors)
    return data


def care_formdata(body: dict) -> MultiDict:
    """The care team's choices in a body, as the entry form would post them.

    ``share_with`` (a list of therapist ids; absent leaves the sharing as it is, ``[]``
    makes the entry private) and ``answers_prompt`` (a prompt id, or null).

    :raise PayloadError: when they are not ids of the right JSON types.
    """
    errors: dict[str, list[str]] = {}
    data = MultiDict()
    if "share_with" in body:
        chosen = body["share_with"]
        if not isinstance(chosen, list) or not all(_is_uuid(value) for value in chosen):
            errors["share_with"] = ["Must be a list of care-team member ids."]
        else:
            data["share_choice"] = "1"
            for value in chosen:
                data.add("share_with", str(uuid.UUID(value)))
    prompt = body.get("answers_prompt")
    if prompt == "":  # an empty field, as a form would send it: answers nothing
        prompt = None
    if prompt is not None and not _is_uuid(prompt):
        errors["answers_prompt"] = ["Must be the id of a reflection prompt."]
    elif prompt is not None:
        data["prompt"] = prompt
    if errors:
        raise PayloadError(errors)
    return data


def _is_uuid(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _local_time(value: str, tz_name: str) -> str:
    """An ISO time with an offset becomes the patient's local time; other text is the
    form's own local format and goes through unchanged (the form judges it)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(zone(tz_name)).strftime(LOCAL_FORMAT)


def _add_steps(steps, data: MultiDict, errors: dict) -> None:
    if steps is None:
        return
    if not isinstance(steps, list):
        errors["action_steps"] = ["Must be a list of steps."]
        return
    if len(steps) > MAX_ACTION_STEPS:
        errors["action_steps"] = [f"An entry can have at most {MAX_ACTION_STEPS} action steps."]
        return
    for n, step in enumerate(steps):
        prefix = f"action_steps-{n}-"
        if not isinstance(step, dict):
            errors[f"action_steps.{n}"] = ["Must be an object with a text."]
            continue
        for key in ("id", "text", "due_date"):
            value = _text(step.get(key), f"action_steps.{n}.{key}", errors)
            data[prefix + key] = value or ""
        done = step.get("done", False)
        if not isinstance(done, bool):
            errors[f"action_steps.{n}.done"] = ["Must be true or false."]
        elif done:
            data[prefix + "done"] = "y"


def flatten_errors(form_errors: dict) -> dict[str, list[str]]:
    """``{"action_steps": [{"text": [...]}]}`` becomes ``{"action_steps.0.text": [...]}``."""
    flat: dict[str, list[str]] = {}
    for name, messages in form_errors.items():
        if name == "action_steps" and messages and isinstance(messages[0], dict):
            for n, row in enumerate(messages):
                for key, row_messages in (row or {}).items():
                    flat[f"action_steps.{n}.{key}"] = list(row_messages)
        else:
            flat[name] = [str(m) for m in messages]
    return flat


def change_json(change: Entry | PurgedEntry, tz_name: str) -> dict:
    """One item of the changes feed: an entry, or the tombstone of one deleted for good."""
    if isinstance(change, PurgedEntry):
        moment = change.purged_at.isoformat()
        # ``deleted`` too, so a device that knows only Trash tombstones drops it as well.
        return {"id": str(change.entry_id), "purged": True, "deleted": True,
                "purged_at": moment, "updated_at": moment}
    return entry_json(change, tz_name)


def entry_json(entry: Entry, tz_name: str) -> dict:
    """The entry as a device stores it (Trash state included, so deletions sync)."""
    return {
        "id": str(entry.id),
        "version": entry.version,
        "insights": entry.insights or "",
        "mood": entry.mood,
        "emotions": list(entry.emotions or []),
        "dosing_session_id": str(entry.dosing_session_id) if entry.dosing_session_id else None,
        "written_at": entry.written_at.isoformat(),
        "written_at_local": entry.written_at.astimezone(zone(tz_name)).strftime(LOCAL_FORMAT),
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
        "deleted": entry.deleted_at is not None,
        "deleted_at": entry.deleted_at.isoformat() if entry.deleted_at else None,
        "action_steps": [
            {"id": str(s.id), "text": s.text, "due_date": s.due_date.isoformat() if s.due_date else None,
             "done": s.done}
            for s in entry.action_steps
        ],
    }
