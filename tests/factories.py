"""Build dosing sessions, entries and steps straight in the database."""
from datetime import date, timedelta

from journal.dosing.models import DosingSession
from journal.entries.models import ActionStep, Entry
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
    entry = Entry(owner_id=owner.id, insights=insights, mood=mood, emotions=list(emotions),
                  written_at=written_at or utcnow(),
                  dosing_session_id=dosing_session.id if dosing_session else None)
    for position, step in enumerate(steps):
        text, due = (step, None) if isinstance(step, str) else step
        entry.action_steps.append(ActionStep(text=text, due_date=due, position=position))
    if deleted:
        entry.deleted_at = utcnow()
    db.session.add(entry)
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
