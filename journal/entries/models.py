"""Integration entries and their action steps.

Both have UUID keys so that offline devices can create them with ids of their
own and replay them to the server without duplicates.
"""
import uuid
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal.dosing.models import DosingSession, days_after
from journal.extensions import db
from journal.timeutil import UTCDateTime, local_date, utcnow
from journal.user_agents import UNKNOWN_DEVICE

MOOD_MIN, MOOD_MAX = 1, 10
MOOD_WORDS = {MOOD_MIN: "very low, struggling", MOOD_MAX: "very good, thriving"}
INSIGHTS_MAX = 20_000
STEP_TEXT_MAX = 500

#: The fixed vocabulary of emotions a patient can tick on an entry.
EMOTIONS = [
    "awe", "gratitude", "joy", "love", "peace", "connection", "clarity", "hope",
    "relief", "curiosity", "tenderness", "vulnerability", "grief", "sadness",
    "fear", "anxiety", "anger", "shame", "guilt", "confusion", "loneliness",
    "overwhelm", "numbness", "restlessness",
]


class Entry(db.Model):
    __tablename__ = "entries"
    __table_args__ = (
        #: The journal page and its search: a patient's live entries, newest first. Partial,
        #: so the plan is the same with fresh or stale statistics (never a sort of every row).
        sa.Index("ix_entries_owner_live_written", "owner_id", "written_at", "id",
                 sqlite_where=sa.text("deleted_at IS NULL"), postgresql_where=sa.text("deleted_at IS NULL")),
        #: The Trash, most recently deleted first.
        sa.Index("ix_entries_owner_trashed", "owner_id", "deleted_at",
                 sqlite_where=sa.text("deleted_at IS NOT NULL"), postgresql_where=sa.text("deleted_at IS NOT NULL")),
        #: The sync changes feed walks a patient's entries in the order the database gave them.
        sa.UniqueConstraint("owner_id", "change_seq", name="uq_entries_owner_change_seq"),
        sa.CheckConstraint(f"mood BETWEEN {MOOD_MIN} AND {MOOD_MAX}", name="ck_entries_mood"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    dosing_session_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("dosing_sessions.id", ondelete="SET NULL"), index=True
    )
    insights: Mapped[str] = mapped_column(sa.Text, default="")
    mood: Mapped[int] = mapped_column(sa.SmallInteger)
    #: A list of words from ``EMOTIONS``, in that list's order.
    emotions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: When the patient says they wrote it; defaults to now, may be back-dated.
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Bumped on every change; clients send the version they edited (optimistic locking).
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    #: The patient's change number of this entry's last change (see ``ChangeCounter``).
    change_seq: Mapped[int] = mapped_column(sa.BigInteger)
    #: Set while the entry is in the Trash; purged for good after the retention period.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    # Every UPDATE says "WHERE version = <the version I read>": two devices saving on
    # the same base version at the same moment cannot both win; the loser gets
    # StaleDataError. ``record_change()`` sets the new number.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    dosing_session: Mapped[DosingSession | None] = relationship(lazy="raise")
    action_steps: Mapped[list["ActionStep"]] = relationship(
        back_populates="entry",
        cascade="all, delete-orphan",
        order_by="ActionStep.position",
        lazy="selectin",
    )

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    def record_change(self, change_seq: int) -> None:
        """The one place an entry's version and ``updated_at`` move.

        Called once per write by ``journal.entries.writes``, with the change number the
        database handed out for it.
        """
        self.version = (self.version or 0) + 1
        self.updated_at = utcnow()
        self.change_seq = change_seq

    def move_to_trash(self) -> None:
        self.deleted_at = utcnow()

    def restore(self) -> None:
        self.deleted_at = None

    def purge_due(self, retention_days: int, tz_name: str) -> date | None:
        """The day, in the patient's zone, the Trash deletes this entry for good."""
        if self.deleted_at is None:
            return None
        return local_date(self.deleted_at + timedelta(days=retention_days), tz_name)

    def days_after_session(self, tz_name: str) -> int | None:
        """Whole days between the dosing session and when this was written."""
        if self.dosing_session is None:
            return None
        return days_after(self.dosing_session.date, self.written_at, tz_name)


class PurgedEntry(db.Model):
    """A tombstone for an entry deleted for good, so other devices learn it is gone.

    The entry's row (and its text) is gone; only its id, its owner and the moment stay.
    """

    __tablename__ = "purged_entries"
    __table_args__ = (
        #: The changes feed walks a patient's purges in the same order as entries.
        sa.UniqueConstraint("owner_id", "change_seq", name="uq_purged_entries_owner_change_seq"),
    )

    #: The purged entry's id: never reused by another patient.
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The patient's change number of the purge (see ``ChangeCounter``).
    change_seq: Mapped[int] = mapped_column(sa.BigInteger)


class ChangeCounter(db.Model):
    """Numbers a patient's entry changes in the order they commit.

    Every write takes the next number with ``UPDATE … RETURNING``, which also locks
    this row until the write commits: a patient's writes queue up here, so numbers
    commit in order and a device reading "changes after N" never skips one that was
    still in flight. App-server clocks play no part.
    """

    __tablename__ = "change_counters"

    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                                primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class WriteReceipt(db.Model):
    """One write applied to an entry: "this request made version N, and was answered so".

    A device that lost the response replays the identical request; the fingerprint
    finds this receipt and the server answers exactly as the first time, version
    included, instead of applying it twice or calling it a conflict.
    """

    __tablename__ = "sync_receipts"
    __table_args__ = (sa.UniqueConstraint("entry_id", "fingerprint", name="uq_sync_receipts_entry_fingerprint"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    #: Receipts go with their entry when it is purged from the Trash.
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    #: SHA-256 of the operation, the base version and the request's content.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    #: The status the first answer had (201 created, 200 updated or deleted).
    status: Mapped[int] = mapped_column(sa.SmallInteger)
    #: The entry version that write produced.
    version: Mapped[int] = mapped_column(sa.Integer)
    #: The entry as the first answer carried it, so a replay answers the same.
    answer: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActionStep(db.Model):
    __tablename__ = "action_steps"
    __table_args__ = (
        #: "Prepare for session": the steps done since the last meeting, latest first.
        #: Partial, so it holds only done steps, and the query reads just those since the
        #: meeting instead of scanning every step (see bench/README.md).
        sa.Index("ix_action_steps_done_at", "done_at",
                 sqlite_where=sa.text("done IS TRUE"), postgresql_where=sa.text("done IS TRUE")),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    entry_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.String(STEP_TEXT_MAX))
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    done: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Order within the entry, as the patient wrote them.
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    entry: Mapped[Entry] = relationship(back_populates="action_steps", lazy="raise")

    def set_done(self, done: bool) -> None:
        if done and not self.done:
            self.done_at = utcnow()
        elif not done:
            self.done_at = None
        self.done = done

    def is_overdue(self, today: date) -> bool:
        return not self.done and self.due_date is not None and self.due_date < today


class EntryConflict(db.Model):
    """An entry two devices changed at once: the one that synced second was refused (409)
    and keeps its copy. Remembered here so the device that synced first, which saved
    without trouble, can say so too. Ends when either device saves the entry again based
    on the current version (``journal.entries.conflicts``).
    """

    __tablename__ = "entry_conflicts"

    #: One open conflict per entry: a later refusal replaces the one before.
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The version the refused device had edited, and the server's version it ran into.
    base_version: Mapped[int | None] = mapped_column(sa.Integer)
    current_version: Mapped[int] = mapped_column(sa.Integer)
    #: "Chrome on Android": the device that holds the other copy.
    device: Mapped[str] = mapped_column(sa.String(80))
    #: The refused copy's words and mood, so any of the patient's devices can compare.
    insights: Mapped[str] = mapped_column(sa.Text, default="")
    mood: Mapped[int | None] = mapped_column(sa.SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def holder(self) -> str:
        """The device that kept the refused copy, as a page names it."""
        return self.device if self.device not in ("", UNKNOWN_DEVICE) else "the other device"
