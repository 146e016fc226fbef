"""Change my password; reset a forgotten one by mail."""
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from journal import mail
from journal.auth import bp
from journal.auth.forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm
from journal.auth.passwords import hash_password, verify_password
from journal.auth.reset import reset_mail, spend_reset, user_for_reset
from journal.auth.throttle import Throttled, clear_account, charge_reset_request
from journal.extensions import db, limiter
from journal.logins.service import current_login, end_current_login, end_logins
from journal.security_log.service import record

RESET_KEY = "reset_token"
LINK_SENT = ("If an account uses that address, we have sent it a link to choose a new password. "
             "It works once, for one hour. Check your spam folder too.")
LINK_UNUSABLE = ("This reset link cannot be used: it was used already, it is older than an hour, "
                 "or it was copied incompletely. Ask for a new one from the log-in page.")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password (the current one first); every other device is logged out."""
    form = ChangePasswordForm(email=current_user.email)
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            current_user.password_hash = hash_password(form.password.data)
            end_logins(current_user, "password-changed", keep=current_login())
            record(current_user.id, "password-changed")
            db.session.commit()
            flash("Password changed. Every other device has been logged out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMITS_PER_ADDRESS"], methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer never says whether the address has an account.

    Past the per-address limit no more mail goes out, with the same answer, so a
    mailbox cannot be flooded and the answer still tells nothing.
    """
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            charge_reset_request(form.email.data)
            message = reset_mail(form.email.data)
        except Throttled:
            message = None
        db.session.commit()
        if message is not None:
            mail.send_soon(message)
        flash(LINK_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/password/reset/<token>")
def reset_link(token: str):
    """The link from the mail: keep the token in the session and take it out of the address bar.

    :raise 400: for a used, expired or unknown link.
    """
    if user_for_reset(token) is None:
        abort(400, LINK_UNUSABLE)
    session[RESET_KEY] = token
    return redirect(url_for("auth.new_password"))


@bp.route("/password/new", methods=["GET", "POST"])
def new_password():
    """Choose a new password through a reset link; every login of the account ends.

    :raise 400: when the link was not opened, or is no longer usable.
    """
    token = session.get(RESET_KEY)
    user = user_for_reset(token)
    if user is None:
        session.pop(RESET_KEY, None)
        abort(400, LINK_UNUSABLE)
    form = NewPasswordForm(email=user.email)
    if form.validate_on_submit():
        clear_account(user.email)  # before any write: the counters use their own connection
        if spend_reset(token) is None:
            abort(400, LINK_UNUSABLE)
        user.password_hash = hash_password(form.password.data)
        end_logins(user, "password-reset")
        end_current_login("password-reset")
        record(user.id, "password-reset")
        logout_user()
        session.pop(RESET_KEY, None)
        db.session.commit()
        flash("Your password is changed and every device was logged out. Log in with the new password.",
              "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/new_password.html", form=form), 200 if request.method == "GET" else 400
