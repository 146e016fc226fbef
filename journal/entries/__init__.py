"""The journal: integration entries with mood, emotions and action steps."""
from flask import Blueprint

bp = Blueprint("entries", __name__)
