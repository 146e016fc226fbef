"""Form fields shared by several features, with messages a patient can act on."""
import uuid
from datetime import date, datetime

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


class InstantField(DateTimeLocalField):
    """A date and time: the form's local ``2026-05-14T20:30``, or an exact instant with
    an offset (``2026-10-25T01:30:00Z``), which a device sends and which is kept as is.
    ``data`` is naive for local times (the form knows the zone), aware otherwise.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M"])  # what a datetime-local input shows
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = datetime.fromisoformat(valuelist[0].strip())
        except ValueError as error:
            self.data = None
            raise ValueError("Enter a real date and time, like 2026-05-14 20:30.") from error


def plausible_date(form, field):
    if field.data and not (EARLIEST_DATE <= field.data <= LATEST_DATE):
        raise ValidationError(f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}.")


def is_uuid(value) -> bool:
    """Whether ``value`` is text naming a UUID (what a device sends as an id)."""
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
