"""The one rule for what a therapist may read of a patient's journal.

A therapist can read an entry only while all three hold:
  1. the patient's care link with that therapist is active (not ended),
  2. the patient has shared that entry with that therapist,
  3. the entry is not in the Trash.
Questionnaire responses follow the same rule, with one difference the consent screen
states before a patient links: a response the care team's protocol asked for (it has a
timepoint) counts as shared with every therapist on the care team; one the patient started
alone is shared one therapist at a time, like an entry. The safety plan is shared with the
whole care team or with nobody.

Every therapist-facing query and access check goes through the expressions here, so
unsharing, unlinking or deleting takes effect on the very next request.
"""
import uuid

import sqlalchemy as sa

from journal.care.measure_models import ResponseShare
from journal.care.models import CareLink, Share
from journal.entries.models import Entry
from journal.measures.models import MeasureResponse, SafetyPlan


def active_link(therapist_id: uuid.UUID, patient_id) -> sa.ColumnElement[bool]:
    """True while ``patient_id`` (a column or a value) has an active link with the therapist."""
    return sa.exists().where(CareLink.therapist_id == therapist_id, CareLink.patient_id == patient_id,
                             CareLink.ended_at.is_(None))


def visible_to(therapist_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``Entry``: the entries this therapist may read right now."""
    shared = sa.exists().where(Share.entry_id == Entry.id, Share.therapist_id == therapist_id)
    return sa.and_(Entry.deleted_at.is_(None), shared, active_link(therapist_id, Entry.owner_id))


def visible_entries(therapist_id: uuid.UUID, patient_id: uuid.UUID | None = None) -> sa.Select:
    """SELECT of the entries the therapist may read, optionally of one patient."""
    query = sa.select(Entry).where(visible_to(therapist_id))
    if patient_id is not None:
        query = query.where(Entry.owner_id == patient_id)
    return query


def response_visible_to(therapist_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``MeasureResponse``: the responses this therapist may read right now."""
    shared = sa.exists().where(ResponseShare.response_id == MeasureResponse.id,
                               ResponseShare.therapist_id == therapist_id)
    return sa.and_(sa.or_(MeasureResponse.timepoint.is_not(None), shared),
                   active_link(therapist_id, MeasureResponse.owner_id))


def visible_responses(therapist_id: uuid.UUID, patient_id: uuid.UUID | None = None) -> sa.Select:
    """SELECT of the responses the therapist may read, oldest first, optionally of one patient."""
    query = sa.select(MeasureResponse).where(response_visible_to(therapist_id))
    if patient_id is not None:
        query = query.where(MeasureResponse.owner_id == patient_id)
    return query.order_by(MeasureResponse.completed_at, MeasureResponse.id)


def safety_plan_visible_to(therapist_id: uuid.UUID) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``SafetyPlan``: the plans this therapist may read right now."""
    return sa.and_(SafetyPlan.shared.is_(True), active_link(therapist_id, SafetyPlan.owner_id))
