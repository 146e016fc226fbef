"""Forms for registering and logging in."""
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from journal.auth.models import User
from journal.auth.passwords import PASSWORD_MAX, password_problem
from journal.extensions import db

TIMEZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(available_timezones())
                    if "/" in name and not name.startswith(("Etc/", "SystemV/"))] + [("UTC", "UTC")]


def normalise_email(value: str | None) -> str | None:
    return value.strip().lower() if value else value


class RegisterForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[DataRequired("Tell us what to call you."), Length(max=80)],
        description="Shown to you and, later, to therapists you add to your care team.",
    )
    email = EmailField(
        "Email", filters=[normalise_email],
        validators=[DataRequired("Enter your email address."), Length(max=254),
                    Email("Enter a valid email address.", check_deliverability=False)],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Choose a password.")],
        description=f"At least 10 characters, up to {PASSWORD_MAX}. A phrase of a few words works well.",
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired("Repeat your password."), EqualTo("password", "The passwords do not match.")],
    )
    timezone = SelectField("Time zone", choices=TIMEZONE_CHOICES, default="UTC",
                           description="Dates in your journal are shown in this zone.")

    def validate_email(self, field):
        if db.session.scalar(sa.select(User.id).where(User.email == field.data)):
            raise ValidationError("An account with this email already exists. Log in instead.")

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[normalise_email],
                       validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=1024)])
    remember = BooleanField("Keep me logged in on this device")


class AccountForm(FlaskForm):
    display_name = StringField("Display name", validators=[DataRequired("Tell us what to call you."),
                                                           Length(max=80)])
    timezone = SelectField("Time zone", choices=TIMEZONE_CHOICES)


class EmptyForm(FlaskForm):
    """Carries only the CSRF token, for POST-only buttons."""


class NewPasswordForm(FlaskForm):
    """A new password, typed twice; ``email`` is the account's, so it cannot be the password."""

    password = PasswordField(
        "New password", validators=[DataRequired("Choose a password.")],
        description=f"At least 10 characters, up to {PASSWORD_MAX}. A phrase of a few words works well.")
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired("Repeat your password."), EqualTo("password", "The passwords do not match.")])

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = email

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.account_email)
        if problem:
            raise ValidationError(problem)


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password."),
                                                            Length(max=1024)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", filters=[normalise_email],
                       validators=[DataRequired("Enter your email address."), Length(max=254),
                                   Email("Enter a valid email address.", check_deliverability=False)])
