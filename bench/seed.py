"""Bench data written through the app's one write path (``write_entry`` + ``Prefill``),
and a care team made through the care service (invitation, shares)."""
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from journal.auth.models import THERAPIST, User
from journal.auth.passwords import hash_password
from journal.care.models import Share
from journal.care.service import accept_invitation, active_link_between, create_invitation, set_shares
from journal.entries.models import EMOTIONS, ActionStep, Entry
from journal.entries.writes import MoveToTrash, Prefill, write_entry
from journal.extensions import db
from journal.therapist.models import Meeting
from journal.timeutil import local_date, utcnow

PASSWORD = "bench-password-2026"
BATCH = 1_000
#: The tables an entry write touches, whose statistics ``hold_statistics`` holds.
ENTRY_TABLES = ("entries", "action_steps", "sync_receipts", "change_counters", "shares", "entry_reads")
#: About the length of a paragraph a patient writes after a session.
INSIGHT = ("Walked by the river and noticed the grief was softer today; "
           "wrote down what the guide said about letting the body lead. ")


def bench_email(n: int) -> str:
    return f"bench-{n}@example.org"


def ensure_users(count: int) -> list[tuple[uuid.UUID, str]]:
    """Patients ``bench-0`` … ``bench-<count-1>``, with the bench password (committed);
    their (id, email), which outlive the session."""
    users = []
    password_hash = None
    for n in range(count):
        user = db.session.scalar(sa.select(User).where(User.email == bench_email(n)))
        if user is None:
            password_hash = password_hash or hash_password(PASSWORD)
            user = User(email=bench_email(n), display_name=f"Bench {n}", password_hash=password_hash)
            db.session.add(user)
        users.append(user)
    db.session.commit()
    return [(user.id, user.email) for user in users]


def entry_content(n: int, now: datetime) -> dict:
    """The ``n``-th entry's fields but its action step: a paragraph, a mood, two emotions,
    written ``n`` minutes before ``now``."""
    return {"insights": f"{n}: {INSIGHT * 3}", "mood": n % 10 + 1,
            "emotions": [EMOTIONS[n % len(EMOTIONS)], EMOTIONS[(n * 7) % len(EMOTIONS)]],
            "written_at": now - timedelta(minutes=n)}


def step_text(n: int) -> str:
    """The text of the ``n``-th entry's one action step."""
    return f"Call a friend about {n}"


def grow_journal(owner_id: uuid.UUID, target: int, progress=None) -> int:
    """Write entries for the owner until they have ``target``; each one a minute older
    than the last, so the newest page stays the same as the journal grows.

    Commits every ``BATCH`` entries and forgets them, so memory stays flat. Returns how
    many it wrote.
    """
    have = db.session.scalar(sa.select(sa.func.count()).where(Entry.owner_id == owner_id))
    now = utcnow()
    for n in range(have, target):
        write_entry(owner_id, uuid.uuid4(), Prefill({
            **entry_content(n, now), "action_steps": [ActionStep(text=step_text(n), position=0)]}))
        if (n + 1) % BATCH == 0:
            db.session.commit()
            db.session.expunge_all()
            if progress:
                progress(n + 1)
    db.session.commit()
    return max(0, target - have)


def ensure_therapist(patient_id: uuid.UUID) -> uuid.UUID:
    """A therapist in the patient's care team, linked the way a patient links one: the
    therapist's invitation code, accepted by the patient (committed); the therapist's id."""
    email = "bench-therapist@example.org"
    therapist = db.session.scalar(sa.select(User).where(User.email == email))
    if therapist is None:
        therapist = User(email=email, display_name="Bench Therapist", role=THERAPIST,
                         password_hash=hash_password(PASSWORD))
        db.session.add(therapist)
        db.session.commit()
    if active_link_between(patient_id, therapist.id) is None:
        accept_invitation(db.session.get(User, patient_id), create_invitation(therapist))
        db.session.commit()
    return therapist.id


def _every(owner_id: uuid.UUID, nth: int, offset: int = 0) -> list[uuid.UUID]:
    """Ids of every ``nth`` entry of the owner, newest first, starting at ``offset``."""
    ids = db.session.scalars(sa.select(Entry.id).where(Entry.owner_id == owner_id)
                             .order_by(Entry.written_at.desc(), Entry.id.desc()))
    return [entry_id for n, entry_id in enumerate(ids) if n % nth == offset]


def share_every(owner_id: uuid.UUID, therapist_id: uuid.UUID, nth: int) -> int:
    """Share every ``nth`` entry with the therapist through ``set_shares`` (one INSERT …
    ON CONFLICT DO NOTHING and one DELETE per entry), ``BATCH`` entries a commit.

    Then each share is dated when its entry was written, as when a patient ticks the
    therapist while writing: shares all dated today would all count as "shared since the
    last meeting" on "Prepare for session". That one UPDATE is the only bulk SQL here.
    """
    ids = _every(owner_id, nth)
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        entries = db.session.scalars(sa.select(Entry).where(Entry.id.in_(batch))).all()
        set_shares(entries, owner_id, [therapist_id])
        db.session.execute(sa.update(Share).where(Share.entry_id == Entry.id, Share.therapist_id == therapist_id,
                                                  Entry.id.in_(batch)).values(created_at=Entry.written_at))
        db.session.commit()
        db.session.expunge_all()
    return len(ids)


def trash_every(owner_id: uuid.UUID, nth: int) -> int:
    """Move every ``nth`` entry (not one of the shared ones) to the Trash, through ``write_entry``."""
    ids = _every(owner_id, nth, offset=nth // 2)
    for n, entry_id in enumerate(ids, 1):
        write_entry(owner_id, entry_id, MoveToTrash())
        if n % BATCH == 0:
            db.session.commit()
            db.session.expunge_all()
    db.session.commit()
    return len(ids)


def ensure_meeting(therapist_id: uuid.UUID, patient_id: uuid.UUID, days_ago: int) -> None:
    """A past meeting, so "Prepare for session" has a "since" (committed)."""
    therapist = db.session.get(User, therapist_id)
    held_on = local_date(utcnow(), therapist.timezone) - timedelta(days=days_ago)
    if db.session.scalar(sa.select(Meeting).where(Meeting.therapist_id == therapist_id,
                                                  Meeting.patient_id == patient_id)) is None:
        db.session.add(Meeting(therapist_id=therapist_id, patient_id=patient_id, held_on=held_on))
        db.session.commit()


def analyze(engine: sa.Engine | None = None) -> None:
    """Fresh planner statistics, as autovacuum's ANALYZE would leave them (PostgreSQL only),
    on ``engine`` (default: the app's)."""
    engine = engine or db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def hold_statistics(hold: bool, engine: sa.Engine | None = None) -> None:
    """Keep autovacuum from analysing the entry tables (``hold``), so statistics stay as
    the last ANALYZE left them; ``hold=False`` gives them back to autovacuum. On ``engine``
    (default: the app's); a table an older revision does not have is skipped."""
    engine = engine or db.engine
    if engine.dialect.name != "postgresql":
        return
    setting = "false" if hold else "true"
    tables = [table for table in ENTRY_TABLES if sa.inspect(engine).has_table(table)]
    with engine.begin() as connection:
        for table in tables:
            connection.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = {setting})")
