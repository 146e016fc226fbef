"""The questionnaire form, built from an instrument's data, and the safety plan form."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import RangeInput

from journal.measures.models import SAFETY_PLAN_SECTION_MAX, SAFETY_PLAN_SECTIONS


class QuestionnaireBase(FlaskForm):
    #: Made when the page is drawn: a double tap, or a resend, records the response once.
    response_id = HiddenField()
    dosing_session_id = HiddenField()


def _question(item):
    message = f"Answer question {item.number}."
    if item.value_range is not None:
        low, high = item.value_range
        return IntegerField(item.text, widget=RangeInput(step=1), default=None, validators=[
            InputRequired(message), NumberRange(low, high, f"Question {item.number} takes {low} to {high}.")])
    return RadioField(item.text, coerce=int, validators=[InputRequired(message)],
                      choices=[(option.value, option.label) for option in item.options])


def questionnaire_form(instrument, **kwargs) -> FlaskForm:
    """A form with one field per item, named ``q1`` … ``qN``."""
    fields = {f"q{item.number}": _question(item) for item in instrument.items}
    form_class = type(f"{instrument.id.title()}Form", (QuestionnaireBase,), fields)
    return form_class(**kwargs)


def answers_of(form, instrument) -> list:
    return [form[f"q{item.number}"].data for item in instrument.items]


class SafetyPlanForm(FlaskForm):
    shared = BooleanField("Share my safety plan with my care team")


for _field, _heading, _prompt in SAFETY_PLAN_SECTIONS:
    setattr(SafetyPlanForm, _field, TextAreaField(_heading, description=_prompt, validators=[
        Length(max=SAFETY_PLAN_SECTION_MAX, message=f"Keep each part under {SAFETY_PLAN_SECTION_MAX:,} characters.")]))
