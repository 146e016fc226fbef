"""Liveness and database check for load balancers."""
from flask import Blueprint, jsonify

from journal.database import database_is_up

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """200 when the app and its database answer, 503 when the database does not."""
    if database_is_up():
        return jsonify(status="ok", database="ok")
    return jsonify(status="degraded", database="unavailable"), 503
