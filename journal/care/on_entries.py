"""What the care team adds to the patient's own entry pages: sharing, comments, prompts."""
import uuid

from flask import request

from journal.auth.models import User
from journal.care.forms import chosen_therapists
from journal.care.service import (care_team, comments_on, mark_comments_read, set_shares, shared_with,
                                  with_unread_comments)
from journal.entries.models import Entry
from journal.extensions import db
from journal.therapist.access import open_prompts_for


def list_context(patient: User, entries: list[Entry]) -> dict:
    """For the journal list: the team, who each entry is shared with, which have new comments."""
    ids = [e.id for e in entries]
    return {"team": care_team(patient.id), "sharing": shared_with(ids, patient.id),
            "unread_comments": with_unread_comments(ids)}


def entry_context(patient: User, entry: Entry) -> dict:
    """For the entry page; comments shown now count as read from the next request on."""
    comments = comments_on(entry)
    unread = {c.id for c in comments if c.read_by_patient_at is None}
    mark_comments_read(comments)
    db.session.commit()
    return {"team": care_team(patient.id), "shared": shared_with([entry.id], patient.id)[entry.id],
            "comments": comments, "unread_comment_ids": unread}


def form_context(patient: User, entry: Entry | None) -> dict:
    """For the entry form: who can be ticked, and what is ticked (the post, else the saved state)."""
    team = care_team(patient.id)
    if request.method == "POST":
        checked = chosen_therapists(request.form) if "share_choice" in request.form else set()
    elif entry is not None:
        checked = {t.id for t in shared_with([entry.id], patient.id)[entry.id]}
    else:
        checked = set()
    prompts = open_prompts_for(patient) if entry is None else []
    chosen = _prompt(prompts, request.values.get("prompt"))
    return {"team": team, "share_checked": checked, "prompts": prompts, "prompt": chosen}


def _prompt(prompts, prompt_id: str | None):
    try:
        wanted = uuid.UUID(prompt_id or "")
    except ValueError:
        return None
    return next((p for p in prompts if p.id == wanted), None)


def after_save(patient: User, entry: Entry, context: dict) -> None:
    """Apply the form's sharing choice and answered prompt to a saved entry. Not committed."""
    apply_choices(patient, entry, request.form, context.get("prompt"))


def answered_prompt(patient: User, formdata):
    """The open prompt named in the form, or None (a withdrawn one is simply ignored)."""
    return _prompt(open_prompts_for(patient), formdata.get("prompt"))


def choice_problems(patient: User, formdata) -> dict[str, list[str]]:
    """What is wrong with a sharing choice sent by a device: ids outside the patient's
    care team. The HTML form only offers the team, so only the sync API needs asking."""
    team = {link.therapist_id for link in care_team(patient.id)}
    if chosen_therapists(formdata) - team:
        return {"share_with": ["You can only share with members of your care team. "
                               "Check who is in it and choose again."]}
    return {}


def apply_choices(patient: User, entry: Entry, formdata, prompt=None) -> None:
    """Share the entry with exactly the ticked members (when the form offered the choice)
    and mark the prompt answered; the entry is never lost over a stale prompt. Not committed.
    """
    db.session.flush()
    if "share_choice" in formdata:
        set_shares([entry], patient.id, chosen_therapists(formdata))
    if prompt is not None:
        prompt.answer_with(entry)
