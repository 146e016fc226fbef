"""Accounts: register, log in and out, and the role each user has."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
