"""The entry form: the one validation path for HTML forms and the sync API."""
from datetime import datetime, timedelta, timezone

from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, RadioField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from journal.fields import EARLIEST_DATE, InstantField, RealDateField, plausible_date
from journal.entries.models import (EMOTIONS, INSIGHTS_MAX, MOOD_MAX, MOOD_MIN, MOOD_WORDS,
                                    STEP_TEXT_MAX)
from journal.timeutil import utcnow, zone

#: Clocks on phones drift; a few minutes "in the future" is not an error.
CLOCK_SKEW = timedelta(minutes=10)
MAX_ACTION_STEPS = 50


class ActionStepForm(Form):
    """One action step row; ``id`` is empty for a step not saved yet."""

    id = HiddenField()
    text = StringField("Action step", validators=[
        InputRequired("Describe the step, or remove it."),
        Length(max=STEP_TEXT_MAX, message=f"Keep a step under {STEP_TEXT_MAX} characters.")])
    due_date = RealDateField("Due (optional)", validators=[Optional(), plausible_date])
    done = BooleanField("Done")

    def validate_text(self, field):
        if not (field.data or "").strip():
            raise ValidationError("Describe the step, or remove it.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EntryForm(FlaskForm):
    insights = TextAreaField(
        "Insights", validators=[Length(max=INSIGHTS_MAX,
                                       message=f"Keep an entry under {INSIGHTS_MAX:,} characters; "
                                               "split it into two entries if you need more.")],
        description="What surfaced, what you understand now, what you want to remember.")
    mood = RadioField(
        "Mood right now", coerce=int,
        choices=[(n, str(n)) for n in range(MOOD_MIN, MOOD_MAX + 1)],
        validators=[InputRequired(f"Choose your mood from {MOOD_MIN} to {MOOD_MAX}.")],
        description=f"{MOOD_MIN} = {MOOD_WORDS[MOOD_MIN]}, {MOOD_MAX} = {MOOD_WORDS[MOOD_MAX]}")
    emotions = MultiCheckboxField("Emotions (optional)", choices=[(e, e) for e in EMOTIONS])
    dosing_session_id = SelectField("Dosing session (optional)", choices=[("", "Not linked")],
                                    validate_choice=False)
    written_at = InstantField("Written at", validators=[Optional()],
                              description="Change it to back-date the entry.")
    action_steps = FieldList(FormField(ActionStepForm), min_entries=0, max_entries=MAX_ACTION_STEPS)
    #: The id a new entry will have, made when the form is shown: a double tap on Save
    #: sends the same id twice and saves one entry.
    entry_id = HiddenField()
    #: The version the patient started editing from: a save based on an older one is a
    #: conflict, never an overwrite.
    base_version = HiddenField()

    def __init__(self, *args, sessions=(), tz_name: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.tz_name = tz_name
        self.dosing_session_id.choices = [("", "Not linked")] + [
            (str(s.id), s.title) for s in sessions]

    def validate_mood(self, field):
        # RadioField reports "Not a valid choice"; the patient deserves the range.
        if field.data not in range(MOOD_MIN, MOOD_MAX + 1):
            raise ValidationError(f"Choose your mood from {MOOD_MIN} to {MOOD_MAX}.")

    def validate_emotions(self, field):
        unknown = [e for e in field.data or [] if e not in EMOTIONS]
        if unknown:
            raise ValidationError("Choose emotions from the list.")

    def validate_dosing_session_id(self, field):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose one of your own dosing sessions.")

    def validate_written_at(self, field):
        if field.data is None:
            return
        # Checked on the wall-clock date first: year 1 or 9999 cannot be turned into UTC.
        if field.data.date() < EARLIEST_DATE:
            raise ValidationError(f"Enter a date after {EARLIEST_DATE.year}.")
        if field.data.date() > (utcnow() + timedelta(days=2)).date():
            raise ValidationError("An entry cannot be dated in the future.")
        if self.written_at_utc() > utcnow() + CLOCK_SKEW:
            raise ValidationError("An entry cannot be dated in the future.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._steps_are_distinct() and valid

    def _steps_are_distinct(self) -> bool:
        """Two rows naming one step id would be one step saved twice: name the row."""
        seen, distinct = set(), True
        for row in self.action_steps.entries:
            step_id = (row.form.id.data or "").strip().lower()
            if step_id and step_id in seen:
                row.form.id.errors = [*row.form.id.errors, "This step appears twice in the entry."]
                distinct = False
            seen.add(step_id)
        if not distinct:
            self.action_steps.errors = [row.errors for row in self.action_steps.entries]
        return distinct

    def written_at_utc(self) -> datetime | None:
        """When the patient wrote it, as an aware UTC datetime.

        A device's exact instant (sent with its offset) is kept as it is; the form's
        local date and time is read in the patient's zone.
        """
        moment = self.written_at.data
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone(self.tz_name))
        return moment.astimezone(timezone.utc)

    def base_version_number(self) -> int | None:
        """The version the patient edited; None for a new entry or a form without one."""
        value = (self.base_version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None

    def wants_step_change(self, formdata) -> bool:
        """True when the patient pressed "add step" or "remove" rather than "save"."""
        return "add_step" in formdata or "remove_step" in formdata

    def apply_step_change(self, formdata) -> None:
        """Add a blank step row or drop one, without saving (works without JavaScript)."""
        if "add_step" in formdata and len(self.action_steps) < MAX_ACTION_STEPS:
            self.action_steps.append_entry()
        removed = formdata.get("remove_step", "")
        if removed.isdigit():
            name = f"action_steps-{removed}"
            self.action_steps.entries = [e for e in self.action_steps.entries if e.name != name]
