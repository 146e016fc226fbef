"""Bench data written through the app's one write path (``write_entry`` + ``Prefill``)."""
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from journal.auth.models import User
from journal.auth.passwords import hash_password
from journal.entries.models import EMOTIONS, ActionStep, Entry
from journal.entries.writes import Prefill, write_entry
from journal.extensions import db
from journal.timeutil import utcnow

PASSWORD = "bench-password-2026"
BATCH = 1_000
#: The tables an entry write touches, whose statistics ``hold_statistics`` holds.
ENTRY_TABLES = ("entries", "action_steps", "sync_receipts", "change_counters")
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
