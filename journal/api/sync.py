"""The sync rules: idempotent upserts, optimistic concurrency, tombstones, a changes feed.

Views call these; they raise nothing about HTTP except through the access helper.
"""
import base64
import binascii
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
from journal.entries.models import Entry
from journal.entries.service import BadCursor, apply_entry_form
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
    """The entry form rejected the body; ``form`` holds the field errors."""

    def __init__(self, form: EntryForm):
        super().__init__("invalid entry")
        self.form = form


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
              print_: str) -> WriteResult:
    """Create the entry with the device's id, or update it if ``base_version`` is current.

    A replay of a write already applied answers as the first time and changes nothing.
    Editing an entry in the Trash (on its current version) brings it back.

    :raise Invalid: when the form does not validate.
    :raise Conflict: when the entry exists on another version than ``base_version``.
    :raise 404: when the id is another user's entry.
    """
    return _retrying(lambda: _put_once(entry_id, owner_id, form, base_version, print_))


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


def _put_once(entry_id, owner_id, form, base_version, print_) -> WriteResult:
    entry = get_entry_for_sync(entry_id, owner_id)
    replay = _replay(entry, print_)
    if replay:
        return replay
    if not form.validate():
        raise Invalid(form)
    if entry is None:
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
    return _commit(entry, status, print_)


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


def _commit(entry: Entry, status: int, print_: str) -> WriteResult:
    """Commit the write with its receipt; a concurrent write on the same base loses."""
    try:
        db.session.flush()  # the entry row first: the receipt points at it
        db.session.add(SyncReceipt(entry_id=entry.id, fingerprint=print_, status=status,
                                   version=entry.version))
        db.session.commit()
    except (StaleDataError, sa.exc.IntegrityError):
        db.session.rollback()
        raise _Raced(entry.id) from None
    return WriteResult(status, entry)


@dataclass
class ChangesPage:
    entries: list[Entry]
    cursor: str | None
    has_more: bool


#: A write stamps ``updated_at`` before it commits, so a slow request can commit a change
#: stamped *earlier* than one a device already pulled. The cursor that ends a pull
#: therefore re-reads this much of the recent past next time; devices upsert by id, so
#: the repeats are harmless and no change is skipped.
CHANGES_OVERLAP = timedelta(seconds=30)
_NIL = uuid.UUID(int=0)


def encode_change_cursor(entry: Entry, *, last: bool) -> str:
    raw = f"{entry.updated_at.isoformat()}|{entry.id}|{'last' if last else 'more'}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_change_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """Where the next page starts (after the overlap, for a cursor that ended a pull).

    :raise BadCursor: for anything we did not encode.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, entry_id, kind = raw.split("|")
        updated_at = datetime.fromisoformat(moment)
        if updated_at.tzinfo is None or kind not in ("last", "more"):
            raise ValueError("not our cursor")
        if kind == "last":
            return updated_at - CHANGES_OVERLAP, _NIL
        return updated_at, uuid.UUID(entry_id)
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise BadCursor(str(error)) from error


def changes_since(owner_id: uuid.UUID, cursor: str | None, limit: int) -> ChangesPage:
    """The owner's entries changed after ``cursor``, oldest change first, tombstones included.

    :raise BadCursor: for a cursor we did not make.
    """
    query = sa.select(Entry).where(Entry.owner_id == owner_id)
    if cursor:
        updated_at, entry_id = decode_change_cursor(cursor)
        query = query.where(sa.or_(
            Entry.updated_at > updated_at,
            sa.and_(Entry.updated_at == updated_at, Entry.id > entry_id)))
    query = query.order_by(Entry.updated_at, Entry.id).limit(limit + 1)
    entries = list(db.session.scalars(query))
    has_more = len(entries) > limit
    entries = entries[:limit]
    next_cursor = encode_change_cursor(entries[-1], last=not has_more) if entries else cursor
    return ChangesPage(entries, next_cursor, has_more)
