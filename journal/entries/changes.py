"""The changes feed: a patient's entry changes after a cursor, in the order they committed.

Each change carries the number its write took from the patient's ``ChangeCounter``
under a row lock, so numbers commit in order: "everything after N" never skips a
change that was still in flight when a device last read, whatever the app hosts'
clocks say.
"""
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import SimpleNamespace
from typing import NamedTuple

import sqlalchemy as sa

from journal.cursors import BadCursor, pack, unpack
from journal.entries.models import ActionStep, ChangeCounter, Entry, PurgedEntry
from journal.extensions import db
from journal.fields import EARLIEST_DATE, LATEST_DATE

CURSOR_KIND = "seq"
#: Cursors from before change numbers (time, id, kind): such a device starts over,
#: which is harmless because devices store entries by id.
_LEGACY_PARTS = 3
_MAX_SEQ = 2**63 - 1


class PurgedRecord(NamedTuple):
    """An entry deleted for good, as the feed sends it (see ``PurgedEntry``)."""
    entry_id: uuid.UUID
    purged_at: datetime
    change_seq: int


@dataclass
class ChangesPage:
    #: Entries as read-only records (tombstones in the Trash included) and entries
    #: deleted for good, oldest first.
    changes: list[SimpleNamespace | PurgedRecord]
    cursor: str | None
    has_more: bool


def encode_change_cursor(seq: int) -> str:
    return pack(CURSOR_KIND, str(seq))


def decode_change_cursor(cursor: str) -> int:
    """The change number the next page starts after.

    :raise BadCursor: for anything we did not encode.
    """
    try:
        kind, seq = unpack(cursor, 2)
    except BadCursor:
        return _legacy_start(cursor)
    if kind != CURSOR_KIND or not seq.isdigit() or int(seq) > _MAX_SEQ:
        raise BadCursor("not our cursor")
    return int(seq)


def _legacy_start(cursor: str) -> int:
    """A well-formed cursor from before change numbers starts over from the beginning.

    :raise BadCursor: for anything else.
    """
    moment, entry_id, kind = unpack(cursor, _LEGACY_PARTS)
    try:
        when = datetime.fromisoformat(moment)
        uuid.UUID(entry_id)
    except ValueError as error:
        raise BadCursor(str(error)) from error
    if when.tzinfo is None or kind not in ("last", "more") or not EARLIEST_DATE.year <= when.year <= LATEST_DATE.year:
        raise BadCursor("not our cursor")
    return 0


def changes_since(owner_id: uuid.UUID, cursor: str | None, limit: int) -> ChangesPage:
    """The owner's changes after ``cursor``, oldest first: entries (Trash tombstones
    included) and entries deleted for good, interleaved by change number.

    :raise BadCursor: for a cursor we did not make.
    """
    after = decode_change_cursor(cursor) if cursor else 0
    # Each stream's first limit + 1 rows hold the merged stream's first limit + 1.
    rows = db.session.execute(_feed_query(), {"owner_id": owner_id, "after": after, "rows": limit + 1}).all()
    entries = with_steps([row for row in rows if row.purged_at is None])
    purged = [PurgedRecord(row.id, row.purged_at, row.change_seq) for row in rows if row.purged_at is not None]
    changes = sorted([*entries, *purged], key=lambda change: change.change_seq)
    has_more = len(changes) > limit
    changes = changes[:limit]
    next_cursor = encode_change_cursor(changes[-1].change_seq if changes else after)
    return ChangesPage(changes, next_cursor, has_more)


@cache
def _feed_query() -> sa.CompoundSelect:
    """``changes_since``' query: both streams in one statement (``UNION ALL``), one
    round trip instead of two. An entry deleted for good is a row with ``purged_at`` and
    its id, the entry's other columns empty. Built once, on the tables rather than the
    ORM classes, whose bookkeeping a page read once and sent does not need; the owner,
    the cursor and the number of rows are bound per call. Building it per call, through
    the ORM, took a quarter of a feed request's CPU (3.1 → 2.4 ms in-process)."""
    entries, purged = Entry.__table__, PurgedEntry.__table__
    owner_id, after, rows = sa.bindparam("owner_id"), sa.bindparam("after"), sa.bindparam("rows")
    live = (sa.select(entries, sa.null().cast(purged.c.purged_at.type).label("purged_at"))
            .where(entries.c.owner_id == owner_id, entries.c.change_seq > after)
            .order_by(entries.c.change_seq).limit(rows))
    kept = {"id": purged.c.entry_id, "owner_id": purged.c.owner_id, "change_seq": purged.c.change_seq}
    gone = (sa.select(*(kept.get(column.name, sa.null().cast(column.type)).label(column.name) for column in entries.c),
                      purged.c.purged_at)
            .where(purged.c.owner_id == owner_id, purged.c.change_seq > after)
            .order_by(purged.c.change_seq).limit(rows))
    # Each side is a subquery: SQLite takes no ORDER BY or LIMIT on a UNION's own members.
    return sa.union_all(sa.select(live.subquery()), sa.select(gone.subquery()))


def latest_entries(owner_id: uuid.UUID, count: int) -> ChangesPage:
    """A device's first pull: the owner's newest ``count`` live entries (by ``written_at``,
    newest first; no tombstones) and a cursor at the owner's current change number, so
    the device's next pull starts from now instead of reading the whole history.

    The change number is read first: a change that commits after it has a higher number,
    so the next pull brings it even if this answer already showed it (devices store by
    id). Nothing committed before it is missing from the entries read after it.
    """
    last = db.session.scalar(sa.select(ChangeCounter.last_seq).where(ChangeCounter.owner_id == owner_id)) or 0
    entries = with_steps(db.session.execute(
        sa.select(Entry.__table__).where(Entry.owner_id == owner_id, Entry.deleted_at.is_(None))
        .order_by(Entry.written_at.desc(), Entry.id.desc()).limit(count)).all())
    return ChangesPage(entries, encode_change_cursor(last), has_more=False)


def with_steps(rows: list[sa.Row]) -> list[SimpleNamespace]:
    """Entry rows as records, each with its ``action_steps`` in order (one query). Plain
    records, not ORM objects: a feed page is read once and sent, and the ORM's
    bookkeeping of every object and step was most of its cost. ``entry_json`` reads
    them as it reads entries."""
    steps = defaultdict(list)
    if rows:
        for step in db.session.execute(_steps_query(), {"entry_ids": [row.id for row in rows]}):
            steps[step.entry_id].append(step)
    return [SimpleNamespace(**row._mapping, action_steps=steps[row.id]) for row in rows]


@cache
def _steps_query() -> sa.Select:
    """The steps of the entries bound as ``entry_ids``, built once as ``_feed_query``."""
    steps = ActionStep.__table__
    return (sa.select(steps).where(steps.c.entry_id.in_(sa.bindparam("entry_ids", expanding=True)))
            .order_by(steps.c.position))
