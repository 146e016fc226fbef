"""Forms for joining a care team and choosing who sees an entry."""
import uuid

from flask import abort
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class JoinForm(FlaskForm):
    code = StringField("Invitation code", validators=[
        DataRequired("Type the code your therapist gave you."),
        Length(max=20, message="A code looks like 7K4-QP9.")],
        description="Six letters and digits, like 7K4-QP9. Upper or lower case both work.")


def chosen_therapists(formdata, name: str = "share_with") -> set[uuid.UUID]:
    """The therapist ids ticked in a sharing form.

    :raise 400: when a value is not an id (a tampered form).
    """
    try:
        return {uuid.UUID(value) for value in formdata.getlist(name)}
    except ValueError:
        abort(400, "That sharing choice is not valid. Reload the page and try again.")
