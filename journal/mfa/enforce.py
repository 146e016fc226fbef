"""Therapists without a second factor can do one thing: set one up."""
from flask import Flask, flash, jsonify, redirect, request, url_for
from flask_login import current_user

from journal.mfa.service import has_second_factor, second_factor_required

#: What a therapist may still open before a second factor is set up.
SETUP_ENDPOINTS = {
    "mfa.settings", "mfa.totp_start", "mfa.totp_setup", "mfa.recovery_codes", "mfa.passkey_options", "mfa.passkey_register",
    "auth.logout", "help.crisis", "health.healthz", "static", "pwa.manifest", "pwa.service_worker",
    "pwa.offline",
}


def init_app(app: Flask) -> None:
    app.before_request(require_second_factor)


def require_second_factor():
    if (not current_user.is_authenticated or request.endpoint in SETUP_ENDPOINTS
            or not second_factor_required(current_user) or has_second_factor(current_user)):
        return None
    if request.path.startswith("/api/"):
        return jsonify(error="Set up a second factor first", status=403), 403
    flash("Therapists protect patients' shared entries with a second factor. Set one up to continue.", "info")
    return redirect(url_for("mfa.settings"))
