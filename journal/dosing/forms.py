"""The dosing-session form."""
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from journal.dosing.models import SUBSTANCES
from journal.fields import EARLIEST_DATE, RealDateField, plausible_date


class DosingSessionForm(FlaskForm):
    date = RealDateField("Date of the session",
                     validators=[InputRequired("Enter the date of the session."), plausible_date],
                     render_kw={"min": EARLIEST_DATE.isoformat()})
    substance = RadioField("Substance", choices=SUBSTANCES,
                           validators=[InputRequired("Choose the substance.")])
    substance_other = StringField("Other substance", validators=[Length(max=80)],
                                  description="Only when you chose “Other”.")
    dose = StringField("Dose (optional)", validators=[Optional(), Length(max=80)],
                       description="For example “3.5 g dried” or “120 mg + 60 mg”.")
    setting = StringField("Setting (optional)", validators=[Optional(), Length(max=500)],
                          description="Where and with whom.")
    intention = TextAreaField("Intention (optional)", validators=[Optional(), Length(max=5000)])

    def validate_substance_other(self, field):
        if self.substance.data == "other" and not (field.data or "").strip():
            raise ValidationError("Name the substance.")
