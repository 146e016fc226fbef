"""Rules about entries that views and the sync API share."""
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from journal.cursors import BadCursor, pack, unpack
from journal.entries.forms import EntryForm
from journal.entries.models import EMOTIONS, ActionStep, Entry, PurgedEntry
from journal.extensions import db
from journal.timeutil import utcnow


def apply_entry_form(entry: Entry, form: EntryForm) -> None:
    """Copy a validated form onto the entry and its steps, and bump its version."""
    entry.insights = form.insights.data or ""
    entry.mood = form.mood.data
    chosen = set(form.emotions.data or [])
    entry.emotions = [e for e in EMOTIONS if e in chosen]
    entry.dosing_session_id = uuid.UUID(form.dosing_session_id.data) if form.dosing_session_id.data else None
    entry.written_at = form.written_at_utc() or entry.written_at or utcnow()
    _apply_steps(entry, form)
    entry.touch()


def _apply_steps(entry: Entry, form: EntryForm) -> None:
    """Match submitted rows to existing steps by id; others become new steps.

    An id naming a step of another entry is ignored (a new id is made), so a form
    can never take over someone else's step.
    """
    existing = {str(step.id): step for step in entry.action_steps}
    kept = []
    for position, row in enumerate(form.action_steps.entries):
        data = row.form
        step = existing.pop(data.id.data or "", None)
        if step is None:
            step = ActionStep(id=_new_step_id(data.id.data, entry))
        step.text = data.text.data.strip()
        step.due_date = data.due_date.data
        step.set_done(bool(data.done.data))
        step.position = position
        kept.append(step)
    entry.action_steps = kept


def _new_step_id(proposed: str | None, entry: Entry) -> uuid.UUID:
    """Accept a client-made id only when no step has it yet."""
    try:
        step_id = uuid.UUID(proposed or "")
    except ValueError:
        return uuid.uuid4()
    if db.session.get(ActionStep, step_id) is not None:
        return uuid.uuid4()
    return step_id


@dataclass
class EntryPage:
    entries: list[Entry]
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
        return written_at, uuid.UUID(entry_id)
    except ValueError as error:
        raise BadCursor(str(error)) from error


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_entries(owner_id: uuid.UUID, *, per_page: int, cursor: str | None = None,
                 dosing_session_id: uuid.UUID | None = None, search: str | None = None) -> EntryPage:
    """One page of the owner's journal, newest first, by keyset (no OFFSET).

    Runs a fixed number of queries whatever ``per_page`` is: steps come in one
    ``selectin`` query, dosing sessions in the main query's join.

    :raise BadCursor: for a cursor we did not make.
    """
    query = (sa.select(Entry).options(joinedload(Entry.dosing_session))
             .where(Entry.owner_id == owner_id, Entry.deleted_at.is_(None)))
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
    query = query.order_by(Entry.written_at.desc(), Entry.id.desc()).limit(per_page + 1)
    entries = list(db.session.scalars(query).unique())
    has_more = len(entries) > per_page
    entries = entries[:per_page]
    return EntryPage(entries, encode_cursor(entries[-1]) if has_more else None)


def trashed_entries(owner_id: uuid.UUID) -> list[Entry]:
    return list(db.session.scalars(
        sa.select(Entry).options(joinedload(Entry.dosing_session))
        .where(Entry.owner_id == owner_id, Entry.deleted_at.is_not(None))
        .order_by(Entry.deleted_at.desc())
    ).unique())


def purge_entries(entries: list[Entry]) -> int:
    """Delete these entries for good, leaving a tombstone for each in the changes feed.

    Every way of deleting an entry for good goes through here, so no device keeps
    showing an entry the server no longer has. Not committed; returns how many.
    """
    now = utcnow()
    for entry in entries:
        tombstone = db.session.get(PurgedEntry, entry.id)
        if tombstone is None:
            db.session.add(PurgedEntry(entry_id=entry.id, owner_id=entry.owner_id, purged_at=now))
        else:  # purged before, brought back by a device, now purged again
            tombstone.purged_at = now
        db.session.delete(entry)
    return len(entries)


def purge_expired_trash(retention_days: int, owner_id: uuid.UUID | None = None) -> int:
    """Delete for good the entries that have sat in the Trash past the retention period (committed)."""
    cutoff = utcnow() - timedelta(days=retention_days)
    query = sa.select(Entry).where(Entry.deleted_at.is_not(None), Entry.deleted_at < cutoff)
    if owner_id is not None:
        query = query.where(Entry.owner_id == owner_id)
    count = purge_entries(list(db.session.scalars(query)))
    db.session.commit()
    return count
