"""Form fields shared by several features, with messages a patient can act on."""
from datetime import date

from wtforms import DateField, DateTimeLocalField
from wtforms.validators import ValidationError

EARLIEST_DATE = date(1950, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class RealDateField(DateField):
    """A date field that says *why* 2026-02-30 or "tomorrow" is refused."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a real calendar date, like 2026-05-14.") from error


class RealDateTimeField(DateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a real date and time, like 2026-05-14 20:30.") from error


def plausible_date(form, field):
    if field.data and not (EARLIEST_DATE <= field.data <= LATEST_DATE):
        raise ValidationError(f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}.")
