"""Standard questionnaires anchored to dosing sessions, and the patient's safety plan."""
from flask import Blueprint

bp = Blueprint("measures", __name__)
