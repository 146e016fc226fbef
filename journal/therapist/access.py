"""The one way to load each object therapists write, for the person asking."""
import uuid

import sqlalchemy as sa
from flask import abort

from journal.auth.models import User
from journal.care.visibility import active_link
from journal.extensions import db
from journal.therapist.models import ReflectionPrompt, TherapistNote


def get_note_for_therapist(note_id: uuid.UUID, therapist: User) -> TherapistNote:
    """One of the therapist's own private notes.

    :raise 404: for another therapist's note, or none.
    """
    note = db.session.scalar(sa.select(TherapistNote).where(
        TherapistNote.id == note_id, TherapistNote.therapist_id == therapist.id))
    if note is None:
        abort(404)
    return note


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
