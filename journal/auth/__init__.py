"""Accounts: register, log in and out, and the role each user has."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from journal.auth import password_routes, routes  # noqa: E402,F401
