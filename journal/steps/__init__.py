"""Action steps across all entries: what the patient means to do next."""
from flask import Blueprint

bp = Blueprint("steps", __name__, url_prefix="/steps")
