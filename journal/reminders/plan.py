"""Deciding what is due: one delivery row per occasion, inserted once however many
senders plan at the same moment (``INSERT … ON CONFLICT DO NOTHING`` on its key)."""
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from journal.auth.models import User
from journal.care.models import CareLink, Comment, ReflectionPrompt, Share
from journal.database import insert_ignoring_conflict
from journal.entries.models import ActionStep, Entry
from journal.extensions import db
from journal.care.measure_service import flags_raised
from journal.measures.protocol import due_now
from journal.reminders.models import (CARE, DAILY, DIGEST, MEASURES, PENDING, SAFETY, STEPS, ReminderDelivery,
                                      ReminderSettings)
from journal.reminders.schedule import after_quiet_hours, moment_at, recent_days
from journal.timeutil import utcnow

#: A daily reminder missed by this much (sender down) is dropped rather than sent late.
CATCH_UP = timedelta(hours=3)
#: Care-team notes older than this when first seen are not announced any more.
CARE_LOOKBACK = timedelta(days=2)


#: Kinds sent only on days something is due: ``check(user_id, local_date) -> bool``.
DUE_CHECKS: dict[str, Callable[[uuid.UUID, date], bool]] = {}


def when_due(kind: str, check: Callable[[uuid.UUID, date], bool]) -> None:
    DUE_CHECKS[kind] = check


def plan_due(now: datetime) -> int:
    """Insert the deliveries due at ``now``; returns how many rows were new. Not committed."""
    rows = []
    settings = db.session.execute(
        sa.select(ReminderSettings, User).join(User, User.id == ReminderSettings.user_id)
    ).all()
    for setting, user in settings:
        rows += _daily_kinds(setting, user, now)
        if setting.care_since is not None and user.is_patient:
            rows += _care_notes(setting, user, now)
        if setting.safety_since is not None and user.is_therapist:
            rows += _safety_flags(setting, user, now)
    if not rows:
        return 0
    created = 0
    for row in rows:
        result = db.session.execute(insert_ignoring_conflict(ReminderDelivery).values(**row))
        created += result.rowcount or 0
    return created


def _row(key: str, user: User, setting: ReminderSettings, kind: str, path: str, at: datetime,
         count: int = 0) -> dict:
    due = after_quiet_hours(at, setting.quiet_from, setting.quiet_until, user.timezone)
    return dict(id=uuid.uuid4(), key=key, user_id=user.id, kind=kind, target=path, due_at=due,
                count=count, status=PENDING, attempts=0, created_at=utcnow())


def _daily_kinds(setting: ReminderSettings, user: User, now: datetime) -> list[dict]:
    """Reminders at a local time of day, keyed by the local date: one per day, whatever
    daylight saving does to the UTC moment."""
    rows = []
    for day in recent_days(now, user.timezone):
        for kind, at in _times(setting, user):
            moment = moment_at(day, at, user.timezone)
            if not moment <= now < moment + CATCH_UP:
                continue
            key = f"{kind}:{user.id}:{day.isoformat()}"
            if kind == DAILY:
                rows.append(_row(key, user, setting, DAILY, "/entries/new", moment))
            elif kind in DUE_CHECKS and DUE_CHECKS[kind](user.id, day):
                rows.append(_row(key, user, setting, kind, TARGETS[kind], moment))
            elif kind == DIGEST:
                count = _patients_who_shared(user.id, moment - timedelta(days=1), moment)
                if count:
                    rows.append(_row(key, user, setting, DIGEST, "/therapist/", moment, count))
    return rows


def _times(setting: ReminderSettings, user: User) -> list[tuple[str, time]]:
    if user.is_therapist:
        return [(DIGEST, setting.digest_at)] if setting.digest_at else []
    return [(kind, at) for kind, at in ((DAILY, setting.daily_at), (STEPS, setting.steps_at),
                                        (MEASURES, setting.measures_at)) if at]


def _steps_due_on(owner_id: uuid.UUID, day) -> bool:
    return db.session.scalar(
        sa.select(sa.exists().where(
            ActionStep.entry_id == Entry.id, Entry.owner_id == owner_id, Entry.deleted_at.is_(None),
            ActionStep.done.is_(False), ActionStep.due_date == day))
    )


when_due(STEPS, _steps_due_on)
when_due(MEASURES, lambda owner_id, day: bool(due_now(owner_id, day)))
#: The page a due-day reminder opens.
TARGETS = {STEPS: "/steps/", MEASURES: "/measures/"}


def _patients_who_shared(therapist_id: uuid.UUID, since: datetime, until: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Entry.owner_id)))
        .join(Share, Share.entry_id == Entry.id)
        .join(CareLink, sa.and_(CareLink.patient_id == Entry.owner_id,
                                CareLink.therapist_id == therapist_id, CareLink.ended_at.is_(None)))
        .where(Share.therapist_id == therapist_id, Share.created_at >= since, Share.created_at < until,
               Entry.deleted_at.is_(None))
    ) or 0


def _care_notes(setting: ReminderSettings, user: User, now: datetime) -> list[dict]:
    """One notice per new comment or reflection prompt, from the moment it was written."""
    since = max(setting.care_since, now - CARE_LOOKBACK)
    comments = db.session.execute(
        sa.select(Comment.id, Comment.entry_id, Comment.created_at).join(Entry, Entry.id == Comment.entry_id)
        .where(Entry.owner_id == user.id, Entry.deleted_at.is_(None), Comment.created_at > since,
               Comment.created_at <= now, Comment.read_by_patient_at.is_(None))
    ).all()
    prompts = db.session.execute(
        sa.select(ReflectionPrompt.id, ReflectionPrompt.created_at)
        .where(ReflectionPrompt.patient_id == user.id, ReflectionPrompt.answered_at.is_(None),
               ReflectionPrompt.created_at > since, ReflectionPrompt.created_at <= now)
    ).all()
    return ([_row(f"comment:{c.id}", user, setting, CARE, f"/entries/{c.entry_id}", c.created_at)
             for c in comments]
            + [_row(f"prompt:{p.id}", user, setting, CARE, "/entries/new", p.created_at) for p in prompts])


def _safety_flags(setting: ReminderSettings, user: User, now: datetime) -> list[dict]:
    """One notice per flagged answer the therapist may see, from the moment it arrived."""
    since = max(setting.safety_since, now - CARE_LOOKBACK)
    return [_row(f"safety:{response.id}:{user.id}", user, setting, SAFETY,
                 f"/therapist/patients/{response.owner_id}", response.received_at)
            for response in flags_raised(user.id, since, now)]
