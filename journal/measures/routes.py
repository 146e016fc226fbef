"""The patient's questionnaires: what is due, filling one in, results, and the safety plan."""
import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from journal.auth.access import patient_required
from journal.auth.forms import EmptyForm
from journal.care.measure_service import response_shared_with, set_response_shares
from journal.care.service import care_team
from journal.dosing.access import get_session_for_owner
from journal.extensions import db
from journal.measures import bp
from journal.measures.access import get_instrument, get_response_for_owner, safety_plan_of
from journal.measures.forms import SafetyPlanForm, answers_of, questionnaire_form
from journal.measures.instruments import instruments
from journal.measures.models import SAFETY_PLAN_SECTIONS, MeasureResponse
from journal.measures.protocol import due_now
from journal.measures.responses import Conflict, Invalid, delete_response, record_response
from journal.measures.safety import save_safety_plan
from journal.timeutil import local_date, utcnow

HISTORY = 50


def _safety_items(instrument) -> list[dict]:
    """The item rules that open the safety screen at once, on the device too."""
    return [rule for rule in instrument.safety_rules if rule["rule"] == "item_at_least"]


def _history(owner_id: uuid.UUID) -> list[MeasureResponse]:
    return list(db.session.scalars(
        db.select(MeasureResponse).where(MeasureResponse.owner_id == owner_id)
        .order_by(MeasureResponse.completed_at.desc()).limit(HISTORY)))


@bp.route("/measures/")
@patient_required
def index():
    """What the protocol asks for now, every questionnaire, and past results."""
    today = local_date(utcnow(), current_user.timezone)
    return render_template("measures/index.html", due=due_now(current_user.id, today),
                           instruments=instruments(), history=_history(current_user.id))


def _next_due(session_id: str | None) -> str | None:
    """The next questionnaire the same session's timepoint still asks for, if any."""
    today = local_date(utcnow(), current_user.timezone)
    for due in due_now(current_user.id, today):
        if str(due.session.id) == session_id:
            return url_for("measures.fill", instrument_id=due.instruments[0], session=session_id)
    return None


@bp.route("/measures/<instrument_id>/new", methods=["GET", "POST"])
@patient_required
def fill(instrument_id: str):
    """Fill in a questionnaire: one question per screen with JavaScript, one page without."""
    instrument = get_instrument(instrument_id)
    form = questionnaire_form(instrument)
    if request.method == "GET":
        form.response_id.data = str(uuid.uuid4())
        form.dosing_session_id.data = request.args.get("session") or ""
    session = None
    if form.dosing_session_id.data:
        session = get_session_for_owner(_uuid_or_404(form.dosing_session_id.data), current_user.id)
    if form.validate_on_submit():
        try:
            recorded = _record(form, instrument, session)
        except Invalid as error:
            for messages in error.fields.values():
                for message in messages:
                    flash(message, "error")
            return _render_form(form, instrument, session), 422
        db.session.commit()
        return redirect(url_for("measures.result", response_id=recorded.response.id,
                                next=_next_due(str(session.id)) if session else None))
    status = 422 if form.is_submitted() else 200
    return _render_form(form, instrument, session), status


def _record(form, instrument, session):
    """Record the posted answers (not committed); :raise Invalid: as ``record_response``."""
    def record(response_id: uuid.UUID):
        return record_response(current_user.id, response_id, instrument.id, answers_of(form, instrument),
                               utcnow(), session.id if session else None, current_user.timezone)
    try:
        return record(_uuid_or_404(form.response_id.data))
    except Conflict:
        # The page's id is taken by other answers (a form kept from long ago): record these
        # under a new id rather than lose them.
        return record(uuid.uuid4())


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        abort(404)


def _render_form(form, instrument, session):
    return render_template("measures/form.html", form=form, instrument=instrument, session=session,
                           safety_items=_safety_items(instrument), plan=safety_plan_of(current_user.id),
                           resources=current_app.config["CRISIS_RESOURCES"])


@bp.route("/measures/responses/<uuid:response_id>")
@patient_required
def result(response_id: uuid.UUID):
    """A completed questionnaire: the score, and the safety screen when a flag asks for it."""
    response = get_response_for_owner(response_id, current_user.id)
    instrument = instruments().get(response.instrument)
    next_url = request.args.get("next")
    return render_template("measures/result.html", response=response, instrument=instrument,
                           safety=response.safety_flag,
                           plan=safety_plan_of(current_user.id), resources=current_app.config["CRISIS_RESOURCES"],
                           team=care_team(current_user.id), shared_with=response_shared_with(response),
                           next_url=next_url if next_url and next_url.startswith("/measures/") else None,
                           action_form=EmptyForm())


@bp.route("/measures/responses/<uuid:response_id>/share", methods=["POST"])
@patient_required
def share(response_id: uuid.UUID):
    """Share a questionnaire you started yourself with exactly the ticked members of your team."""
    response = get_response_for_owner(response_id, current_user.id)
    form = EmptyForm()
    if form.validate_on_submit():
        chosen = []
        for value in request.form.getlist("share_with"):
            try:
                chosen.append(uuid.UUID(value))
            except ValueError:
                continue
        set_response_shares(response, chosen)
        db.session.commit()
        flash("Sharing updated.", "success")
    return redirect(url_for("measures.result", response_id=response.id))


@bp.route("/measures/responses/<uuid:response_id>/delete", methods=["POST"])
@patient_required
def delete(response_id: uuid.UUID):
    """Delete a questionnaire response for good."""
    response = get_response_for_owner(response_id, current_user.id)
    if EmptyForm().validate_on_submit():
        delete_response(current_user.id, response.id)
        db.session.commit()
        flash("Questionnaire deleted.", "success")
    return redirect(url_for("measures.index"))


@bp.route("/safety-plan", methods=["GET", "POST"])
@patient_required
def safety_plan():
    """The patient's safety plan, in their own words; kept on the device for offline use."""
    plan = safety_plan_of(current_user.id)
    form = SafetyPlanForm(obj=plan)
    if form.validate_on_submit():
        save_safety_plan(current_user.id, {field: form[field].data for field, _, _ in SAFETY_PLAN_SECTIONS},
                         form.shared.data)
        db.session.commit()
        flash("Safety plan saved.", "success")
        return redirect(url_for("measures.safety_plan", saved=1))
    return render_template("measures/safety_plan.html", form=form, plan=plan, saved="saved" in request.args,
                           sections=SAFETY_PLAN_SECTIONS, has_team=bool(care_team(current_user.id))), \
        422 if form.is_submitted() else 200
