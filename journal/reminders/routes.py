"""The Reminders page: what to be reminded of, and when."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from journal.extensions import db
from journal.reminders import bp
from journal.reminders.forms import ReminderForm, TherapistReminderForm
from journal.reminders.push import BadSubscription, check_subscription, subscribe, unsubscribe
from journal.reminders.service import save_choices, settings_for
from journal.reminders.server_keys import application_server_key


def form_for(user, settings):
    """The patient's or the therapist's form, filled from the stored settings on GET."""
    if user.is_therapist:
        return TherapistReminderForm(
            timezone=user.timezone, digest=settings.digest_at is not None, digest_at=settings.digest_at,
            safety=settings.safety_since is not None,
            quiet=settings.quiet_from is not None, quiet_from=settings.quiet_from,
            quiet_until=settings.quiet_until, always_email=settings.always_email)
    return ReminderForm(
        timezone=user.timezone, daily=settings.daily_at is not None, daily_at=settings.daily_at,
        steps=settings.steps_at is not None, steps_at=settings.steps_at,
        measures=settings.measures_at is not None, measures_at=settings.measures_at,
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


@bp.route("/push-key")
@login_required
def push_key():
    """The server's VAPID public key, for ``pushManager.subscribe``."""
    return jsonify(publicKey=application_server_key())


@bp.route("/push-subscriptions", methods=["POST"])
@login_required
def add_push_subscription():
    """Store this browser's subscription (JSON, as ``PushSubscription.toJSON()`` gives it).

    :raise 400: a malformed subscription or an endpoint we do not post to; nothing stored.
    """
    try:
        endpoint, p256dh, auth = check_subscription(request.get_json(silent=True))
    except BadSubscription as problem:
        return jsonify(error=str(problem)), 400
    subscribe(current_user.id, endpoint, p256dh, auth)
    db.session.commit()
    return jsonify(ok=True), 201


@bp.route("/push-subscriptions/delete", methods=["POST"])
@login_required
def delete_push_subscription():
    """Forget this browser's subscription (the person turned notifications off here)."""
    endpoint = (request.get_json(silent=True) or {}).get("endpoint")
    if isinstance(endpoint, str):
        unsubscribe(current_user.id, endpoint)
        db.session.commit()
    return "", 204
