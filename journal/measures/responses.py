"""The one write path of questionnaire responses: recorded once, scored by the server.

The device makes the response's UUID, so a response sent twice (a lost answer, a double
tap, two tabs) is stored once: the insert leaves an existing row alone, and the second
sender is answered from the stored row, exactly as the first was.
"""
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from journal.database import insert_ignoring_conflict
from journal.dosing.models import DosingSession
from journal.extensions import db
from journal.measures.instruments import instruments
from journal.measures.models import MeasureResponse
from journal.measures.protocol import timepoint_for
from journal.measures.scoring import AnswerError, check_answers, score
from journal.timeutil import local_date, utcnow

#: A device clock a little ahead of the server's is not a fault.
CLOCK_SLACK = timedelta(minutes=10)
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)


class Invalid(Exception):
    """The response cannot be recorded as sent; ``fields`` says why, per field."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields)
        self.fields = fields


class NotYours(Exception):
    """The UUID is another account's response (answered as 404)."""


class Conflict(Exception):
    """The UUID was recorded before with other answers; ``current`` is the stored response."""

    def __init__(self, current: MeasureResponse):
        super().__init__(current.id)
        self.current = current


@dataclass(frozen=True)
class Recorded:
    response: MeasureResponse
    created: bool


def _fingerprint(instrument_id: str, answers: list, session_id) -> str:
    # Not the time: a form posted twice (a double tap) is stamped twice, and is one response.
    sent = [instrument_id, answers, str(session_id) if session_id else None]
    return hashlib.sha256(json.dumps(sent, separators=(",", ":")).encode()).hexdigest()


def _checked(owner_id, instrument_id, answers, completed_at, session_id):
    """The instrument, the clean answers and the session, or ``Invalid`` naming every problem."""
    problems: dict[str, list[str]] = {}
    known = instruments()
    found = known.get(instrument_id) if isinstance(instrument_id, str) else None
    clean = None
    if found is None:
        problems["instrument"] = [f"Unknown instrument {instrument_id!r}. Known: {', '.join(sorted(known))}."]
    else:
        try:
            clean = check_answers(found, answers)
        except AnswerError as error:
            problems["answers"] = [str(error)]
    if completed_at > utcnow() + CLOCK_SLACK:
        problems["completed_at"] = ["completed_at is in the future; check the device's clock."]
    elif completed_at < EARLIEST:
        problems["completed_at"] = ["completed_at is before the year 2000."]
    session = None
    if session_id is not None:
        session = db.session.get(DosingSession, session_id)
        if session is None or session.owner_id != owner_id:
            problems["dosing_session_id"] = ["That is not one of your dosing sessions."]
    if problems:
        raise Invalid(problems)
    return found, clean, session


def record_response(owner_id: uuid.UUID, response_id: uuid.UUID, instrument_id: str, answers: list,
                    completed_at: datetime, dosing_session_id: uuid.UUID | None, tz_name: str) -> Recorded:
    """Record a completed questionnaire once; not committed.

    :raise Invalid: unknown instrument, wrong answers, a bad time or someone else's session.
    :raise NotYours: the UUID belongs to another account's response.
    :raise Conflict: the UUID was recorded with different answers.
    """
    existing = db.session.get(MeasureResponse, response_id)
    if existing is not None and existing.owner_id != owner_id:
        raise NotYours(response_id)
    instrument, clean, session = _checked(owner_id, instrument_id, answers, completed_at, dosing_session_id)
    print_ = _fingerprint(instrument.id, clean, dosing_session_id)
    created = False
    if existing is None:
        result = score(instrument, clean)
        timepoint = (timepoint_for(owner_id, session, instrument.id, local_date(completed_at, tz_name))
                     if session else None)
        inserted = db.session.execute(insert_ignoring_conflict(MeasureResponse).values(
            id=response_id, owner_id=owner_id, instrument=instrument.id, answers=clean,
            completed_at=completed_at, dosing_session_id=dosing_session_id, timepoint=timepoint,
            total=result.total, band=result.band, score=result.as_json(),
            safety_flag=any(rule["id"] in result.flags for rule in instrument.safety_rules), fingerprint=print_,
            received_at=utcnow()).returning(MeasureResponse.id))
        # RETURNING, not rowcount: PostgreSQL's driver reports -1 for this INSERT.
        created = inserted.scalar_one_or_none() is not None
        existing = db.session.execute(
            sa.select(MeasureResponse).where(MeasureResponse.id == response_id)
            .execution_options(populate_existing=True)).scalar_one()
    if existing.owner_id != owner_id:
        raise NotYours(response_id)
    if existing.fingerprint != print_:
        raise Conflict(existing)
    return Recorded(existing, created)


def delete_response(owner_id: uuid.UUID, response_id: uuid.UUID) -> bool:
    """Delete one of the patient's responses for good (not committed); False if none."""
    deleted = db.session.execute(sa.delete(MeasureResponse).where(
        MeasureResponse.id == response_id, MeasureResponse.owner_id == owner_id))
    return deleted.rowcount == 1
