"""A patient's own data: export all of it, or delete the account and everything in it."""
from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/account")
