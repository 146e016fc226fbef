"""Every request, HTML and API alike, is checked against its login before anything else runs."""
from flask import Flask, current_app, g
from flask_login import current_user

from journal.extensions import db, login_manager
from journal.logins.service import REMEMBER_COOKIE, counts_as_activity, current_login, load_user, mark_seen


def init_app(app: Flask) -> None:
    # Flask-Login's own remember cookie is a user id and a signature: it cannot be
    # revoked. Point it at a cookie name nobody sets, so only ours is ever read.
    app.config["REMEMBER_COOKIE_NAME"] = "flask_login_remember_disabled"
    login_manager.request_loader(load_user)
    app.before_request(check_login)
    app.after_request(write_remember_cookie)


def check_login() -> None:
    """Load the login now, move its idle clock, and commit what that changed.

    Loading lazily (on first use of ``current_user``) could commit half of a view's
    work, so this runs first, alone in its own small transaction. Static files go
    through it too: a rotated remember-me token must be stored whichever request used it.
    """
    current_user._get_current_object()
    login = current_login()
    if login is not None and counts_as_activity():
        mark_seen(login)
    if g.get("login_written"):
        db.session.commit()


def write_remember_cookie(response):
    """Set the rotated remember-me cookie, or remove one that no longer works."""
    if g.get("set_remember"):
        value, until = g.set_remember
        response.set_cookie(REMEMBER_COOKIE, value, expires=until, path="/", httponly=True,
                            samesite="Lax", secure=bool(current_app.config.get("JOURNAL_HTTPS")))
    elif g.get("clear_remember"):
        response.delete_cookie(REMEMBER_COOKIE, path="/", httponly=True, samesite="Lax",
                               secure=bool(current_app.config.get("JOURNAL_HTTPS")))
    return response
