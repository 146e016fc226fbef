"""Forms for second factors."""
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from journal.auth.passwords import verify_password


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired("Enter the code."), Length(max=32)],
                       description="6 digits from your authenticator app, or one of your recovery codes.")


class ConfirmCodeForm(FlaskForm):
    code = StringField("Code from the app", validators=[DataRequired("Enter the 6-digit code."), Length(max=32)])


class PasswordConfirmForm(FlaskForm):
    """Asks for the password again before a second factor is removed or codes replaced."""

    password = PasswordField("Your password", validators=[DataRequired("Enter your password to confirm."),
                                                          Length(max=1024)])

    def validate_password(self, field):
        if not verify_password(current_user.password_hash, field.data or ""):
            raise ValidationError("That password is not right.")
