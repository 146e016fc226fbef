"""Everything a user wrote, as one JSON document they can keep or take elsewhere."""
import sqlalchemy as sa

from journal.auth.models import User
from journal.dosing.models import DosingSession
from journal.entries.models import Entry
from journal.extensions import db
from journal.timeutil import utcnow

EXPORT_FORMAT = "integration-journal-export/1"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_user_data(user: User) -> dict:
    """The user's account, dosing sessions and entries (Trash included), newest first."""
    sessions = db.session.scalars(
        sa.select(DosingSession).where(DosingSession.owner_id == user.id).order_by(DosingSession.date.desc()))
    entries = db.session.scalars(
        sa.select(Entry).where(Entry.owner_id == user.id).order_by(Entry.written_at.desc()))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(utcnow()),
        "account": {"email": user.email, "display_name": user.display_name, "role": user.role,
                    "timezone": user.timezone, "created_at": _iso(user.created_at)},
        "dosing_sessions": [_session(s) for s in sessions],
        "entries": [_entry(e) for e in entries],
    }


def _session(session: DosingSession) -> dict:
    return {"id": str(session.id), "date": _iso(session.date), "substance": session.substance_label,
            "dose": session.dose, "setting": session.setting, "intention": session.intention}


def _entry(entry: Entry) -> dict:
    return {
        "id": str(entry.id), "written_at": _iso(entry.written_at), "insights": entry.insights,
        "mood": entry.mood, "emotions": list(entry.emotions or []),
        "dosing_session_id": str(entry.dosing_session_id) if entry.dosing_session_id else None,
        "in_trash_since": _iso(entry.deleted_at), "version": entry.version,
        "action_steps": [{"id": str(s.id), "text": s.text, "due_date": _iso(s.due_date),
                          "done": s.done, "done_at": _iso(s.done_at)} for s in entry.action_steps],
    }


def export_filename() -> str:
    return f"integration-journal-{utcnow().date().isoformat()}.json"
