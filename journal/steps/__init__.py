"""Action steps across all entries: what the patient means to do next."""
from flask import Blueprint

bp = Blueprint("steps", __name__, url_prefix="/steps")

from journal.steps import routes  # noqa: E402,F401
