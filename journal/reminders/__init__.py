"""Reminders: content-free nudges by mail (and push) that fire at the patient's local time."""
from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/reminders")
