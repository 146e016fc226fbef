"""The Reminders page: what to be reminded of, and when."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from journal.extensions import db
from journal.reminders import bp
from journal.reminders.forms import ReminderForm, TherapistReminderForm
from journal.reminders.service import save_choices, settings_for


def form_for(user, settings):
    """The patient's or the therapist's form, filled from the stored settings on GET."""
    if user.is_therapist:
        return TherapistReminderForm(
            timezone=user.timezone, digest=settings.digest_at is not None, digest_at=settings.digest_at,
            quiet=settings.quiet_from is not None, quiet_from=settings.quiet_from,
            quiet_until=settings.quiet_until, always_email=settings.always_email)
    return ReminderForm(
        timezone=user.timezone, daily=settings.daily_at is not None, daily_at=settings.daily_at,
        steps=settings.steps_at is not None, steps_at=settings.steps_at,
        care_team=settings.care_team, quiet=settings.quiet_from is not None,
        quiet_from=settings.quiet_from, quiet_until=settings.quiet_until,
        always_email=settings.always_email)


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """Choose reminders per kind; a bad time or zone is answered 400 and nothing is stored."""
    settings = settings_for(current_user.id)
    form = form_for(current_user, settings)
    if form.validate_on_submit():
        save_choices(current_user, form)
        db.session.commit()
        flash("Reminders saved.", "success")
        return redirect(url_for("reminders.index"))
    status = 400 if form.errors else 200
    return render_template("reminders/index.html", form=form), status
