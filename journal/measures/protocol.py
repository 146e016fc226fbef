"""When questionnaires are asked for: timepoints counted from each dosing session.

The default protocol asks for symptom and wellbeing measures before a session and at one,
two, four and twelve weeks after it, for the acute-experience questionnaire the evening of
the session and the emotional-breakthrough one the next day. A therapist may change which
instruments each timepoint asks for, per patient (``MeasureProtocol``).
"""
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from journal.dosing.models import DosingSession
from journal.extensions import db
from journal.measures.instruments import instruments
from journal.measures.models import MeasureProtocol, MeasureResponse
from journal.timeutil import utcnow

SYMPTOMS = ("phq9", "gad7", "who5")


@dataclass(frozen=True)
class Timepoint:
    key: str
    #: Shown to the patient before the session's name: "1 week after your … session".
    label: str
    #: The window in days from the session's date, both ends included.
    first_day: int
    last_day: int
    default: tuple[str, ...]

    def contains(self, day: int) -> bool:
        return self.first_day <= day <= self.last_day


TIMEPOINTS = [
    Timepoint("baseline", "Before your", -14, 0, SYMPTOMS),
    Timepoint("evening", "The evening of your", 0, 2, ("meq30",)),
    Timepoint("next_day", "The day after your", 1, 6, ("ebi",)),
    Timepoint("week1", "1 week after your", 7, 13, SYMPTOMS),
    Timepoint("week2", "2 weeks after your", 14, 27, SYMPTOMS),
    Timepoint("week4", "4 weeks after your", 28, 55, SYMPTOMS),
    Timepoint("week12", "12 weeks after your", 84, 111, SYMPTOMS),
]
TIMEPOINT_KEYS = [timepoint.key for timepoint in TIMEPOINTS]
LATEST_DAY = max(timepoint.last_day for timepoint in TIMEPOINTS)
EARLIEST_DAY = min(timepoint.first_day for timepoint in TIMEPOINTS)


def default_plan() -> dict[str, list[str]]:
    known = instruments()
    return {tp.key: [i for i in tp.default if i in known] for tp in TIMEPOINTS}


def plan_for(patient_id: uuid.UUID) -> dict[str, list[str]]:
    """``{timepoint: [instrument id, …]}`` for this patient: the therapist's, else the default."""
    custom = db.session.get(MeasureProtocol, patient_id)
    if custom is None:
        return default_plan()
    known = instruments()
    return {key: [i for i in custom.plan.get(key, []) if i in known] for key in TIMEPOINT_KEYS}


def set_plan(patient_id: uuid.UUID, plan: dict[str, list[str]], therapist_id: uuid.UUID) -> None:
    """Replace the patient's protocol (not committed). Unknown timepoints or instruments are
    dropped: the form offers only known ones."""
    known = instruments()
    clean = {key: [i for i in known if i in plan.get(key, [])] for key in TIMEPOINT_KEYS}
    row = db.session.get(MeasureProtocol, patient_id)
    if row is None:
        row = MeasureProtocol(patient_id=patient_id)
        db.session.add(row)
    row.plan, row.set_by_id, row.updated_at = clean, therapist_id, utcnow()


def reset_plan(patient_id: uuid.UUID) -> None:
    """Back to the default protocol (not committed)."""
    db.session.execute(sa.delete(MeasureProtocol).where(MeasureProtocol.patient_id == patient_id))


@dataclass(frozen=True)
class Due:
    """The questionnaires one timepoint of one session still asks for."""

    session: DosingSession
    timepoint: Timepoint
    day: int
    instruments: list[str]

    @property
    def headline(self) -> str:
        """"Day 7 after your psilocybin session: 3 short questionnaires"."""
        count = len(self.instruments)
        what = f"{count} short questionnaire{'s' if count != 1 else ''}"
        substance = self.session.substance_label
        if self.timepoint.key in ("baseline", "evening", "next_day"):
            return f"{self.timepoint.label} {substance} session: {what}"
        return f"Day {self.day} after your {substance} session: {what}"


def _answered(patient_id: uuid.UUID, session_ids: list[uuid.UUID]) -> set[tuple]:
    if not session_ids:
        return set()
    rows = db.session.execute(
        sa.select(MeasureResponse.dosing_session_id, MeasureResponse.timepoint, MeasureResponse.instrument)
        .where(MeasureResponse.owner_id == patient_id, MeasureResponse.dosing_session_id.in_(session_ids),
               MeasureResponse.timepoint.is_not(None)))
    return {tuple(row) for row in rows}


def due_now(patient_id: uuid.UUID, today: date, *, sessions: list[DosingSession] | None = None) -> list[Due]:
    """What the protocol asks of the patient today (their own calendar day), most recent
    session first. A questionnaire answered for a timepoint is not asked again.

    ``sessions``: all the patient's dosing sessions, when the caller has them loaded
    already (the journal page lists them), which saves a query.
    """
    sessions = _in_some_window(patient_id, today, sessions)
    if not sessions:  # most journal pages: no session in any window, no more queries
        return []
    answered = _answered(patient_id, [s.id for s in sessions])
    plan = plan_for(patient_id)
    found = []
    for session in sessions:
        day = (today - session.date).days
        for timepoint in TIMEPOINTS:
            if not timepoint.contains(day):
                continue
            left = [i for i in plan[timepoint.key] if (session.id, timepoint.key, i) not in answered]
            if left:
                found.append(Due(session, timepoint, day, left))
    return found


def _in_some_window(patient_id: uuid.UUID, today: date,
                    loaded: list[DosingSession] | None) -> list[DosingSession]:
    """The patient's sessions some timepoint's window holds today, most recent first."""
    earliest, latest = today - timedelta(days=LATEST_DAY), today - timedelta(days=EARLIEST_DAY)
    if loaded is None:
        return db.session.scalars(
            sa.select(DosingSession).where(DosingSession.owner_id == patient_id, DosingSession.date >= earliest,
                                           DosingSession.date <= latest)
            .order_by(DosingSession.date.desc(), DosingSession.id)).all()
    return sorted((s for s in loaded if earliest <= s.date <= latest), key=lambda s: (-s.date.toordinal(), s.id))


def timepoint_for(patient_id: uuid.UUID, session: DosingSession, instrument_id: str, day: date) -> str | None:
    """The protocol timepoint a response to ``instrument_id`` on ``day`` answers for this
    session, or None when the protocol did not ask for it then (the patient started it)."""
    offset = (day - session.date).days
    plan = plan_for(patient_id)
    answered = _answered(patient_id, [session.id])
    fitting = [tp.key for tp in TIMEPOINTS if tp.contains(offset) and instrument_id in plan[tp.key]]
    for key in fitting:
        if (session.id, key, instrument_id) not in answered:
            return key
    return fitting[0] if fitting else None
