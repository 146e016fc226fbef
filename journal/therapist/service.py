"""What the therapist's pages show, built from shared entries only (see care.visibility)."""
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload

from journal.auth.models import User
from journal.care.models import Comment, EntryRead, ReflectionPrompt, Share
from journal.care.visibility import active_link, visible_entries, visible_to
from journal.dosing.models import DosingSession
from journal.entries.models import ActionStep, Entry
from journal.extensions import db
from journal.therapist.models import Meeting, TherapistNote
from journal.timeutil import local_date, utcnow, zone

TIMELINE_LIMIT = 100
#: Shared entries "Prepare for session" shows, newest first (the summary counts them all).
PREP_ENTRIES = 50
#: Open steps "Prepare for session" lists: the most pressing, not every step ever left open
#: (a long journal has thousands; the summary counts them all).
PREP_OPEN_STEPS = 50


def _unread(therapist_id: uuid.UUID) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(EntryRead.entry_id == Entry.id, EntryRead.therapist_id == therapist_id)


@dataclass
class PatientSummary:
    patient: User
    last_shared_at: datetime | None = None
    unread: int = 0
    latest_mood: int | None = None
    open_steps: int = 0


def dashboard(therapist: User) -> list[PatientSummary]:
    """One row per linked patient; a fixed number of queries however many patients.

    The latest shared entry is found per patient down the journal's index, newest first,
    stopping at the first one shared (a subquery per row): a window over every shared
    entry sorted them all. The two counts do need every shared entry.
    """
    visible = visible_to(therapist.id)
    latest = aliased(Entry)
    latest_id = (sa.select(Entry.id).where(visible, Entry.owner_id == User.id)
                 .order_by(Entry.written_at.desc(), Entry.id.desc()).limit(1).scalar_subquery())
    patients = db.session.execute(
        sa.select(User, latest.written_at, latest.mood).outerjoin(latest, latest.id == latest_id)
        .where(active_link(therapist.id, User.id)).order_by(User.display_name))
    rows = {patient.id: PatientSummary(patient, last_shared_at=last, latest_mood=mood)
            for patient, last, mood in patients}
    if not rows:
        return []
    unread = db.session.execute(
        sa.select(Entry.owner_id, sa.func.count()).where(visible, _unread(therapist.id)).group_by(Entry.owner_id))
    for owner_id, count in unread:
        rows[owner_id].unread = count
    steps = db.session.execute(
        sa.select(Entry.owner_id, sa.func.count(ActionStep.id)).join(ActionStep.entry)
        .where(visible, ActionStep.done.is_(False)).group_by(Entry.owner_id))
    for owner_id, count in steps:
        rows[owner_id].open_steps = count
    return list(rows.values())


def unread_ids(therapist: User, entries: list[Entry]) -> set[uuid.UUID]:
    """Which of these entries the therapist has never been shown (ask before recording reads)."""
    if not entries:
        return set()
    read = set(db.session.scalars(sa.select(EntryRead.entry_id).where(
        EntryRead.therapist_id == therapist.id, EntryRead.entry_id.in_([e.id for e in entries]))))
    return {e.id for e in entries} - read


def timeline(therapist: User, patient: User, session_id: uuid.UUID | None = None) -> list[Entry]:
    """The patient's entries shared with this therapist, newest first."""
    query = (visible_entries(therapist.id, patient.id).options(joinedload(Entry.dosing_session))
             .order_by(Entry.written_at.desc(), Entry.id.desc()).limit(TIMELINE_LIMIT))
    if session_id is not None:
        query = query.where(Entry.dosing_session_id == session_id)
    return list(db.session.scalars(query).unique())


def shared_sessions(therapist: User, patient: User) -> list[DosingSession]:
    """Dosing sessions that at least one shared entry refers to (others stay private)."""
    ids = visible_entries(therapist.id, patient.id).with_only_columns(Entry.dosing_session_id) \
        .where(Entry.dosing_session_id.is_not(None))
    return list(db.session.scalars(sa.select(DosingSession).where(DosingSession.id.in_(ids))
                                   .order_by(DosingSession.date.desc())))


def comments_by(therapist: User, entry: Entry) -> list[Comment]:
    """The therapist's own comments on an entry (other therapists' stay between them and the patient)."""
    return list(db.session.scalars(sa.select(Comment).where(
        Comment.entry_id == entry.id, Comment.therapist_id == therapist.id).order_by(Comment.created_at)))


def notes_about(therapist: User, patient: User) -> list[TherapistNote]:
    """The therapist's own private notes about the patient, newest first."""
    return list(db.session.scalars(sa.select(TherapistNote).where(
        TherapistNote.therapist_id == therapist.id, TherapistNote.patient_id == patient.id)
        .order_by(TherapistNote.created_at.desc())))


def prompts_given(therapist: User, patient: User) -> list[ReflectionPrompt]:
    """Prompts this therapist gave the patient, newest first."""
    return list(db.session.scalars(sa.select(ReflectionPrompt).where(
        ReflectionPrompt.therapist_id == therapist.id, ReflectionPrompt.patient_id == patient.id)
        .order_by(ReflectionPrompt.created_at.desc())))


@dataclass
class Preparation:
    """Everything shared since the last meeting, for the "Prepare for session" page."""
    last_meeting: Meeting | None
    next_meeting: Meeting | None
    meetings: list[Meeting]
    since: datetime | None
    #: The newest PREP_ENTRIES entries written or shared since the meeting, newest first.
    entries: list[Entry] = field(default_factory=list)
    entry_count: int = 0
    #: The oldest of them all: where the mood line starts when nothing came before.
    oldest: Entry | None = None
    mood_before: int | None = None
    completed_steps: list[ActionStep] = field(default_factory=list)
    #: The first PREP_OPEN_STEPS open steps: due first, then the newest.
    open_steps: list[ActionStep] = field(default_factory=list)
    open_step_count: int = 0

    @property
    def mood_first(self) -> int | None:
        return self.oldest.mood if self.oldest else None

    @property
    def mood_last(self) -> int | None:
        return self.entries[0].mood if self.entries else None

    @property
    def mood_change(self) -> int | None:
        start = self.mood_before if self.mood_before is not None else self.mood_first
        if start is None or self.mood_last is None:
            return None
        return self.mood_last - start


def meetings_with(therapist: User, patient: User) -> list[Meeting]:
    return list(db.session.scalars(sa.select(Meeting).where(
        Meeting.therapist_id == therapist.id, Meeting.patient_id == patient.id)
        .order_by(Meeting.held_on.desc())))


def start_of_day(day: date, tz_name: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone(tz_name)).astimezone(zone("UTC"))


def _since_meeting(therapist: User, patient: User, since: datetime | None) -> list[sa.Select]:
    """The visible entries written or shared since ``since`` (all, when None), as queries
    that never share an entry: written since; written before but shared since.

    Not one query with ``written_at >= since OR shared since``: an OR across entries and
    shares keeps PostgreSQL from using an index for either, so it read every share of the
    therapist and fetched each entry. Apart, the first walks the patient's live entries
    from ``since``; the ids of entries shared since come first on their own, so the
    entries are then fetched by key whatever the statistics guess (see bench/README.md).
    """
    query = visible_entries(therapist.id, patient.id)
    if since is None:
        return [query]
    shared_ids = db.session.scalars(sa.select(Share.entry_id).where(
        Share.therapist_id == therapist.id, Share.created_at >= since)).all()
    written = query.where(Entry.written_at >= since)
    return [written, query.where(Entry.id.in_(shared_ids), Entry.written_at < since)] if shared_ids else [written]


def _fill_entries(prep: Preparation, parts: list[sa.Select]) -> None:
    """The newest PREP_ENTRIES of ``parts`` together, how many there are, and the oldest.

    A part that came back shorter than PREP_ENTRIES was read whole, so its count and its
    oldest are known; only a full part asks for them. (Asked of the few old entries shared
    since, the oldest walked the patient's whole journal: 18 ms at 100,000 entries.)
    """
    newest = Entry.written_at.desc(), Entry.id.desc()
    found = [db.session.scalars(part.options(joinedload(Entry.dosing_session)).order_by(*newest)
                                .limit(PREP_ENTRIES)).unique().all() for part in parts]
    merged = sorted((entry for rows in found for entry in rows), key=lambda e: (e.written_at, e.id), reverse=True)
    prep.entries = merged[:PREP_ENTRIES]
    count, oldest = 0, []
    for part, rows in zip(parts, found):
        if len(rows) < PREP_ENTRIES:
            count += len(rows)
            oldest += rows[-1:]
        else:
            count += db.session.scalar(part.with_only_columns(sa.func.count(Entry.id)))
            oldest.append(db.session.scalar(part.order_by(Entry.written_at, Entry.id).limit(1)))
    prep.entry_count = count
    prep.oldest = min(filter(None, oldest), key=lambda e: (e.written_at, e.id), default=None)


def prepare(therapist: User, patient: User) -> Preparation:
    """Entries written or shared since the start of the last meeting day, steps, mood change."""
    today = local_date(utcnow(), therapist.timezone)
    meetings = meetings_with(therapist, patient)
    past = [m for m in meetings if m.held_on <= today]
    future = [m for m in meetings if m.held_on > today]
    last = past[0] if past else None
    since = start_of_day(last.held_on, therapist.timezone) if last else None
    prep = Preparation(last, future[-1] if future else None, meetings, since)
    _fill_entries(prep, _since_meeting(therapist, patient, since))
    if since is not None:
        before = db.session.scalar(visible_entries(therapist.id, patient.id)
                                   .where(Entry.written_at < since)
                                   .order_by(Entry.written_at.desc()).limit(1))
        prep.mood_before = before.mood if before else None
    steps = (sa.select(ActionStep).join(ActionStep.entry).options(contains_eager(ActionStep.entry))
             .where(visible_to(therapist.id), Entry.owner_id == patient.id))
    done = steps.where(ActionStep.done.is_(True))
    if since is not None:
        done = done.where(ActionStep.done_at >= since)
    prep.completed_steps = list(db.session.scalars(done.order_by(ActionStep.done_at.desc())))
    prep.open_steps, prep.open_step_count = _open_steps(steps.where(ActionStep.done.is_(False)))
    return prep


def _open_steps(query: sa.Select) -> tuple[list[ActionStep], int]:
    """The first PREP_OPEN_STEPS open steps ``query`` selects, due first, then the newest,
    and how many there are in all (counted only when the list is full)."""
    shown = list(db.session.scalars(
        query.order_by(ActionStep.due_date.is_(None), ActionStep.due_date, Entry.written_at.desc(), ActionStep.position)
        .limit(PREP_OPEN_STEPS)))
    if len(shown) < PREP_OPEN_STEPS:
        return shown, len(shown)
    return shown, db.session.scalar(query.with_only_columns(sa.func.count(ActionStep.id)))
