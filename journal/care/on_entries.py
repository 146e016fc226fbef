"""What the care team adds to the patient's own entry pages: sharing, comments, prompts."""
import sqlalchemy as sa
from flask import request

from journal.auth.models import User
from journal.care.access import open_prompts_for
from journal.care.choices import open_prompt
from journal.care.forms import chosen_therapists
from journal.care.models import Comment
from journal.care.service import care_team, comments_on, mark_comments_read, shared_with
from journal.entries.models import Entry
from journal.entries.service import Card, CardMark

_comments, _entries = Comment.__table__, Entry.__table__
#: "New comment" on a journal card: a comment on the entry the patient has not opened yet.
UNREAD_COMMENT = CardMark("unread_comment", sa.exists().where(
    _comments.c.entry_id == _entries.c.id, _comments.c.read_by_patient_at.is_(None)))
#: What the care team shows on each journal card, asked by the journal's own page query.
CARD_MARKS = (UNREAD_COMMENT,)


def list_context(patient: User, cards: list[Card]) -> dict:
    """For the journal list (``cards`` read with ``CARD_MARKS``): the team, who each entry
    is shared with, which have new comments."""
    ids = [card.id for card in cards]
    team = care_team(patient.id)
    # Without a care team nothing can be shared: no need to ask.
    sharing = shared_with(ids, patient.id) if team else {entry_id: [] for entry_id in ids}
    unread = {card.id for card in cards if UNREAD_COMMENT.name in card.marks}
    return {"team": team, "sharing": sharing, "unread_comments": unread}


def entry_context(patient: User, entry: Entry) -> dict:
    """For the entry page. Comments shown now count as read from the next request on
    (not committed: the page's view commits that)."""
    comments = comments_on(entry)
    unread = {c.id for c in comments if c.read_by_patient_at is None}
    mark_comments_read(comments)
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
    return {"team": team, "share_checked": checked, "prompts": prompts,
            "prompt": open_prompt(patient, request.values.get("prompt")) if prompts else None}
