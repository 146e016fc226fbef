"""End one of my logins, or all but this one ("log out everywhere else").

CSRFProtect checks every POST here, as everywhere.
"""
import uuid

from flask import flash, redirect, url_for
from flask_login import current_user, login_required, logout_user

from journal.extensions import db
from journal.logins import bp
from journal.logins.access import get_login_for_owner
from journal.logins.service import current_login, end_current_login, end_logins
from journal.security_log.service import record


@bp.route("/<uuid:login_id>/end", methods=["POST"])
@login_required
def end(login_id: uuid.UUID):
    """Log out one device from the Account page."""
    login = get_login_for_owner(login_id)
    if login is current_login():
        end_current_login("logged-out")
        record(login.user_id, "logout")
        logout_user()
        db.session.commit()
        flash("You are logged out.", "info")
        return redirect(url_for("auth.login"))
    login.end("ended-elsewhere")
    record(login.user_id, "login-ended", detail=login.device)
    db.session.commit()
    flash(f"Logged out {login.device}.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/end-others", methods=["POST"])
@login_required
def end_others():
    """Log out every other device; this one stays logged in."""
    count = end_logins(current_user, "ended-elsewhere", keep=current_login())
    record(current_user.id, "logout-everywhere")
    db.session.commit()
    flash(f"Logged out everywhere else ({count} {'device' if count == 1 else 'devices'}).", "success")
    return redirect(url_for("auth.account"))
