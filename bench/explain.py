"""EXPLAIN (ANALYZE, BUFFERS) of the hot read queries on PostgreSQL, with stale and with
fresh statistics, for one patient with a large journal.

The statements are the ones the app itself sends (captured while calling the functions
the views call: ``list_entries``, ``changes_since``, the therapist's ``timeline``,
``dashboard`` and ``prepare``), so this stays true when the read path changes. Standalone:

    JOURNAL_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/explain.py [ENTRIES]      # default 100,000

creates a fresh database, seeds 1,000 entries and a care team (a therapist who is shared
every 10th entry; every 50th in the Trash), ANALYZEs, grows to ENTRIES with autovacuum
held off (stale statistics), shares and trashes the same portions of the new entries,
explains, ANALYZEs, explains again, drops it.
``make bench BENCH_LARGE=1`` prints the same from its own run.
"""
import os
import re
import sys
import tempfile
import time
import uuid

import sqlalchemy as sa


def _short(text: str) -> str:
    """Long id lists (the steps query's ``IN``, its plan's array) cut to their count."""
    text = re.sub(r"\(%\(primary_keys_1\)s::UUID(?:, %\(primary_keys_\d+\)s::UUID)*\)",
                  lambda m: f"(%(primary_keys_1)s::UUID, … {m.group(0).count('primary_keys')} ids)", text)
    return re.sub(r"'\{([0-9a-f-]{36},)+[0-9a-f-]{36}\}'",
                  lambda m: f"'{{… {m.group(0).count(',') + 1} ids}}'", text)


#: The bench's own reload of the patient or therapist after the previous capture's
#: rollback (in a request, Flask-Login has loaded the user already): not a hot query.
USER_RELOAD = re.compile(r"FROM users WHERE users\.id = %\(pk_1\)s::UUID$")


def captured(call) -> list[tuple[str, dict]]:
    """The SELECT statements (with parameters) that ``call()`` sends."""
    from journal.extensions import db

    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and not USER_RELOAD.search(" ".join(statement.split())):
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
        db.session.rollback()
    return statements


#: The share of a patient's entries shared with the therapist, and of them in the Trash.
SHARE_EVERY = 10
TRASH_EVERY = 50
#: The last meeting, for "Prepare for session": entries since then are on that page.
MEETING_DAYS_AGO = 2


def seed_care_team(owner_id: uuid.UUID) -> uuid.UUID:
    """A therapist linked to the patient, every ``SHARE_EVERY``-th entry shared with them,
    every ``TRASH_EVERY``-th in the Trash, and a meeting ``MEETING_DAYS_AGO`` days ago;
    all through the app's own code (committed). The therapist's id."""
    from seed import ensure_meeting, ensure_therapist, share_every, trash_every

    therapist_id = ensure_therapist(owner_id)
    share_every(owner_id, therapist_id, SHARE_EVERY)
    trash_every(owner_id, TRASH_EVERY)
    ensure_meeting(therapist_id, owner_id, MEETING_DAYS_AGO)
    return therapist_id


def hot_queries(owner_id: uuid.UUID, therapist_id: uuid.UUID) -> dict[str, list[tuple[str, dict]]]:
    """The patient's journal page and Trash, the feed's first page and a nearly caught-up
    device, and the therapist's timeline of the patient, dashboard and "Prepare for session"."""
    from flask import current_app

    from journal.api.routes import CHANGES_LIMIT
    from journal.auth.models import User
    from journal.care.on_entries import CARD_MARKS, list_context
    from journal.entries.changes import changes_since, encode_change_cursor
    from journal.entries.models import Entry
    from journal.entries.service import list_entries, trashed_entries
    from journal.extensions import db
    from journal.therapist.service import dashboard, prepare, shared_sessions, timeline, unread_ids

    last = db.session.scalar(sa.select(sa.func.max(Entry.change_seq)).where(Entry.owner_id == owner_id)) or 0
    per_page = current_app.config["ENTRIES_PER_PAGE"]
    patient, therapist = db.session.get(User, owner_id), db.session.get(User, therapist_id)

    def journal_page():
        page = list_entries(owner_id, per_page=per_page, marks=CARD_MARKS)
        list_context(patient, page.entries)

    def therapist_timeline():
        entries = timeline(therapist, patient)
        unread_ids(therapist, entries)
        shared_sessions(therapist, patient)

    return {
        f"journal page (GET /): list_entries(per_page={per_page}, marks=CARD_MARKS), list_context":
            captured(journal_page),
        "Trash (GET /trash): trashed_entries":
            captured(lambda: trashed_entries(owner_id)),
        "feed, first page (GET /api/v1/entries?limit=20): changes_since(None, 20)":
            captured(lambda: changes_since(owner_id, None, 20)),
        f"feed, device 5 changes behind: changes_since(seq {last - 5}, {CHANGES_LIMIT})":
            captured(lambda: changes_since(owner_id, encode_change_cursor(last - 5), CHANGES_LIMIT)),
        "therapist timeline (GET /therapist/patients/<id>): timeline, unread_ids, shared_sessions":
            captured(therapist_timeline),
        "therapist dashboard (GET /therapist/): dashboard":
            captured(lambda: dashboard(therapist)),
        "Prepare for session (GET /therapist/patients/<id>/prepare): prepare":
            captured(lambda: prepare(therapist, patient)),
    }


def _select_list_cut(statement: str) -> str:
    """``SELECT a, (SELECT …) AS b FROM`` as ``SELECT … FROM``: enough to tell the
    statements apart (the first FROM outside parentheses ends the select list)."""
    depth = 0
    for at, char in enumerate(statement):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and statement.startswith(" FROM ", at):
            return "SELECT …" + statement[at:]
    return statement


def explain_hot_queries(owner_id: uuid.UUID, therapist_id: uuid.UUID, heading: str, *, sql: bool = True) -> str:
    """Markdown: each hot statement and its EXPLAIN (ANALYZE, BUFFERS), run twice (the
    second run is shown: caches warm, as on a busy server). Without ``sql``, each statement
    is shown without its select list (for a second run of the same statements)."""
    from journal.extensions import db

    out = [f"### {heading}", ""]
    for name, statements in hot_queries(owner_id, therapist_id).items():
        out += [f"#### {name}", ""]
        for statement, parameters in statements:
            connection = db.session.connection()
            for _ in range(2):
                plan = [row[0] for row in connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)]
            shown = _short(" ".join(statement.split()))
            out += ["```sql", shown if sql else _select_list_cut(shown), "```",
                    "```", *map(_short, plan), "```", ""]
        db.session.rollback()
    return "\n".join(out)


def main() -> int:
    from databases import postgres_database, migrate
    from seed import analyze, ensure_users, grow_journal, hold_statistics

    from journal import create_app
    from journal.extensions import db

    if not os.environ.get("JOURNAL_BENCH_DATABASE_URL"):
        print("Set JOURNAL_BENCH_DATABASE_URL to a PostgreSQL server URL (a fresh database is made there).")
        return 2
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with postgres_database(os.environ["JOURNAL_BENCH_DATABASE_URL"]) as url, \
            tempfile.TemporaryDirectory(prefix="journal-bench-instance-") as instance:
        os.environ["JOURNAL_INSTANCE_PATH"] = instance
        migrate(url, instance)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-explain"})
        with app.app_context():
            (owner_id, _email), = ensure_users(1)
            grow_journal(owner_id, 1_000)
            seed_care_team(owner_id)
            analyze()
            hold_statistics(True)
            started = time.perf_counter()
            grow_journal(owner_id, entries)
            therapist_id = seed_care_team(owner_id)
            print(f"<!-- grew to {entries:,} entries (every {SHARE_EVERY}th shared, every {TRASH_EVERY}th "
                  f"in the Trash) in {time.perf_counter() - started:.0f} s -->\n")
            print(explain_hot_queries(owner_id, therapist_id,
                                      f"{entries:,} entries, stale statistics (last ANALYZE at 1,000)"))
            analyze()
            print(explain_hot_queries(owner_id, therapist_id, f"{entries:,} entries, fresh statistics (after ANALYZE)",
                                      sql=False))
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
