"""EXPLAIN (ANALYZE, BUFFERS) of the hot read queries on PostgreSQL, with stale and with
fresh statistics, for one patient with a large journal.

The statements are the ones the app itself sends (captured from ``list_entries`` and
``changes_since``), so this stays true when the read path changes. Standalone:

    JOURNAL_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/explain.py [ENTRIES]      # default 100,000

creates a fresh database, seeds 1,000 entries, ANALYZEs, grows to ENTRIES with
autovacuum held off (stale statistics), explains, ANALYZEs, explains again, drops it.
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


def captured(call) -> list[tuple[str, dict]]:
    """The SELECT statements (with parameters) that ``call()`` sends."""
    from journal.extensions import db

    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
        db.session.rollback()
    return statements


def hot_queries(owner_id: uuid.UUID) -> dict[str, list[tuple[str, dict]]]:
    """The journal page's first page, the feed's first page, and a nearly caught-up device."""
    from flask import current_app

    from journal.api.routes import CHANGES_LIMIT
    from journal.entries.changes import changes_since, encode_change_cursor
    from journal.entries.models import Entry
    from journal.entries.service import list_entries
    from journal.extensions import db

    last = db.session.scalar(sa.select(sa.func.max(Entry.change_seq)).where(Entry.owner_id == owner_id)) or 0
    per_page = current_app.config["ENTRIES_PER_PAGE"]
    return {
        f"journal page: list_entries(per_page={per_page})":
            captured(lambda: list_entries(owner_id, per_page=per_page)),
        f"changes feed, first page: changes_since(None, {CHANGES_LIMIT})":
            captured(lambda: changes_since(owner_id, None, CHANGES_LIMIT)),
        f"changes feed, device 5 changes behind: changes_since(seq {last - 5}, {CHANGES_LIMIT})":
            captured(lambda: changes_since(owner_id, encode_change_cursor(last - 5), CHANGES_LIMIT)),
    }


def explain_hot_queries(owner_id: uuid.UUID, heading: str) -> str:
    """Markdown: each hot statement and its EXPLAIN (ANALYZE, BUFFERS), run twice (the
    second run is shown: caches warm, as on a busy server)."""
    from journal.extensions import db

    out = [f"### {heading}", ""]
    for name, statements in hot_queries(owner_id).items():
        out += [f"#### {name}", ""]
        for statement, parameters in statements:
            connection = db.session.connection()
            for _ in range(2):
                plan = [row[0] for row in connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)]
            out += ["```sql", _short(" ".join(statement.split())), "```", "```", *map(_short, plan), "```", ""]
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
            analyze()
            hold_statistics(True)
            started = time.perf_counter()
            grow_journal(owner_id, entries)
            print(f"<!-- grew to {entries:,} entries in {time.perf_counter() - started:.0f} s -->\n")
            print(explain_hot_queries(owner_id, f"{entries:,} entries, stale statistics (last ANALYZE at 1,000)"))
            analyze()
            print(explain_hot_queries(owner_id, f"{entries:,} entries, fresh statistics (after ANALYZE)"))
            db.session.remove()
            db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
