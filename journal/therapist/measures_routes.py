"""The therapist's actions on a patient's questionnaires: a safety flag seen, the protocol changed.

CSRF tokens are checked for every POST by the app-wide CSRFProtect."""
import uuid

from flask import flash, redirect, request, url_for
from flask_login import current_user

from journal.auth.access import therapist_required
from journal.care.access import get_link_for_therapist, get_response_for_therapist
from journal.care.measure_service import mark_flag_seen
from journal.extensions import db
from journal.measures.protocol import TIMEPOINT_KEYS, reset_plan, set_plan
from journal.therapist import bp


@bp.route("/responses/<uuid:response_id>/seen", methods=["POST"])
@therapist_required
def flag_seen(response_id: uuid.UUID):
    """Mark a response's safety flag as seen: it leaves the dashboard (a second tap changes nothing)."""
    response = get_response_for_therapist(response_id, current_user)
    mark_flag_seen(current_user, response)
    db.session.commit()
    flash("Safety flag marked as seen.", "success")
    return redirect(url_for("therapist.patient", patient_id=response.owner_id) + "#safety-flags")


@bp.route("/patients/<uuid:patient_id>/protocol", methods=["POST"])
@therapist_required
def set_protocol(patient_id: uuid.UUID):
    """Which questionnaires each timepoint after a dosing session asks this patient for."""
    link = get_link_for_therapist(patient_id, current_user)
    set_plan(link.patient_id, {key: request.form.getlist(key) for key in TIMEPOINT_KEYS}, current_user.id)
    db.session.commit()
    flash("Questionnaire schedule saved. It applies to what is asked from now on.", "success")
    return redirect(url_for("therapist.patient", patient_id=link.patient_id) + "#protocol")


@bp.route("/patients/<uuid:patient_id>/protocol/reset", methods=["POST"])
@therapist_required
def reset_protocol(patient_id: uuid.UUID):
    """Back to the default questionnaire schedule."""
    link = get_link_for_therapist(patient_id, current_user)
    reset_plan(link.patient_id)
    db.session.commit()
    flash("Questionnaire schedule back to the default.", "success")
    return redirect(url_for("therapist.patient", patient_id=link.patient_id) + "#protocol")
