"""What the care team adds to the patient's own entry pages: sharing, comments, prompts."""
import sqlalchemy as sa
from flask import request

from journal.auth.models import User
from journal.care.access import open_prompts_for
from journal.care.choices import open_prompt
from journal.care.forms import chosen_therapists
from journal.care.models import CareLink, Comment
from journal.care.service import comments_on, mark_comments_read, team_and_sharing
from journal.entries.models import Entry
from journal.entries.service import PAGE_OWNER, Card, CardMark

_comments, _entries, _links = Comment.__table__, Entry.__table__, CareLink.__table__
#: "New comment" on a journal card: a comment on the entry the patient has not opened yet.
UNREAD_COMMENT = CardMark("unread_comment", sa.exists().where(
    _comments.c.entry_id == _entries.c.id, _comments.c.read_by_patient_at.is_(None)))
#: The page's owner has a care team (the same on every card, asked once per page): a
#: patient without one costs no query for the team.
IN_CARE_TEAM = CardMark("in_care_team", sa.exists().where(
    _links.c.patient_id == PAGE_OWNER, _links.c.ended_at.is_(None)))
#: What the care team shows on each journal card, asked by the journal's own page query.
CARD_MARKS = (UNREAD_COMMENT, IN_CARE_TEAM)


def list_context(patient: User, cards: list[Card]) -> dict:
    """For the journal list (``cards`` read with ``CARD_MARKS``): the team, who each entry
    is shared with, which have new comments."""
    ids = [card.id for card in cards]
    if cards and IN_CARE_TEAM.name not in cards[0].marks:
        # No care team, so nothing shared. An empty page cannot tell: it asks.
        team, sharing = [], {entry_id: [] for entry_id in ids}
    else:
        team, sharing = team_and_sharing(patient.id, ids)
    unread = {card.id for card in cards if UNREAD_COMMENT.name in card.marks}
    return {"team": team, "sharing": sharing, "unread_comments": unread}


def entry_context(patient: User, entry: Entry) -> dict:
    """For the entry page. Comments shown now count as read from the next request on
    (not committed: the page's view commits that)."""
    comments = comments_on(entry)
    unread = {c.id for c in comments if c.read_by_patient_at is None}
    mark_comments_read(comments)
    team, sharing = team_and_sharing(patient.id, [entry.id])
    return {"team": team, "shared": sharing[entry.id], "comments": comments, "unread_comment_ids": unread}


def form_context(patient: User, entry: Entry | None) -> dict:
    """For the entry form: who can be ticked, and what is ticked (the post, else the saved state)."""
    team, sharing = team_and_sharing(patient.id, [entry.id] if entry is not None else [])
    if request.method == "POST":
        checked = chosen_therapists(request.form) if "share_choice" in request.form else set()
    elif entry is not None:
        checked = {therapist.id for therapist in sharing[entry.id]}
    else:
        checked = set()
    prompts = open_prompts_for(patient) if entry is None else []
    return {"team": team, "share_checked": checked, "prompts": prompts,
            "prompt": open_prompt(patient, request.values.get("prompt")) if prompts else None}
