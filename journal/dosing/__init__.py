"""Dosing sessions: the experiences that entries are written about."""
from flask import Blueprint

bp = Blueprint("dosing", __name__, url_prefix="/sessions")
