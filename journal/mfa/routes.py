"""Account → Security: set up or remove an authenticator app and passkeys; recovery codes."""
import uuid

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from journal.extensions import db
from journal.mfa import bp, passkeys, recovery, totp
from journal.mfa.forms import ConfirmCodeForm, PasswordConfirmForm
from journal.mfa.models import Passkey
from journal.mfa.service import has_second_factor, second_factor_required
from journal.security_log.service import record

NEW_CODES_KEY = "new_recovery_codes"


def _show_new_codes_next(user) -> None:
    """Make ten recovery codes and show them once, on the next page (not committed)."""
    session[NEW_CODES_KEY] = recovery.new_codes(user)
    record(user.id, "recovery-codes-renewed")


@bp.route("/account/security")
@login_required
def settings():
    """Second factors: what is set up, and buttons to add or remove."""
    return render_template("mfa/security.html", totp_on=totp.confirmed_totp(current_user) is not None,
                           passkeys=passkeys.user_passkeys(current_user),
                           codes_left=recovery.codes_left(current_user),
                           required=second_factor_required(current_user), password_form=PasswordConfirmForm())


@bp.route("/account/security/totp/start", methods=["POST"])
@login_required
def totp_start():
    """Make a new secret for an app to scan (a POST: it writes)."""
    if not totp.confirmed_totp(current_user):
        totp.start_setup(current_user)
        db.session.commit()
    return redirect(url_for("mfa.totp_setup"))


@bp.route("/account/security/totp", methods=["GET", "POST"])
@login_required
def totp_setup():
    """Scan the QR code, then type a code from the app to switch it on."""
    credential = totp.pending_setup(current_user)
    if credential is None:
        return redirect(url_for("mfa.settings"))
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        if totp.confirm_setup(current_user, form.code.data):
            record(current_user.id, "totp-enabled")
            if recovery.codes_left(current_user) == 0:
                _show_new_codes_next(current_user)
            db.session.commit()
            flash("Your authenticator app is set up. You will be asked for a code when you log in.", "success")
            return redirect(url_for("mfa.recovery_codes" if session.get(NEW_CODES_KEY) else "mfa.settings"))
        form.code.errors.append("That code is not right. Check the app shows Integration Journal, "
                                "then type the code it shows now.")
    uri = totp.provisioning_uri(current_user, credential)
    status = 400 if request.method == "POST" else 200
    return render_template("mfa/totp_setup.html", form=form, qr=totp.qr_svg(uri), secret=credential.secret), status


@bp.route("/account/security/totp/remove", methods=["POST"])
@login_required
def totp_remove():
    """Switch the authenticator app off (the password first)."""
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        flash(" ".join(form.password.errors) or "Enter your password to confirm.", "error")
        return redirect(url_for("mfa.settings"))
    totp.remove(current_user)
    record(current_user.id, "totp-disabled")
    _drop_codes_without_factor()
    db.session.commit()
    flash("The authenticator app is removed from your account.", "info")
    return redirect(url_for("mfa.settings"))


@bp.route("/account/security/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    """POST (with the password) makes ten new codes; GET shows new codes once."""
    if request.method == "POST":
        form = PasswordConfirmForm()
        if not form.validate_on_submit() or not has_second_factor(current_user):
            flash(" ".join(form.password.errors) or "Set up a second factor first.", "error")
            return redirect(url_for("mfa.settings"))
        _show_new_codes_next(current_user)
        db.session.commit()
        return redirect(url_for("mfa.recovery_codes"))
    codes = session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect(url_for("mfa.settings"))
    response = render_template("mfa/recovery_codes.html", codes=codes)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/account/security/passkeys/options", methods=["POST"])
@login_required
def passkey_options():
    """Options for registering a new passkey (JSON)."""
    options = passkeys.registration_options(current_user)
    db.session.commit()
    return options, 200, {"Content-Type": "application/json", "Cache-Control": "no-store"}


@bp.route("/account/security/passkeys", methods=["POST"])
@login_required
def passkey_register():
    """Store the passkey the browser created (JSON); answer where to go next."""
    credential = request.get_json(silent=True)
    if not isinstance(credential, dict):
        return jsonify(error="Send the passkey as JSON."), 400
    try:
        passkey = passkeys.register(current_user, credential)
    except passkeys.PasskeyProblem as problem:
        db.session.commit()  # the challenge stays spent
        return jsonify(error=str(problem)), 400
    record(current_user.id, "passkey-added", detail=passkey.name)
    if recovery.codes_left(current_user) == 0:
        _show_new_codes_next(current_user)
    db.session.commit()
    flash(f"Passkey added ({passkey.name}).", "success")
    return jsonify(redirect=url_for("mfa.recovery_codes" if session.get(NEW_CODES_KEY) else "mfa.settings"))


@bp.route("/account/security/passkeys/<uuid:passkey_id>/remove", methods=["POST"])
@login_required
def passkey_remove(passkey_id: uuid.UUID):
    """Remove one of my passkeys (the password first). :raise 404: for anyone else's."""
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != current_user.id:
        abort(404)
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        flash(" ".join(form.password.errors) or "Enter your password to confirm.", "error")
        return redirect(url_for("mfa.settings"))
    db.session.delete(passkey)
    record(current_user.id, "passkey-removed", detail=passkey.name)
    db.session.flush()
    _drop_codes_without_factor()
    db.session.commit()
    flash("Passkey removed.", "info")
    return redirect(url_for("mfa.settings"))


def _drop_codes_without_factor() -> None:
    """Recovery codes stand in for a second factor: with none left they would be a back door."""
    if not has_second_factor(current_user):
        recovery.remove_all(current_user)
