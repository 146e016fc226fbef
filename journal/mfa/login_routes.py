"""The second step of logging in: a code from the app, a recovery code, or a passkey."""
from flask import flash, jsonify, redirect, render_template, request, url_for

from journal.auth.completion import complete_login
from journal.auth.navigation import home_for, safe_next
from journal.auth.throttle import Throttled, charge_attempt, remember_device
from journal.extensions import db
from journal.mfa import bp, passkeys, recovery, totp
from journal.mfa.forms import CodeForm
from journal.mfa.service import has_passkey, has_totp, pending_login
from journal.security_log.service import record

WRONG_CODE = "That code is not right, or it was used already. Try the newest code from your app."
START_AGAIN = "Your log-in took too long or was not started. Enter your email and password again."


def _finish(user, pending):
    """Both steps passed: the real login starts; the caller adds the device cookie."""
    complete_login(user, remember=pending["remember"])
    db.session.commit()
    return safe_next(pending["next"]) or home_for(user)


@bp.route("/login/verify", methods=["GET", "POST"])
def verify():
    """Ask for the second factor of a log-in whose password was right."""
    user, pending = pending_login()
    if user is None:
        flash(START_AGAIN, "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            charge_attempt(user.email, user.id)
        except Throttled as wait:
            form.code.errors.append(f"Too many tries. Wait {wait.in_words}, then try again.")
            return _page(form, user), 429, {"Retry-After": str(wait.retry_after)}
        used_recovery = recovery.looks_like_recovery_code(form.code.data)
        ok = recovery.use_code(user, form.code.data) if used_recovery else totp.verify(user, form.code.data)
        record(user.id, ("recovery-code-used" if used_recovery else "second-factor-passed") if ok
               else "second-factor-failed")
        # Committed before the login starts: the spent code must stay spent whatever follows.
        db.session.commit()
        if ok:
            response = redirect(_finish(user, pending))
            remember_device(response, user.id)
            if used_recovery:
                flash(f"Recovery code used: {recovery.codes_left(user)} left. Make new ones on your "
                      "account's Security page if you are running low.", "info")
            return response
        form.code.errors.append(WRONG_CODE)
        status = 400
    elif request.method == "POST":
        status = 400
    return _page(form, user), status


def _page(form, user):
    return render_template("mfa/verify.html", form=form, has_totp=has_totp(user), has_passkey=has_passkey(user))


@bp.route("/login/passkey/options", methods=["POST"])
def passkey_login_options():
    """A fresh challenge for the half-logged-in account's passkeys (JSON)."""
    user, _ = pending_login()
    if user is None or not has_passkey(user):
        return jsonify(error=START_AGAIN), 400
    options = passkeys.authentication_options(user)
    db.session.commit()
    return options, 200, {"Content-Type": "application/json", "Cache-Control": "no-store"}


@bp.route("/login/passkey", methods=["POST"])
def passkey_login():
    """Check the passkey's signature over the challenge; answer where to go next (JSON)."""
    user, pending = pending_login()
    if user is None:
        return jsonify(error=START_AGAIN), 400
    credential = request.get_json(silent=True)
    if not isinstance(credential, dict):
        return jsonify(error="Send the passkey's answer as JSON."), 400
    try:
        charge_attempt(user.email, user.id)
    except Throttled as wait:
        return jsonify(error=f"Too many tries. Wait {wait.in_words}, then try again."), 429
    try:
        passkeys.authenticate(user, credential)
    except passkeys.PasskeyProblem as problem:
        record(user.id, "second-factor-failed")
        db.session.commit()  # the challenge stays spent: a failed answer cannot be retried against it
        return jsonify(error=str(problem)), 400
    record(user.id, "second-factor-passed", detail="passkey")
    db.session.commit()
    response = jsonify(redirect=_finish(user, pending))
    remember_device(response, user.id)
    return response
