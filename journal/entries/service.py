"""Reading a patient's journal: pages of entries, the Trash, and its expiry."""
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload, raiseload

from journal.cursors import BadCursor, pack, unpack
from journal.entries.models import ActionStep, Entry, EntryConflict
from journal.entries.writes import purge_entries
from journal.extensions import db
from journal.timeutil import utcnow


#: How much of an entry's text a journal card shows (the template cuts at a word).
EXCERPT_CHARS = 250


@dataclass
class Card:
    """What the journal page shows of an entry: never its whole text, nor its steps."""

    entry: Entry
    excerpt: str
    steps: int
    open_steps: int
    #: Changed on two devices at once and not settled yet (``journal.entries.conflicts``).
    conflicted: bool = False

    @property
    def id(self) -> uuid.UUID:
        return self.entry.id


@dataclass
class EntryPage:
    entries: list[Card]
    next_cursor: str | None


def encode_cursor(entry: Entry) -> str:
    return pack(entry.written_at.isoformat(), str(entry.id))


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """:raise BadCursor: for anything we did not encode."""
    moment, entry_id = unpack(cursor, 2)
    try:
        written_at = datetime.fromisoformat(moment)
        if written_at.tzinfo is None:
            raise ValueError("naive")
        return written_at.astimezone(timezone.utc), uuid.UUID(entry_id)
    except (ValueError, OverflowError) as error:  # year 1 at +05:00 overflows
        raise BadCursor(str(error)) from error


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_entries(owner_id: uuid.UUID, *, per_page: int, cursor: str | None = None,
                 dosing_session_id: uuid.UUID | None = None, search: str | None = None) -> EntryPage:
    """One page of the owner's journal, newest first, by keyset (no OFFSET).

    One query whatever ``per_page`` is: the dosing session comes in a join, the start of
    the text, the step counts and an open conflict as columns; whole texts and step rows
    stay in the database.

    :raise BadCursor: for a cursor we did not make.
    """
    query = _journal_page_query()
    if dosing_session_id is not None:
        query = query.where(Entry.dosing_session_id == dosing_session_id)
    if search:
        pattern = f"%{escape_like(search)}%"
        in_steps = sa.select(ActionStep.entry_id).where(ActionStep.text.ilike(pattern, escape="\\"))
        query = query.where(sa.or_(Entry.insights.ilike(pattern, escape="\\"), Entry.id.in_(in_steps)))
    if cursor:
        written_at, entry_id = decode_cursor(cursor)
        query = query.where(sa.or_(
            Entry.written_at < written_at,
            sa.and_(Entry.written_at == written_at, Entry.id < entry_id)))
    cards = [Card(*row) for row in db.session.execute(query, {"owner_id": owner_id, "rows": per_page + 1})]
    has_more = len(cards) > per_page
    cards = cards[:per_page]
    return EntryPage(cards, encode_cursor(cards[-1].entry) if has_more else None)


@cache
def _journal_page_query() -> sa.Select:
    """``list_entries``' query without its filters, built once: building it took as long
    as running it. The owner and the number of rows are bound per call."""
    steps = sa.select(sa.func.count()).where(ActionStep.entry_id == Entry.id)
    return (sa.select(Entry, sa.func.substr(Entry.insights, 1, EXCERPT_CHARS),
                      steps.scalar_subquery(), steps.where(ActionStep.done.is_(False)).scalar_subquery(),
                      sa.exists().where(EntryConflict.entry_id == Entry.id))
            .options(joinedload(Entry.dosing_session), defer(Entry.insights, raiseload=True),
                     raiseload(Entry.action_steps))
            .where(Entry.owner_id == sa.bindparam("owner_id"), Entry.deleted_at.is_(None))
            .order_by(Entry.written_at.desc(), Entry.id.desc()).limit(sa.bindparam("rows")))


def trashed_entries(owner_id: uuid.UUID) -> list[Entry]:
    return list(db.session.scalars(
        sa.select(Entry).options(joinedload(Entry.dosing_session))
        .where(Entry.owner_id == owner_id, Entry.deleted_at.is_not(None))
        .order_by(Entry.deleted_at.desc())
    ).unique())


def purge_expired_trash(retention_days: int, owner_id: uuid.UUID | None = None) -> int:
    """Delete for good the entries that have sat in the Trash past the retention period (committed)."""
    cutoff = utcnow() - timedelta(days=retention_days)
    query = sa.select(Entry).where(Entry.deleted_at.is_not(None), Entry.deleted_at < cutoff)
    if owner_id is not None:
        query = query.where(Entry.owner_id == owner_id)
    expired = defaultdict(list)
    for entry in db.session.scalars(query.order_by(Entry.owner_id)):
        expired[entry.owner_id].append(entry)
    count = 0
    for owner, entries in expired.items():  # one patient's lock at a time, committed each
        count += purge_entries(owner, entries)
        db.session.commit()
    return count
