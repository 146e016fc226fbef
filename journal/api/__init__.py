"""The JSON sync API under /api/v1/: what offline devices replay their outbox against."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
