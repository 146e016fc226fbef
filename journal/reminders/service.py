"""Reading and changing a person's reminder choices (not committed)."""
import uuid

from journal.auth.models import User
from journal.extensions import db
from journal.reminders.models import ReminderSettings
from journal.timeutil import utcnow


def settings_for(user_id: uuid.UUID) -> ReminderSettings:
    """The person's settings, or a fresh all-off row (not added to the session)."""
    return db.session.get(ReminderSettings, user_id) or ReminderSettings(
        user_id=user_id, always_email=False)


def save_choices(user: User, form) -> ReminderSettings:
    """Store what the form says; the time zone is the account's own. Not committed."""
    settings = settings_for(user.id)
    user.timezone = form.timezone.data
    data = form.data
    if user.is_therapist:
        settings.digest_at = form.digest_at.data if data["digest"] else None
        settings.safety_since = _since(settings.safety_since, data["safety"])
    else:
        settings.daily_at = form.daily_at.data if data["daily"] else None
        settings.steps_at = form.steps_at.data if data["steps"] else None
        settings.measures_at = form.measures_at.data if data["measures"] else None
        settings.care_since = _since(settings.care_since, data["care_team"])
    settings.quiet_from = form.quiet_from.data if data["quiet"] else None
    settings.quiet_until = form.quiet_until.data if data["quiet"] else None
    settings.always_email = bool(data["always_email"])
    settings.updated_at = utcnow()
    db.session.add(settings)
    return settings


def _since(current, on: bool):
    """Announcements start from the moment they were turned on, and stay put while on."""
    if not on:
        return None
    return current or utcnow()
