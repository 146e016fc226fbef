"""The one way a view gets a login record by id."""
import uuid

from flask import abort
from flask_login import current_user

from journal.extensions import db
from journal.logins.models import LoginSession


def get_login_for_owner(login_id: uuid.UUID) -> LoginSession:
    """One of the current user's own logins, still running.

    :raise 404: for another user's login, an ended one or an unknown id (never 403:
        whether an id exists is nobody else's business).
    """
    login = db.session.get(LoginSession, login_id)
    if login is None or login.user_id != current_user.id or login.ended_at is not None:
        abort(404)
    return login
