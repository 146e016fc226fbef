"""The one write path for entries.

Every way an entry changes — the HTML form, the sync API, Trash, restore and purge,
checking a step off, deleting a dosing session — calls ``write_entry`` with an edit.
It runs the same steps in the same order for all of them:

1. take the patient's next change number (``ChangeCounter``), which locks the
   patient's counter row until the transaction ends: that patient's writes queue up,
   so everything read after this is current and a check-then-write cannot race;
2. answer a replayed request (same fingerprint) exactly as the first time;
3. refuse a write based on another version than the current one (``Conflict``; the
   caller notes it with ``conflicts.remember_conflict``), and settle a noted conflict
   when a write is based on the current one;
4. refuse an edit that does not validate (checked before step 1, as it reads only the
   edit), then apply it, with what other features contribute (``Contribution``);
5. stamp the change once (``Entry.record_change``) and keep a receipt of the answer.

Nothing here commits: the view (or CLI command) that called owns the transaction.
"""
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa
from flask import abort

from journal.database import insert_ignoring_conflict
from journal.entries.conflicts import forget_conflict
from journal.entries.forms import EntryForm
from journal.entries.models import EMOTIONS, ActionStep, ChangeCounter, Entry, PurgedEntry, WriteReceipt
from journal.entries.serialize import entry_json
from journal.extensions import db
from journal.timeutil import utcnow

CREATED, UPDATED = 201, 200
#: ``base_version`` for edits that apply to whatever version is current (Trash, steps).
ANY_VERSION = object()


class Conflict(Exception):
    """The write was based on another version than the server's ``current``."""

    def __init__(self, current: Entry):
        super().__init__("version conflict")
        self.current = current


class Invalid(Exception):
    """The edit was refused; ``fields`` maps field names to messages for the patient."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("invalid entry")
        self.fields = fields


class Contribution(Protocol):
    """What another feature adds to a write (the care team's sharing choice, say).

    It validates itself and applies itself in the write's transaction, so this module
    never needs to know the feature.
    """

    def problems(self) -> dict[str, list[str]]: ...

    def apply(self, entry: Entry) -> None: ...


@dataclass
class WriteResult:
    status: int
    entry: Entry | None
    #: The version this write produced (for a replay: the one the first answer gave).
    version: int
    #: The entry as the answer carries it (for a replay: as the first answer did).
    answer: dict | None = None
    #: True when this exact request had been applied before (a lost response, replayed).
    replayed: bool = False


def fingerprint(operation: str, entry_id: uuid.UUID, base_version, content) -> str:
    """What makes two requests "the same write": operation, entry, base and content."""
    base = None if base_version is ANY_VERSION else base_version
    canonical = json.dumps([operation, str(entry_id), base, content], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


# The edits -------------------------------------------------------------------------

@dataclass
class Edit:
    """One kind of change to an entry. ``apply`` returns the status of the answer."""

    #: Whether this edit may create the entry when the id is free.
    creates = False
    operation = "edit"

    def validate(self) -> dict[str, list[str]]:
        return {}

    def needed(self, entry: Entry) -> bool:
        """False when the entry already is as this edit would leave it."""
        return True

    def apply(self, entry: Entry) -> int:
        raise NotImplementedError

    def after_flush(self, entry: Entry) -> None:
        """Work that needs the entry's row (other features' rows point at it)."""


@dataclass
class SaveContent(Edit):
    """The patient's words, mood, emotions, session and steps, from the entry form."""

    form: EntryForm
    contribution: Contribution | None = None
    creates = True
    operation = "put"

    def validate(self) -> dict[str, list[str]]:
        problems = {} if self.form.validate() else flatten_errors(self.form.errors)
        if self.contribution is not None:
            problems |= self.contribution.problems()
        return problems

    def apply(self, entry: Entry) -> int:
        status = CREATED if entry.version is None else UPDATED
        entry.deleted_at = None  # saving an entry from the Trash brings it back
        _copy_form(entry, self.form)
        return status

    def after_flush(self, entry: Entry) -> None:
        if self.contribution is not None:
            self.contribution.apply(entry)


@dataclass
class MoveToTrash(Edit):
    operation = "delete"

    def needed(self, entry: Entry) -> bool:
        return not entry.in_trash

    def apply(self, entry: Entry) -> int:
        entry.move_to_trash()
        return UPDATED


@dataclass
class Restore(Edit):
    operation = "restore"

    def apply(self, entry: Entry) -> int:
        entry.restore()
        return UPDATED


@dataclass
class SetStepDone(Edit):
    step_id: uuid.UUID = field(default=None)
    done: bool = True
    operation = "step"

    def apply(self, entry: Entry) -> int:
        step = next((s for s in entry.action_steps if s.id == self.step_id), None)
        if step is None:
            abort(404)
        step.set_done(self.done)
        return UPDATED


@dataclass
class UnlinkSession(Edit):
    """The dosing session the entry was linked to is being deleted; the entry stays."""

    operation = "unlink"

    def apply(self, entry: Entry) -> int:
        entry.dosing_session_id = None
        return UPDATED


@dataclass
class Prefill(Edit):
    """An entry the app writes itself (the demo journal, test data): fields as given."""

    fields: dict = field(default_factory=dict)
    creates = True
    operation = "prefill"

    def apply(self, entry: Entry) -> int:
        status = CREATED if entry.version is None else UPDATED
        for name, value in self.fields.items():
            setattr(entry, name, value)
        return status


# The path ----------------------------------------------------------------------------

def write_entry(owner_id: uuid.UUID, entry_id: uuid.UUID, edit: Edit, *, base_version=ANY_VERSION,
                print_: str | None = None) -> WriteResult:
    """Apply ``edit`` to the owner's entry ``entry_id`` (creating it, if the edit may).

    ``base_version`` is the version the patient edited (None: they are creating it);
    ``print_`` a request fingerprint, kept so a replay answers as the first time.
    Not committed.

    :raise Conflict: when the entry exists on another version than ``base_version``.
    :raise Invalid: when the edit does not validate.
    :raise 404: when the id is another user's entry, or there is no entry to edit.
    """
    # Checked before the lock, raised in its turn below: it reads only the edit (and the
    # choices its form was given), and SQLite holds one write lock for the whole database
    # from the counter to the commit, so every other writer would wait for it.
    problems = edit.validate()
    seq = next_change_seq(owner_id)
    entry, tombstone = _current(entry_id, owner_id)
    if entry is not None and print_ is not None:
        replay = _replay(entry, print_)
        if replay is not None:
            return replay
    if entry is None and not edit.creates:
        abort(404)
    if entry is not None and base_version is not ANY_VERSION and base_version != entry.version:
        raise Conflict(entry)
    if problems:
        raise Invalid(problems)
    if entry is not None and base_version is not ANY_VERSION:
        # Saved on the current version: whoever saved has seen it, so a conflict is settled.
        forget_conflict(entry)
    if entry is None:
        entry = _new_entry(entry_id, owner_id, tombstone)
    elif not edit.needed(entry):
        return WriteResult(UPDATED, entry, entry.version, entry_json(entry))
    with db.session.no_autoflush:  # the entry is half-built until record_change()
        status = edit.apply(entry)
        entry.record_change(seq)
    db.session.flush()
    edit.after_flush(entry)
    answer = entry_json(entry)
    if print_ is not None:
        db.session.add(WriteReceipt(entry_id=entry.id, fingerprint=print_, status=status,
                                    version=entry.version, answer=answer))
    return WriteResult(status, entry, entry.version, answer)


def purge_entries(owner_id: uuid.UUID, entries: list[Entry]) -> int:
    """Delete these entries of the owner for good, leaving a tombstone for each in the
    changes feed, so no device keeps showing an entry the server no longer has.
    Not committed; returns how many.
    """
    now = utcnow()
    for entry in entries:
        seq = next_change_seq(owner_id)
        tombstone = db.session.get(PurgedEntry, entry.id)
        if tombstone is None:
            db.session.add(PurgedEntry(entry_id=entry.id, owner_id=owner_id, purged_at=now, change_seq=seq))
        else:  # purged before, brought back by a device, now purged again
            tombstone.purged_at, tombstone.change_seq = now, seq
        db.session.delete(entry)
    db.session.flush()
    return len(entries)


def next_change_seq(owner_id: uuid.UUID) -> int:
    """The owner's next change number; locks their counter until the transaction ends."""
    seq = db.session.execute(_bump(owner_id, 1)).scalar()
    if seq is None:  # the owner's first change ever: make the row, then take a number
        db.session.execute(insert_ignoring_conflict(ChangeCounter).values(owner_id=owner_id, last_seq=0))
        seq = db.session.execute(_bump(owner_id, 1)).scalar_one()
    return seq


def hold_changes(owner_id: uuid.UUID) -> None:
    """Take the owner's counter lock now, for several writes in one transaction (a sync
    batch); ``next_change_seq`` takes it again at no cost. It is a write, so SQLite's
    driver begins the transaction here: it begins one only before a write, and a
    SAVEPOINT issued before that would be a transaction of its own, committed on release.
    """
    db.session.execute(_bump(owner_id, 0))


def _bump(owner_id: uuid.UUID, by: int) -> sa.Update:
    # No ChangeCounter object is ever loaded in a session, so there is none to bring up to
    # date: telling the ORM so spares it a search of the session on every write.
    return (sa.update(ChangeCounter).where(ChangeCounter.owner_id == owner_id)
            .values(last_seq=ChangeCounter.last_seq + by).returning(ChangeCounter.last_seq)
            .execution_options(synchronize_session=False))


def _current(entry_id: uuid.UUID, owner_id: uuid.UUID) -> tuple[Entry | None, PurgedEntry | None]:
    """The entry as committed now (read under the lock), or None when the id is free, and
    the owner's tombstone for the id when it was deleted for good; in one query, as most
    writes from a device's outbox are of new ids.

    :raise 404: when the id is someone else's entry, or one they deleted for good.
    """
    wanted = sa.select(sa.literal(entry_id, sa.Uuid).label("id")).subquery()
    entry, tombstone = db.session.execute(
        sa.select(Entry, PurgedEntry).select_from(wanted)
        .outerjoin(Entry, Entry.id == wanted.c.id).outerjoin(PurgedEntry, PurgedEntry.entry_id == wanted.c.id)
        .execution_options(populate_existing=True)).one()
    if entry is not None:
        if entry.owner_id != owner_id:
            abort(404)
        return entry, None
    if tombstone is not None and tombstone.owner_id != owner_id:
        abort(404)
    return None, tombstone


def _replay(entry: Entry, print_: str) -> WriteResult | None:
    receipt = db.session.scalar(sa.select(WriteReceipt).where(
        WriteReceipt.entry_id == entry.id, WriteReceipt.fingerprint == print_))
    if receipt is None:
        return None
    return WriteResult(receipt.status, entry, receipt.version, receipt.answer or entry_json(entry), replayed=True)


def _new_entry(entry_id: uuid.UUID, owner_id: uuid.UUID, tombstone: PurgedEntry | None) -> Entry:
    """A new entry with the device's id; the owner's tombstone for it goes (an unsynced
    edit of an entry deleted for good brings the words back)."""
    if tombstone is not None:
        db.session.delete(tombstone)
    entry = Entry(id=entry_id, owner_id=owner_id, version=None)
    db.session.add(entry)
    return entry


def _copy_form(entry: Entry, form: EntryForm) -> None:
    entry.insights = form.insights.data or ""
    entry.mood = form.mood.data
    chosen = set(form.emotions.data or [])
    entry.emotions = [e for e in EMOTIONS if e in chosen]
    entry.dosing_session_id = uuid.UUID(form.dosing_session_id.data) if form.dosing_session_id.data else None
    entry.written_at = form.written_at_utc() or entry.written_at or utcnow()
    _copy_steps(entry, form)


def _copy_steps(entry: Entry, form: EntryForm) -> None:
    """Match submitted rows to existing steps by id; others become new steps.

    An id naming a step of another entry is not taken over: the row gets a new id.
    """
    existing = {str(step.id): step for step in entry.action_steps} if entry.version else {}
    rows = [row.form for row in form.action_steps.entries]
    taken = _step_ids_in_use([row.id.data for row in rows if (row.id.data or "") not in existing])
    kept = []
    for position, data in enumerate(rows):
        step = existing.pop(data.id.data or "", None)
        if step is None:
            step = ActionStep(id=_new_step_id(data.id.data, taken))
        step.text = data.text.data.strip()
        step.due_date = data.due_date.data
        step.set_done(bool(data.done.data))
        step.position = position
        kept.append(step)
    entry.action_steps = kept


def _step_ids_in_use(proposed: list[str | None]) -> set[uuid.UUID]:
    """Which of these client-made step ids some step already has (one query, or none)."""
    ids = {step_id for step_id in map(_as_uuid, proposed) if step_id is not None}
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(ActionStep.id).where(ActionStep.id.in_(ids))))


def _as_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _new_step_id(proposed: str | None, taken: set[uuid.UUID]) -> uuid.UUID:
    """Accept a client-made id only when no step has it yet."""
    step_id = _as_uuid(proposed)
    return uuid.uuid4() if step_id is None or step_id in taken else step_id


def flatten_errors(form_errors: dict) -> dict[str, list[str]]:
    """``{"action_steps": [{"text": [...]}]}`` becomes ``{"action_steps.0.text": [...]}``."""
    flat: dict[str, list[str]] = {}
    for name, messages in form_errors.items():
        if name == "action_steps" and messages and isinstance(messages[0], dict):
            for n, row in enumerate(messages):
                for key, row_messages in (row or {}).items():
                    flat[f"action_steps.{n}.{key}"] = list(row_messages)
        else:
            flat[name] = [str(m) for m in messages]
    return flat
