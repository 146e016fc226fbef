"""Entries as JSON: the request body turned into the entry form's fields, and back.

The API has no validation rules of its own. A body is only checked for JSON *types*
here, then handed to ``EntryForm`` as the form data a browser would have posted.
"""
import uuid

from werkzeug.datastructures import MultiDict

from journal.entries.forms import MAX_ACTION_STEPS
from journal.fields import is_uuid


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


def to_formdata(body: dict) -> MultiDict:
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
    if written_at:  # an instant with its offset is kept exactly; a local time is the form's
        data["written_at"] = written_at
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
        if not isinstance(chosen, list) or not all(is_uuid(value) for value in chosen):
            errors["share_with"] = ["Must be a list of care-team member ids."]
        else:
            data["share_choice"] = "1"
            for value in chosen:
                data.add("share_with", str(uuid.UUID(value)))
    prompt = body.get("answers_prompt")
    if prompt == "":  # an empty field, as a form would send it: answers nothing
        prompt = None
    if prompt is not None and not is_uuid(prompt):
        errors["answers_prompt"] = ["Must be the id of a reflection prompt."]
    elif prompt is not None:
        data["prompt"] = prompt
    if errors:
        raise PayloadError(errors)
    return data


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
