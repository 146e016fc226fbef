"""The therapist's workspace: patients, shared entries, feedback, session preparation."""
from flask import Blueprint

bp = Blueprint("therapist", __name__, url_prefix="/therapist")


@bp.after_request
def never_store(response):
    """Every page here holds a patient's data: no browser, proxy or service worker may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response
