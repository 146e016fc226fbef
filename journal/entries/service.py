"""Reading a patient's journal: pages of entries, the Trash, and its expiry."""
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from journal.cursors import BadCursor, pack, unpack
from journal.dosing.models import DosingSession, days_after, substance_label
from journal.entries.models import ActionStep, Entry, EntryConflict
from journal.entries.writes import purge_entries
from journal.extensions import db
from journal.timeutil import utcnow


#: How much of an entry's text a journal card shows (the template cuts at a word).
EXCERPT_CHARS = 250


@dataclass(frozen=True, eq=False)
class CardMark:
    """A yes or no that a feature above the journal shows on its cards (the care team's
    "New comment"): a name, and a condition on the ``entries`` table that says yes. The
    page query asks it as one more column, so it costs no query of its own. Marks are
    made once, at import: the page query is built once per set of marks."""

    name: str
    condition: sa.ColumnElement[bool]


#: The journal page's owner, bound per page. A ``CardMark`` about the owner rather than
#: each entry compares with this: the database then asks it once per page, not per card.
PAGE_OWNER = sa.bindparam("owner_id")


@dataclass(slots=True)
class Card:
    """What the journal page shows of an entry: never its whole text, nor its steps. A
    plain record, not the ORM's ``Entry``: the page reads it once and draws it."""

    id: uuid.UUID
    written_at: datetime
    mood: int
    emotions: list[str]
    #: The start of the text (``EXCERPT_CHARS``).
    excerpt: str
    steps: int
    open_steps: int
    #: Changed on two devices at once and not settled yet (``journal.entries.conflicts``).
    conflicted: bool
    #: The dosing session the entry belongs to: its day and how it is named, or None.
    session_date: date | None
    session_label: str | None
    #: The names of the ``CardMark``s that hold for this entry.
    marks: frozenset[str] = frozenset()

    def days_after_session(self, tz_name: str) -> int | None:
        """Whole days between the dosing session and when this was written."""
        return None if self.session_date is None else days_after(self.session_date, self.written_at, tz_name)


@dataclass
class EntryPage:
    entries: list[Card]
    next_cursor: str | None


def encode_cursor(entry: Entry | Card) -> str:
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
                 dosing_session_id: uuid.UUID | None = None, search: str | None = None,
                 marks: tuple[CardMark, ...] = ()) -> EntryPage:
    """One page of the owner's journal, newest first, by keyset (no OFFSET).

    One query whatever ``per_page`` is: the dosing session comes in a join, the start of
    the text, the step counts and an open conflict as columns; whole texts and step rows
    stay in the database. ``marks``: what other features show on each card, asked in the
    same query.

    :raise BadCursor: for a cursor we did not make.
    """
    entries = Entry.__table__
    query = _journal_page_query(marks)
    if dosing_session_id is not None:
        query = query.where(entries.c.dosing_session_id == dosing_session_id)
    if search:
        pattern = f"%{escape_like(search)}%"
        steps = ActionStep.__table__
        in_steps = sa.select(steps.c.entry_id).where(steps.c.text.ilike(pattern, escape="\\"))
        query = query.where(sa.or_(entries.c.insights.ilike(pattern, escape="\\"), entries.c.id.in_(in_steps)))
    if cursor:
        written_at, entry_id = decode_cursor(cursor)
        query = query.where(sa.or_(
            entries.c.written_at < written_at,
            sa.and_(entries.c.written_at == written_at, entries.c.id < entry_id)))
    rows = db.session.execute(query, {"owner_id": owner_id, "rows": per_page + 1})
    cards = [_card(row, marks) for row in rows]
    has_more = len(cards) > per_page
    cards = cards[:per_page]
    return EntryPage(cards, encode_cursor(cards[-1]) if has_more else None)


#: The columns of ``_journal_page_query`` before the substance's two and the marks.
_CARD_COLUMNS = 9


def _card(row: sa.Row, marks: tuple[CardMark, ...]) -> Card:
    """A row of ``_journal_page_query`` as a card: its columns in ``Card``'s order, then the
    session's substance and its free text, then one yes or no per mark."""
    substance, substance_other = row[_CARD_COLUMNS:_CARD_COLUMNS + 2]
    held = frozenset(mark.name for mark, yes in zip(marks, row[_CARD_COLUMNS + 2:]) if yes)
    return Card(*row[:_CARD_COLUMNS], substance_label(substance, substance_other) if substance else None, held)


@cache
def _journal_page_query(marks: tuple[CardMark, ...]) -> sa.Select:
    """``list_entries``' query without its filters, built once per set of marks and on the
    tables rather than the ORM classes: building it per call took as long as running it,
    and the ORM's bookkeeping of each entry and session was a sixth of the page. The
    owner and the number of rows are bound per call."""
    entries, steps, sessions = Entry.__table__, ActionStep.__table__, DosingSession.__table__
    step_count = sa.select(sa.func.count()).where(steps.c.entry_id == entries.c.id)
    conflicts = EntryConflict.__table__
    return (sa.select(entries.c.id, entries.c.written_at, entries.c.mood, entries.c.emotions,
                      sa.func.substr(entries.c.insights, 1, EXCERPT_CHARS),
                      step_count.scalar_subquery(), step_count.where(steps.c.done.is_(False)).scalar_subquery(),
                      sa.exists().where(conflicts.c.entry_id == entries.c.id),
                      sessions.c.date, sessions.c.substance, sessions.c.substance_other,
                      *(mark.condition.label(mark.name) for mark in marks))
            .select_from(entries.outerjoin(sessions, sessions.c.id == entries.c.dosing_session_id))
            .where(entries.c.owner_id == PAGE_OWNER, entries.c.deleted_at.is_(None))
            .order_by(entries.c.written_at.desc(), entries.c.id.desc()).limit(sa.bindparam("rows")))


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
