"""Everything a patient wrote or was given, as one JSON document they can keep."""
from collections import defaultdict

import sqlalchemy as sa

from journal.auth.models import User
from journal.care.measure_models import ResponseShare
from journal.care.models import CareLink, Comment, EntryRead, ReflectionPrompt, Share
from journal.dosing.models import DosingSession
from journal.entries.models import Entry, EntryConflict
from journal.extensions import db
from journal.measures.models import SAFETY_PLAN_SECTIONS, MeasureResponse, SafetyPlan
from journal.timeutil import utcnow

EXPORT_FORMAT = "integration-journal-export/1"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _all(model, *where, order=None):
    return list(db.session.scalars(sa.select(model).where(*where).order_by(order)))


def export_user_data(user: User) -> dict:
    """The account, care team, prompts, dosing sessions, entries (Trash included),
    questionnaire responses and the safety plan.

    Each entry carries who it is shared with, therapists' comments on it and every
    read of it by a therapist. Therapists' private notes are theirs, not exported.
    """
    entries = _all(Entry, Entry.owner_id == user.id, order=Entry.written_at.desc())
    care = _care_by_entry([e.id for e in entries])
    copies = {c.entry_id: c for c in _all(EntryConflict, EntryConflict.owner_id == user.id)}
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(utcnow()),
        "account": {"email": user.email, "display_name": user.display_name, "role": user.role,
                    "timezone": user.timezone, "created_at": _iso(user.created_at)},
        "care_team": [
            {"therapist": link.therapist.display_name, "linked_at": _iso(link.created_at),
             "ended_at": _iso(link.ended_at)}
            for link in _all(CareLink, CareLink.patient_id == user.id, order=CareLink.created_at)],
        "reflection_prompts": [
            {"from": p.therapist.display_name, "text": p.text, "assigned_at": _iso(p.created_at),
             "answered_at": _iso(p.answered_at)}
            for p in _all(ReflectionPrompt, ReflectionPrompt.patient_id == user.id,
                          order=ReflectionPrompt.created_at)],
        "dosing_sessions": [_session(s) for s in _all(DosingSession, DosingSession.owner_id == user.id,
                                                      order=DosingSession.date.desc())],
        "entries": [_entry(e) | care[e.id] | {"other_device_copy": _copy(copies.get(e.id))} for e in entries],
        "measures": _measures(user),
        "safety_plan": _safety_plan(db.session.get(SafetyPlan, user.id)),
    }


def _measures(user: User) -> list[dict]:
    """Every questionnaire response, oldest first, with whom a self-started one is shared."""
    responses = list(db.session.scalars(sa.select(MeasureResponse).where(MeasureResponse.owner_id == user.id)
                                        .order_by(MeasureResponse.completed_at, MeasureResponse.id)))
    shared = defaultdict(list)
    if responses:
        rows = db.session.execute(
            sa.select(ResponseShare.response_id, User.display_name).join(User, User.id == ResponseShare.therapist_id)
            .where(ResponseShare.response_id.in_([r.id for r in responses])).order_by(ResponseShare.created_at))
        for response_id, name in rows:
            shared[response_id].append(name)
    return [{"id": str(r.id), "instrument": r.instrument, "answers": list(r.answers),
             "completed_at": _iso(r.completed_at),
             "dosing_session_id": str(r.dosing_session_id) if r.dosing_session_id else None,
             "timepoint": r.timepoint, "score": dict(r.score), "safety_flag": r.safety_flag,
             "shared_with": shared[r.id]} for r in responses]


def _safety_plan(plan: SafetyPlan | None) -> dict | None:
    if plan is None:
        return None
    return {field: getattr(plan, field) or "" for field, _, _ in SAFETY_PLAN_SECTIONS} | {
        "shared": plan.shared, "updated_at": _iso(plan.updated_at)}


def _care_by_entry(entry_ids: list) -> dict:
    """Shares, comments and therapist reads, grouped by entry, in three queries."""
    care = defaultdict(lambda: {"shared_with": [], "therapist_comments": [], "read_by_therapists": []})
    if not entry_ids:
        return care
    names = dict(db.session.execute(sa.select(User.id, User.display_name)
                                    .where(User.role == "therapist")).all())
    for share in _all(Share, Share.entry_id.in_(entry_ids), order=Share.created_at):
        care[share.entry_id]["shared_with"].append(names.get(share.therapist_id))
    for comment in _all(Comment, Comment.entry_id.in_(entry_ids), order=Comment.created_at):
        care[comment.entry_id]["therapist_comments"].append(
            {"from": comment.therapist.display_name, "text": comment.body, "at": _iso(comment.created_at)})
    for read in _all(EntryRead, EntryRead.entry_id.in_(entry_ids), order=EntryRead.read_at):
        care[read.entry_id]["read_by_therapists"].append(
            {"therapist": read.therapist.display_name, "at": _iso(read.read_at)})
    return care


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


def _copy(conflict: EntryConflict | None) -> dict | None:
    """A save refused on another device (changed on two devices at once), not yet settled."""
    if conflict is None:
        return None
    return {"device": conflict.device, "insights": conflict.insights, "mood": conflict.mood,
            "based_on_version": conflict.base_version, "refused_at": _iso(conflict.created_at)}


def export_filename() -> str:
    return f"integration-journal-{utcnow().date().isoformat()}.json"
