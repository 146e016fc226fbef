"""Entries as JSON, the way devices store them: the sync API's answers and its feed."""
from datetime import datetime

from journal.entries.changes import PurgedRecord
from journal.entries.models import Entry
from journal.timeutil import zone

LOCAL_FORMAT = "%Y-%m-%dT%H:%M:%S"


def entry_json(entry: Entry) -> dict:
    """The entry as a device stores it (Trash state included, so deletions sync).

    Free of the reader's time zone, so a receipt can keep it; ``with_local_time`` adds
    the wall-clock time for the patient reading it.
    """
    return {
        "id": str(entry.id),
        "version": entry.version,
        "insights": entry.insights or "",
        "mood": entry.mood,
        "emotions": list(entry.emotions or []),
        "dosing_session_id": str(entry.dosing_session_id) if entry.dosing_session_id else None,
        "written_at": entry.written_at.isoformat(),
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
        "deleted": entry.deleted_at is not None,
        "deleted_at": entry.deleted_at.isoformat() if entry.deleted_at else None,
        "action_steps": [
            {"id": str(s.id), "text": s.text, "due_date": s.due_date.isoformat() if s.due_date else None,
             "done": s.done}
            for s in entry.action_steps
        ],
    }


def with_local_time(answer: dict, tz_name: str) -> dict:
    """The answer with ``written_at_local``: the patient's wall-clock time of writing."""
    moment = datetime.fromisoformat(answer["written_at"])
    return answer | {"written_at_local": moment.astimezone(zone(tz_name)).strftime(LOCAL_FORMAT)}


def change_json(change: Entry | PurgedRecord, tz_name: str) -> dict:
    """One item of the changes feed: an entry, or the tombstone of one deleted for good."""
    if isinstance(change, PurgedRecord):
        moment = change.purged_at.isoformat()
        # ``deleted`` too, so a device that knows only Trash tombstones drops it as well.
        return {"id": str(change.entry_id), "purged": True, "deleted": True,
                "purged_at": moment, "updated_at": moment}
    return with_local_time(entry_json(change), tz_name)
