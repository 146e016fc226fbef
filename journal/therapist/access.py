"""The one way to load a therapist's own notes."""
import uuid

import sqlalchemy as sa
from flask import abort

from journal.auth.models import User
from journal.extensions import db
from journal.therapist.models import TherapistNote


def get_note_for_therapist(note_id: uuid.UUID, therapist: User) -> TherapistNote:
    """One of the therapist's own private notes.

    :raise 404: for another therapist's note, or none.
    """
    note = db.session.scalar(sa.select(TherapistNote).where(
        TherapistNote.id == note_id, TherapistNote.therapist_id == therapist.id))
    if note is None:
        abort(404)
    return note
