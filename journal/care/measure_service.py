"""Sharing questionnaire responses over the care link, and the audit of therapists' reads."""
import uuid
from collections.abc import Iterable

import sqlalchemy as sa

from journal.auth.models import User
from journal.care.measure_models import ResponseRead, ResponseShare, SafetyFlagReview
from journal.care.service import care_team
from journal.care.visibility import response_visible_to
from journal.database import insert_ignoring_conflict
from journal.extensions import db
from journal.measures.models import MeasureResponse


def response_shared_with(response: MeasureResponse) -> list[User]:
    """The care team members a self-started response is shared with."""
    team = {link.therapist_id: link.therapist for link in care_team(response.owner_id)}
    ids = db.session.scalars(sa.select(ResponseShare.therapist_id).where(ResponseShare.response_id == response.id))
    return [team[i] for i in ids if i in team]


def set_response_shares(response: MeasureResponse, therapist_ids: Iterable[uuid.UUID]) -> None:
    """Share a response with exactly these members of the active care team (not committed).
    Ids outside the team are ignored: the form offers only the team."""
    team = {link.therapist_id for link in care_team(response.owner_id)}
    wanted = set(therapist_ids) & team
    db.session.execute(sa.delete(ResponseShare).where(ResponseShare.response_id == response.id,
                                                      ResponseShare.therapist_id.not_in(wanted)))
    for therapist_id in wanted:
        db.session.execute(insert_ignoring_conflict(ResponseShare).values(
            id=uuid.uuid4(), response_id=response.id, therapist_id=therapist_id))


def record_response_reads(therapist: User, responses: Iterable[MeasureResponse]) -> None:
    """Note that the therapist was shown these responses (the patient's access log; not committed)."""
    for response in responses:
        db.session.add(ResponseRead(response_id=response.id, therapist_id=therapist.id))


def _visible_flags(therapist_id: uuid.UUID) -> sa.Select:
    """SELECT of the flagged responses this therapist may read."""
    return sa.select(MeasureResponse).where(MeasureResponse.safety_flag.is_(True), response_visible_to(therapist_id))


def open_safety_flags(therapist: User, patient_id: uuid.UUID | None = None) -> list[MeasureResponse]:
    """Flagged responses this therapist may read and has not marked as seen, newest first."""
    reviewed = sa.exists().where(SafetyFlagReview.response_id == MeasureResponse.id,
                                 SafetyFlagReview.therapist_id == therapist.id)
    query = _visible_flags(therapist.id).where(~reviewed).order_by(MeasureResponse.completed_at.desc())
    if patient_id is not None:
        query = query.where(MeasureResponse.owner_id == patient_id)
    return list(db.session.scalars(query))


def mark_flag_seen(therapist: User, response: MeasureResponse) -> None:
    """Not committed; a second tap changes nothing."""
    db.session.execute(insert_ignoring_conflict(SafetyFlagReview).values(
        id=uuid.uuid4(), response_id=response.id, therapist_id=therapist.id))


def response_reads(patient_id: uuid.UUID, limit: int = 200) -> list[tuple[ResponseRead, MeasureResponse]]:
    """Therapists' reads of the patient's responses, newest first (the access log)."""
    rows = db.session.execute(
        sa.select(ResponseRead, MeasureResponse).join(MeasureResponse, MeasureResponse.id == ResponseRead.response_id)
        .where(MeasureResponse.owner_id == patient_id).order_by(ResponseRead.read_at.desc()).limit(limit))
    return [tuple(row) for row in rows]


def flags_raised(therapist_id: uuid.UUID, since, until) -> list[MeasureResponse]:
    """Flagged responses this therapist may read that reached the server in [since, until)."""
    return list(db.session.scalars(_visible_flags(therapist_id).where(
        MeasureResponse.received_at >= since, MeasureResponse.received_at < until)))
