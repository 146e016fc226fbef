"""Build dosing sessions, entries and steps straight in the database."""
import uuid
from datetime import date, timedelta

from journal.dosing.models import DosingSession
from journal.entries.models import ActionStep, Entry
from journal.entries.writes import Prefill, write_entry
from journal.extensions import db
from journal.timeutil import utcnow


def create_session(owner, *, substance="psilocybin", day: date | None = None, **fields) -> DosingSession:
    session = DosingSession(owner_id=owner.id, substance=substance,
                            date=day or date.today() - timedelta(days=3), **fields)
    db.session.add(session)
    db.session.commit()
    return session


def create_entry(owner, *, insights="Felt the river of grief move.", mood=6, steps=(), written_at=None,
                 emotions=("clarity",), dosing_session=None, deleted=False) -> Entry:
    """An entry written through the one write path, as the app would (committed)."""
    action_steps = []
    for position, step in enumerate(steps):
        text, due = (step, None) if isinstance(step, str) else step
        action_steps.append(ActionStep(text=text, due_date=due, position=position))
    fields = dict(insights=insights, mood=mood, emotions=list(emotions), written_at=written_at or utcnow(),
                  dosing_session_id=dosing_session.id if dosing_session else None, action_steps=action_steps,
                  deleted_at=utcnow() if deleted else None)
    entry = write_entry(owner.id, uuid.uuid4(), Prefill(fields)).entry
    db.session.commit()
    return entry


def create_link(patient, therapist, *, ended=False):
    """A care link, as if the patient had accepted the therapist's invitation."""
    from journal.care.models import CareLink

    link = CareLink(patient_id=patient.id, therapist_id=therapist.id)
    if ended:
        link.ended_at = utcnow()
    db.session.add(link)
    db.session.commit()
    return link


def share_entry(entry, therapist):
    from journal.care.models import Share

    share = Share(entry_id=entry.id, therapist_id=therapist.id)
    db.session.add(share)
    db.session.commit()
    return share


def create_response(owner, instrument="phq9", answers=None, *, completed_at=None, dosing_session=None,
                    timepoint="baseline"):
    """A questionnaire response through the one write path (committed). ``timepoint`` None makes
    it self-started (private until shared); a timepoint makes it one the protocol asked for."""
    from journal.measures.instruments import instrument as find
    from journal.measures.responses import record_response

    answers = answers if answers is not None else [0] * len(find(instrument).items)
    recorded = record_response(owner.id, uuid.uuid4(), instrument, list(answers), completed_at or utcnow(),
                               dosing_session.id if dosing_session else None, owner.timezone)
    recorded.response.timepoint = timepoint
    db.session.commit()
    return recorded.response


def share_response(response, therapist):
    from journal.care.measure_models import ResponseShare

    db.session.add(ResponseShare(response_id=response.id, therapist_id=therapist.id))
    db.session.commit()
