"""Forms for what therapists write; validated like entries (length, not empty)."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from journal.care.models import COMMENT_MAX, PROMPT_MAX
from journal.fields import RealDateField, plausible_date
from journal.therapist.models import NOTE_MAX


def not_blank(message: str):
    def check(form, field):
        if not (field.data or "").strip():
            raise ValidationError(message)
    return check


def _text(label: str, maximum: int, empty: str, **kwargs) -> TextAreaField:
    return TextAreaField(label, validators=[
        InputRequired(empty), not_blank(empty),
        Length(max=maximum, message=f"Keep it under {maximum:,} characters.")], **kwargs)


class CommentForm(FlaskForm):
    body = _text("Comment for the patient", COMMENT_MAX, "Write a comment, or leave the page.",
                 description="The patient sees this on the entry.")


class NoteForm(FlaskForm):
    body = _text("Private note", NOTE_MAX, "Write the note first.",
                 description="Only you can see your notes. The patient never does.")


class PromptForm(FlaskForm):
    text = _text("Reflection prompt", PROMPT_MAX, "Write the question you want to ask.",
                 description="Shown on the patient's new-entry screen until they write an entry with it.")


class MeetingForm(FlaskForm):
    held_on = RealDateField("Meeting date", validators=[InputRequired("Enter the date of the meeting."),
                                                        plausible_date])
