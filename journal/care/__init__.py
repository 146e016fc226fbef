"""The care team, patient side: links to therapists, invitations, sharing, the access log."""
from flask import Blueprint

bp = Blueprint("care", __name__, url_prefix="/care")


@bp.after_request
def never_store(response):
    """These pages name other people (therapists, who read what): keep them out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response
