"""Register, log in, log out, account settings."""
import sqlalchemy as sa
from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from journal.auth import bp
from journal.auth.completion import complete_login
from journal.auth.forms import AccountForm, LoginForm, RegisterForm
from journal.auth.models import User
from journal.auth.navigation import home_for, safe_next
from journal.auth.passwords import hash_password, verify_password
from journal.auth.throttle import Throttled, charge_attempt, password_accepted, remember_device
from journal.extensions import db, limiter, login_manager
from journal.logins.service import BACKGROUND_HEADER, current_login, end_current_login, live_logins, start_login
from journal.mfa.service import begin_second_step, has_second_factor
from journal.security_log.service import recent_events, record

GENERIC_LOGIN_ERROR = "That email and password do not match an account."
LOGIN_PAUSED = ("Too many tries. Wait {wait}, then try again — or reset your password, "
                "which lifts the wait.")


@login_manager.unauthorized_handler
def unauthorized():
    """API callers get a 401 JSON answer; people are sent to the login page.

    The service worker's background refresh of a saved page gets a plain 401: had it
    followed a redirect, the login page it rendered would have shown, and so used up, a
    message meant for the person ("You are logged out.").
    """
    if request.path.startswith("/api/"):
        return jsonify(error="Please log in", status=401), 401
    if request.headers.get(BACKGROUND_HEADER) == "1":
        return "Please log in.", 401, {"Content-Type": "text/plain; charset=utf-8"}
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMITS"], methods=["POST"])
def register():
    """Create a patient account and log in."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        user = User(email=form.email.data, display_name=form.display_name.data.strip(),
                    password_hash=hash_password(form.password.data), timezone=form.timezone.data)
        db.session.add(user)
        db.session.flush()
        start_login(user, remember=False)
        db.session.commit()
        flash("Welcome. Your journal is private: only you can read it.", "success")
        return redirect(url_for("entries.index"))
    return render_template("auth/register.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(sa.select(User).where(User.email == form.email.data))
        try:
            charge_attempt(form.email.data, user.id if user else None)
        except Throttled as wait:
            form.password.errors.append(LOGIN_PAUSED.format(wait=wait.in_words))
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait.retry_after)}
        if verify_password(user.password_hash if user else None, form.password.data):
            password_accepted()
            next_url = safe_next(request.args.get("next"))
            if has_second_factor(user):
                begin_second_step(user, remember=form.remember.data, next_url=next_url)
                return redirect(url_for("mfa.verify"))
            complete_login(user, remember=form.remember.data)
            db.session.commit()
            response = redirect(next_url or home_for(user))
            remember_device(response, user.id)
            return response
        if user is not None:
            record(user.id, "login-failed")
            db.session.commit()
        form.password.errors.append(GENERIC_LOGIN_ERROR)
    status = 200 if request.method == "GET" else 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (a CSRF-checked POST, so a link elsewhere cannot log you out).

    The login ends on the server, so copies of this browser's cookies stop working too.
    """
    login = end_current_login("logged-out")
    if login is not None:
        record(login.user_id, "logout")
    logout_user()
    db.session.commit()
    flash("You are logged out.", "info")
    response = redirect(url_for("auth.login"))
    # Shared phones: app.js wipes this account's IndexedDB and saved pages before it posts.
    # Not "storage": that would wipe every account's, and another patient's entries may
    # still wait on this device to sync. The HTTP cache holds nothing that must stay.
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change display name and time zone."""
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, logins=live_logins(current_user),
                           this_login=current_login(), events=recent_events(current_user.id)), \
        200 if request.method == "GET" else 400
