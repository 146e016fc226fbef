"""Demo data for ``seed-demo``: patients a few weeks into integration, and their therapist.

Sam is not linked to the therapist, so a new user can try the whole care-team flow:
the therapist invites, Sam enters the code and shares. Alex is already linked and has
shared some entries, so the therapist's workspace has something to show at once; Alex's
questionnaires over two dosing sessions give the outcomes chart a story.
"""
import uuid
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from journal.auth.models import PATIENT, THERAPIST, User
from journal.auth.passwords import hash_password
from journal.care.models import CareLink, Comment, ReflectionPrompt, Share
from journal.dosing.models import DosingSession
from journal.entries.models import ActionStep, Entry
from journal.entries.writes import Prefill, write_entry
from journal.extensions import db
from journal.measures.instruments import instruments
from journal.measures.responses import record_response
from journal.therapist.models import Meeting
from journal.timeutil import utcnow

DEMO_PASSWORD = "integration-demo-2026"
DEMO_LOGINS = [
    ("patient", "patient@demo.example", DEMO_PASSWORD),
    ("therapist", "therapist@demo.example", DEMO_PASSWORD),
    ("patient (already in the therapist's care)", "alex@demo.example", DEMO_PASSWORD),
]

DEMO_ENTRIES = [
    # (days after session, mood, emotions, insights, steps [(text, due in days, done)])
    (0, 6, ["awe", "vulnerability", "tenderness"],
     "Still buzzing. The clearest image was of my grandmother's kitchen and the feeling "
     "that I had been holding my breath since I was nine.\nI want to remember how soft everything felt.",
     [("Write down the kitchen image in detail", 1, True)]),
    (1, 4, ["grief", "sadness", "clarity"],
     "Heavy morning. The grief that came up was not only about Mum — it was about the years "
     "I kept busy so I would not feel it. Cried on the walk, which felt like release, not collapse.",
     [("Call Anna and tell her about the session", 3, True), ("Walk without my phone, 20 minutes daily", 7, False)]),
    (3, 7, ["hope", "gratitude", "connection"],
     "Told Anna. She listened without fixing. I noticed I could say \"I need help\" without "
     "apologising three times. Small, but new.",
     [("Book the next integration session", 5, False)]),
    (8, 5, ["restlessness", "anxiety", "curiosity"],
     "Back at work and the old rush is creeping in. Used the breathing from the session "
     "before the 10am meeting. Worked for a few minutes — that counts.",
     [("Block 15 minutes after lunch for breathing", -1, False), ("Journal before bed three nights this week", 10, False)]),
    (13, 7, ["peace", "clarity", "love"],
     "Two weeks on. The insight that keeps returning: rest is not something I have to earn.",
     []),
]


def create_demo_accounts() -> None:
    patient = User(email=DEMO_LOGINS[0][1], display_name="Sam (demo patient)", role=PATIENT,
                   password_hash=hash_password(DEMO_PASSWORD), timezone="Europe/London")
    therapist = User(email=DEMO_LOGINS[1][1], display_name="Dr. Rivera (demo therapist)",
                     role=THERAPIST, password_hash=hash_password(DEMO_PASSWORD),
                     timezone="Europe/London")
    db.session.add_all([patient, therapist])
    db.session.flush()
    _journal(patient)
    linked = User(email=DEMO_LOGINS[2][1], display_name="Alex (demo patient)", role=PATIENT,
                  password_hash=hash_password(DEMO_PASSWORD), timezone="Europe/London")
    db.session.add(linked)
    db.session.flush()
    _care_team(linked, therapist, _journal(linked))
    _measures(linked)
    db.session.commit()


def _journal(patient: User) -> list[Entry]:
    """A dosing session two weeks ago and five entries since."""
    session_day = date.today() - timedelta(days=14)
    session = DosingSession(owner_id=patient.id, date=session_day, substance="psilocybin",
                            dose="25 mg, clinical setting", setting="Clinic, with two facilitators",
                            intention="To understand why I cannot rest.")
    db.session.add(session)
    db.session.flush()
    now = utcnow()
    start = now - timedelta(days=14)
    entries = []
    for days, mood, emotions, insights, steps in DEMO_ENTRIES:
        written = min(start + timedelta(days=days, hours=9), now)
        action_steps = []
        for position, (text, due_in, done) in enumerate(steps):
            step = ActionStep(text=text, due_date=(written + timedelta(days=due_in)).date(),
                              position=position)
            step.set_done(done)
            if done:  # ticked off the day after writing, not at seeding time
                step.done_at = min(written + timedelta(days=1), now)
            action_steps.append(step)
        fields = dict(dosing_session_id=session.id, insights=insights, mood=mood, emotions=emotions,
                      written_at=written, created_at=written, action_steps=action_steps)
        entries.append(write_entry(patient.id, uuid.uuid4(), Prefill(fields)).entry)
    db.session.flush()
    return entries


def _care_team(patient: User, therapist: User, entries: list[Entry]) -> None:
    """Linked a fortnight ago; three entries shared, a comment, a meeting and a prompt."""
    start = utcnow() - timedelta(days=14)
    db.session.add(CareLink(patient_id=patient.id, therapist_id=therapist.id, created_at=start))
    for entry in (entries[1], entries[3], entries[4]):
        db.session.add(Share(entry_id=entry.id, therapist_id=therapist.id, created_at=entry.written_at))
    db.session.add(Comment(entry_id=entries[1].id, therapist_id=therapist.id,
                           body="Crying on the walk as release, not collapse — let's stay with that next time.",
                           created_at=entries[1].written_at + timedelta(hours=20)))
    db.session.add(Meeting(therapist_id=therapist.id, patient_id=patient.id,
                           held_on=(utcnow() - timedelta(days=7)).date()))
    db.session.add(ReflectionPrompt(therapist_id=therapist.id, patient_id=patient.id,
                                    text="What did the grief you met want you to know?"))


#: Alex's story in questionnaires: (days from the session of two weeks ago, instrument,
#: total). An earlier session ten weeks before it shows a first course of integration.
DEMO_MEASURES = [
    (-73, "phq9", 17), (-73, "gad7", 14), (-73, "who5", 6),
    (-63, "phq9", 13), (-63, "gad7", 11), (-63, "who5", 9),
    (-56, "phq9", 12), (-56, "gad7", 10), (-56, "who5", 10),
    (-42, "phq9", 11), (-42, "gad7", 9), (-42, "who5", 11),
    (-3, "phq9", 12), (-3, "gad7", 10), (-3, "who5", 10),
    (0, "meq30", 128),
    (7, "phq9", 7), (7, "gad7", 6), (7, "who5", 15),
    (14, "phq9", 5), (14, "gad7", 4), (14, "who5", 17),
]


def _answers(instrument, total: int) -> list[int]:
    """Answers that add up to ``total``, spread evenly, item by item (PHQ-9's item 9 stays 0)."""
    items = list(instrument.items)
    fillable = [item for item in items if not (instrument.id == "phq9" and item.number == 9)]
    answers = {item.number: 0 for item in items}
    while total > 0:
        for item in fillable:
            if total and answers[item.number] < item.max_value():
                answers[item.number] += 1
                total -= 1
    return [answers[item.number] for item in items]


def _measures(patient: User) -> None:
    """Questionnaires through their write path, on the protocol's days."""
    recent = db.session.scalar(sa.select(DosingSession).where(DosingSession.owner_id == patient.id))
    first = DosingSession(owner_id=patient.id, date=recent.date - timedelta(days=70), substance="psilocybin",
                          dose="20 mg, clinical setting", intention="To meet the fear without running.")
    db.session.add(first)
    db.session.flush()
    for day, instrument_id, total in DEMO_MEASURES:
        session = first if day < -3 else recent
        completed = datetime.combine(recent.date + timedelta(days=day), time(20), tzinfo=timezone.utc)
        instrument = instruments()[instrument_id]
        record_response(patient.id, uuid.uuid4(), instrument_id, _answers(instrument, total),
                        min(completed, utcnow()), session.id, patient.timezone)
