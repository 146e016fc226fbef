"""The one way to load each care-team object for the person asking for it."""
import uuid

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from journal.auth.models import User
from journal.care.models import CareLink, ReflectionPrompt
from journal.care.visibility import active_link, visible_entries, visible_responses
from journal.entries.models import Entry
from journal.extensions import db
from journal.measures.models import MeasureResponse


def get_link_for_patient(link_id: uuid.UUID, patient: User) -> CareLink:
    """One of the patient's active care links.

    :raise 404: when it does not exist, has ended, or is someone else's.
    """
    link = db.session.scalar(sa.select(CareLink).where(
        CareLink.id == link_id, CareLink.patient_id == patient.id, CareLink.ended_at.is_(None)))
    if link is None:
        abort(404)
    return link


def get_patient_for_therapist(patient_id: uuid.UUID, therapist: User) -> User:
    """A patient who has the therapist in their care team right now.

    :raise 404: for anyone else (unlinked, link ended, not a patient, unknown).
    """
    patient = db.session.scalar(sa.select(User).where(
        User.id == patient_id, User.role == "patient", active_link(therapist.id, User.id)))
    if patient is None:
        abort(404)
    return patient


def get_link_for_therapist(patient_id: uuid.UUID, therapist: User) -> CareLink:
    """The active link between the therapist and this patient.

    :raise 404: when there is none.
    """
    link = db.session.scalar(sa.select(CareLink).where(
        CareLink.patient_id == patient_id, CareLink.therapist_id == therapist.id,
        CareLink.ended_at.is_(None)))
    if link is None:
        abort(404)
    return link


def get_entry_for_therapist(entry_id: uuid.UUID, therapist: User) -> Entry:
    """An entry the therapist may read now (see ``journal.care.visibility``).

    :raise 404: for a private, unshared, trashed or unlinked patient's entry, or none at all.
    """
    entry = db.session.scalar(visible_entries(therapist.id).options(joinedload(Entry.dosing_session))
                              .where(Entry.id == entry_id))
    if entry is None:
        abort(404)
    return entry


def get_response_for_therapist(response_id: uuid.UUID, therapist: User) -> MeasureResponse:
    """A questionnaire response the therapist may read now (see ``journal.care.visibility``).

    :raise 404: for a self-started unshared response, an unlinked patient's, or none at all.
    """
    response = db.session.scalar(visible_responses(therapist.id).where(MeasureResponse.id == response_id))
    if response is None:
        abort(404)
    return response


def get_prompt_for_patient(prompt_id: uuid.UUID, patient: User) -> ReflectionPrompt:
    """An open prompt given to this patient by a therapist still in their care team.

    :raise 404: for someone else's prompt, an answered one, or one from a former therapist.
    """
    prompt = db.session.scalar(sa.select(ReflectionPrompt).where(
        ReflectionPrompt.id == prompt_id, ReflectionPrompt.patient_id == patient.id,
        ReflectionPrompt.answered_at.is_(None),
        active_link(ReflectionPrompt.therapist_id, patient.id)))
    if prompt is None:
        abort(404)
    return prompt


def open_prompts_for(patient: User) -> list[ReflectionPrompt]:
    """Prompts waiting on the patient's new-entry screen, oldest first."""
    return list(db.session.scalars(sa.select(ReflectionPrompt).where(
        ReflectionPrompt.patient_id == patient.id, ReflectionPrompt.answered_at.is_(None),
        active_link(ReflectionPrompt.therapist_id, patient.id)).order_by(ReflectionPrompt.created_at)))
