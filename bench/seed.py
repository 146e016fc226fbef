"""Bench data written through the app's one write path (``write_entry`` + ``Prefill``)."""
import uuid
from datetime import timedelta

import sqlalchemy as sa

from journal.auth.models import User
from journal.auth.passwords import hash_password
from journal.entries.models import EMOTIONS, ActionStep, Entry
from journal.entries.writes import Prefill, write_entry
from journal.extensions import db
from journal.timeutil import utcnow

PASSWORD = "bench-password-2026"
BATCH = 1_000
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
            "insights": f"{n}: {INSIGHT * 3}", "mood": n % 10 + 1,
            "emotions": [EMOTIONS[n % len(EMOTIONS)], EMOTIONS[(n * 7) % len(EMOTIONS)]],
            "written_at": now - timedelta(minutes=n),
            "action_steps": [ActionStep(text=f"Call a friend about {n}", position=0)]}))
        if (n + 1) % BATCH == 0:
            db.session.commit()
            db.session.expunge_all()
            if progress:
                progress(n + 1)
    db.session.commit()
    return max(0, target - have)


def analyze() -> None:
    """Fresh planner statistics, as autovacuum's ANALYZE would leave them (PostgreSQL only)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def hold_statistics(hold: bool) -> None:
    """Keep autovacuum from analysing the entry tables (``hold``), so statistics stay as
    the last ANALYZE left them; ``hold=False`` gives them back to autovacuum."""
    if db.engine.dialect.name != "postgresql":
        return
    setting = "false" if hold else "true"
    with db.engine.begin() as connection:
        for table in ("entries", "action_steps", "sync_receipts", "change_counters"):
            connection.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = {setting})")
