"""The Reminders page form: each kind off, or on at a local time."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TimeField
from wtforms.validators import Optional, StopValidation

from journal.auth.forms import TIMEZONE_CHOICES


def time_when(switch: str):
    """A time is required when its switch is on; ``TimeField`` refuses anything but 00:00–23:59."""
    def check(form, field):
        if form[switch].data and field.data is None:
            raise StopValidation("Choose a time between 00:00 and 23:59.")
    return check


class ReminderForm(FlaskForm):
    timezone = SelectField("Time zone", choices=TIMEZONE_CHOICES,
                           description="Reminder times follow this zone, daylight saving included.")
    daily = BooleanField("A daily nudge to write")
    daily_at = TimeField("at", validators=[time_when("daily"), Optional()])
    steps = BooleanField("Action steps due today")
    steps_at = TimeField("at", validators=[time_when("steps"), Optional()])
    measures = BooleanField("Questionnaires due after a dosing session")
    measures_at = TimeField("at", validators=[time_when("measures"), Optional()])
    care_team = BooleanField("A new comment or reflection prompt from my care team")
    quiet = BooleanField("Quiet hours: hold reminders")
    quiet_from = TimeField("from", validators=[time_when("quiet"), Optional()])
    quiet_until = TimeField("until", validators=[time_when("quiet"), Optional()])
    always_email = BooleanField("Also by email when a notification reached my device")


class TherapistReminderForm(FlaskForm):
    timezone = ReminderForm.timezone
    digest = BooleanField("A daily digest: how many patients shared new entries")
    digest_at = TimeField("at", validators=[time_when("digest"), Optional()])
    safety = BooleanField("A safety flag: a patient's questionnaire answer that needs your attention",
                          description="Sent as soon as the answer reaches the server (quiet hours apply).")
    quiet = ReminderForm.quiet
    quiet_from = ReminderForm.quiet_from
    quiet_until = ReminderForm.quiet_until
    always_email = ReminderForm.always_email
