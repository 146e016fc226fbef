"""Who may call the sync API, checked before anything else looks at the request."""
from flask import jsonify, request
from flask_login import current_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def api_login_check():
    """A logged-out write to /api/ gets 401 JSON, before the CSRF check could say 400.

    A device whose login expired must learn that it has to log in again (and keep
    its outbox), not that its token was bad.
    """
    if (request.path.startswith("/api/") and request.method not in SAFE_METHODS
            and not current_user.is_authenticated):
        return jsonify(error="Please log in", status=401), 401
    return None
