"""The sync rules: idempotent upserts, optimistic concurrency, tombstones, a changes feed.

Views call these; they raise nothing about HTTP except through the access helper.
"""
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm.exc import StaleDataError

from journal.api.models import SyncReceipt
from journal.entries.access import get_entry_for_sync
from journal.entries.forms import EntryForm
from journal.entries.models import Entry, PurgedEntry
from journal.cursors import BadCursor, pack, unpack
from journal.entries.service import apply_entry_form
from journal.extensions import db

CREATED, UPDATED = 201, 200


class Conflict(Exception):
    """The write was based on another version than the server's (``current``, or None)."""

    def __init__(self, current: Entry | None):
        super().__init__("version conflict")
        self.current = current


class _Raced(Exception):
    """Another request committed on this entry between our read and our commit."""


class Invalid(Exception):
    """The body was rejected; ``form`` holds the entry form's errors, ``fields`` any others."""

    def __init__(self, form: EntryForm, fields: dict[str, list[str]] | None = None):
        super().__init__("invalid entry")
        self.form = form
        self.fields = fields or {}


@dataclass
class WriteResult:
    status: int
    entry: Entry
    #: True when this exact request had been applied before (a lost response, replayed).
    replayed: bool = False


def fingerprint(method: str, entry_id: uuid.UUID, base_version: int | None, body: dict | None) -> str:
    canonical = json.dumps([method, str(entry_id), base_version, body], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(entry: Entry | None, print_: str) -> WriteResult | None:
    if entry is None:
        return None
    receipt = db.session.scalar(sa.select(SyncReceipt).where(
        SyncReceipt.entry_id == entry.id, SyncReceipt.fingerprint == print_))
    return WriteResult(receipt.status, entry, replayed=True) if receipt else None


def put_entry(entry_id: uuid.UUID, owner_id: uuid.UUID, form: EntryForm, *, base_version: int | None,
              print_: str, check=None, also=None) -> WriteResult:
    """Create the entry with the device's id, or update it if ``base_version`` is current.

    A replay of a write already applied answers as the first time and changes nothing.
    Editing an entry in the Trash (on its current version) brings it back. An edit of the
    owner's entry that was deleted for good meanwhile recreates it (words are never
    dropped), and its tombstone goes. ``check()`` returns field problems beyond the form's
    and ``also(entry)`` runs in the same transaction as the write (the care team's
    choices); neither runs for a replay, which answers as the first time did.

    :raise Invalid: when the form does not validate or ``check`` finds problems.
    :raise Conflict: when the entry exists on another version than ``base_version``.
    :raise 404: when the id is another user's entry.
    """
    return _retrying(lambda: _put_once(entry_id, owner_id, form, base_version, print_, check, also))


def _retrying(write):
    """Run a write; if another request committed on the entry meanwhile (two tabs
    replaying the same outbox item at once), look again: it may now be a replay."""
    try:
        return write()
    except _Raced:
        try:
            return write()
        except _Raced as raced:
            raise Conflict(db.session.get(Entry, raced.args[0], populate_existing=True)) from None


def _put_once(entry_id, owner_id, form, base_version, print_, check, also) -> WriteResult:
    entry = get_entry_for_sync(entry_id, owner_id)
    replay = _replay(entry, print_)
    if replay:
        return replay
    valid = form.validate()
    problems = check() if check is not None else {}
    if not valid or problems:
        raise Invalid(form, problems)
    if entry is None:
        tombstone = db.session.get(PurgedEntry, entry_id)  # the owner's: checked above
        if tombstone is not None:  # deleted for good, now brought back by a device
            db.session.delete(tombstone)
        entry = Entry(id=entry_id, owner_id=owner_id)
        apply_entry_form(entry, form)
        entry.version = 1
        db.session.add(entry)
        status = CREATED
    else:
        if base_version != entry.version:
            raise Conflict(entry)
        entry.deleted_at = None
        apply_entry_form(entry, form)
        status = UPDATED
    return _commit(entry, status, print_, also)


def delete_entry(entry_id: uuid.UUID, owner_id: uuid.UUID, *, base_version: int | None,
                 print_: str) -> WriteResult:
    """Move the entry to the Trash; it stays in the changes feed as a tombstone.

    :raise Conflict: when ``base_version`` is not the current version.
    :raise 404: when there is no such entry of the owner's.
    """
    return _retrying(lambda: _delete_once(entry_id, owner_id, base_version, print_))


def _delete_once(entry_id, owner_id, base_version, print_) -> WriteResult:
    entry = get_entry_for_sync(entry_id, owner_id)
    if entry is None:
        abort(404)
    replay = _replay(entry, print_)
    if replay:
        return replay
    if base_version != entry.version:
        raise Conflict(entry)
    if entry.in_trash:
        return WriteResult(UPDATED, entry)
    entry.move_to_trash()
    return _commit(entry, UPDATED, print_)


def _commit(entry: Entry, status: int, print_: str, also=None) -> WriteResult:
    """Commit the write with its receipt; a concurrent write on the same base loses."""
    try:
        db.session.flush()  # the entry row first: the receipt points at it
        if also is not None:
            also(entry)
        db.session.add(SyncReceipt(entry_id=entry.id, fingerprint=print_, status=status,
                                   version=entry.version))
        db.session.commit()
    except (StaleDataError, sa.exc.IntegrityError):
        db.session.rollback()
        raise _Raced(entry.id) from None
    return WriteResult(status, entry)


@dataclass
class ChangesPage:
    #: Entries (tombstones in the Trash included) and ``PurgedEntry`` rows, oldest first.
    changes: list[Entry | PurgedEntry]
    cursor: str | None
    has_more: bool


#: A write stamps ``updated_at`` before it commits, so a slow request can commit a change
#: stamped *earlier* than one a device already pulled. The cursor that ends a pull
#: therefore re-reads this much of the recent past next time; devices upsert by id, so
#: the repeats are harmless and no change is skipped.
CHANGES_OVERLAP = timedelta(seconds=30)
_NIL = uuid.UUID(int=0)


def _position(change: Entry | PurgedEntry) -> tuple[datetime, uuid.UUID]:
    """Where a change sits in the feed: (when it changed, its entry id)."""
    if isinstance(change, PurgedEntry):
        return change.purged_at, change.entry_id
    return change.updated_at, change.id


def encode_change_cursor(change: Entry | PurgedEntry, *, last: bool) -> str:
    moment, entry_id = _position(change)
    return pack(moment.isoformat(), str(entry_id), "last" if last else "more")


def decode_change_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Where the next page starts (after the overlap, for a cursor that ended a pull).

    :raise BadCursor: for anything we did not encode.
    """
    moment, entry_id, kind = unpack(cursor, 3)
    try:
        updated_at = datetime.fromisoformat(moment)
        if updated_at.tzinfo is None or kind not in ("last", "more"):
            raise ValueError("not our cursor")
        if kind == "last":
            return updated_at - CHANGES_OVERLAP, _NIL
        return updated_at, uuid.UUID(entry_id)
    except ValueError as error:
        raise BadCursor(str(error)) from error


def _after(query, moment, entry_id, start, limit: int):
    """The query's rows after ``start`` in (moment, id) order, at most ``limit``."""
    if start is not None:
        query = query.where(sa.or_(moment > start[0], sa.and_(moment == start[0], entry_id > start[1])))
    return list(db.session.scalars(query.order_by(moment, entry_id).limit(limit)))


def changes_since(owner_id: uuid.UUID, cursor: str | None, limit: int) -> ChangesPage:
    """The owner's changes after ``cursor``, oldest first: entries (Trash tombstones
    included) and entries deleted for good, interleaved in one keyset order.

    :raise BadCursor: for a cursor we did not make.
    """
    start = decode_change_cursor(cursor) if cursor else None
    # Each stream's first limit + 1 rows hold the merged stream's first limit + 1.
    entries = _after(sa.select(Entry).where(Entry.owner_id == owner_id),
                     Entry.updated_at, Entry.id, start, limit + 1)
    purged = _after(sa.select(PurgedEntry).where(PurgedEntry.owner_id == owner_id),
                    PurgedEntry.purged_at, PurgedEntry.entry_id, start, limit + 1)
    changes = sorted(entries + purged, key=_position)
    has_more = len(changes) > limit
    changes = changes[:limit]
    next_cursor = encode_change_cursor(changes[-1], last=not has_more) if changes else cursor
    return ChangesPage(changes, next_cursor, has_more)
