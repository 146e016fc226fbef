"""Entries changed on two devices at once, remembered for both of them.

The device that syncs second is refused (409) and keeps its copy to compare; the device
that synced first saved without trouble and would never know. So the refusal is noted
here, with the refused copy's words, and every page of the entry says so until either
device saves the entry again based on the current version (``write_entry`` ends it), or
the patient keeps the saved version. Nothing here commits: the caller does.
"""
import sqlalchemy as sa

from journal.database import insert_with_on_conflict
from journal.entries.models import INSIGHTS_MAX, MOOD_MAX, MOOD_MIN, Entry, EntryConflict
from journal.extensions import db
from journal.timeutil import utcnow


def remember_conflict(entry: Entry, *, base_version: int | None, device: str | None, insights,
                      mood) -> None:
    """Note that a save based on ``base_version`` of ``entry`` was refused on ``device``,
    with the refused copy's words and mood as sent (kept only when they make sense); a
    later refusal replaces the note (one per entry). Not committed."""
    values = {"base_version": base_version, "current_version": entry.version,
              "device": (device or "another device")[:80],
              "insights": insights[:INSIGHTS_MAX] if isinstance(insights, str) else "",
              "mood": mood if _is_mood(mood) else None, "created_at": utcnow()}
    db.session.execute(
        insert_with_on_conflict(EntryConflict)
        .values(entry_id=entry.id, owner_id=entry.owner_id, **values)
        .on_conflict_do_update(index_elements=[EntryConflict.entry_id], set_=values))


def _is_mood(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and MOOD_MIN <= value <= MOOD_MAX


def forget_conflict(entry: Entry) -> None:
    """The entry's conflict is settled (saved again, or one version chosen). Not committed."""
    db.session.execute(sa.delete(EntryConflict).where(EntryConflict.entry_id == entry.id))


def conflict_of(entry: Entry) -> EntryConflict | None:
    """The entry's open conflict, or None."""
    return db.session.get(EntryConflict, entry.id)
