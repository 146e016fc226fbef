"""Logins: one server-side record per logged-in device, checked on every request.

A login ends on the server (log out, "log out everywhere", a password change or
reset, idle time), so a copied or left-behind cookie stops working at once.
"""
from flask import Blueprint

bp = Blueprint("logins", __name__, url_prefix="/account/logins")
