"""Second factors: an authenticator app (TOTP) with recovery codes, and passkeys (WebAuthn).

Therapists must have one (``JOURNAL_THERAPIST_MFA=required``, the default); patients may.
"""
from flask import Blueprint

bp = Blueprint("mfa", __name__)
