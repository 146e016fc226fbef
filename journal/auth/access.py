"""Role checks shared by every blueprint."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def patient_required(view):
    """Logged in as a patient; therapists have no journal of their own.

    :raise 404: for a therapist, so patient URLs reveal nothing to them.
    """

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_patient:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def therapist_required(view):
    """Logged in as a therapist.

    :raise 403: for a patient.
    """

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_therapist:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
