"""Patient side of the care team: join with a code, remove, share, see who read what."""
import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from journal.auth.access import patient_required
from journal.auth.forms import EmptyForm
from journal.auth.routes import safe_next
from journal.care import bp
from journal.care.access import get_link_for_patient
from journal.care.forms import JoinForm, chosen_therapists
from journal.care.measure_service import response_reads
from journal.care.service import (GUESS_LIMIT, InvitationProblem, TooManyGuesses, accept_invitation,
                                  access_log, care_team, end_link, find_invitation, grouped_reads, set_shares,
                                  share_session_entries)
from journal.dosing.access import get_session_for_owner
from journal.entries.access import get_entry_for_owner
from journal.extensions import db
from journal.measures.instruments import instruments
from journal.timeutil import zone

TOO_MANY = (f"Too many wrong codes ({GUESS_LIMIT} in 15 minutes). Wait a quarter of an hour, "
            "then try again, or ask your therapist to read the code out once more.")


@bp.route("/")
@patient_required
def team():
    """The patient's care team, with a way to add or remove a therapist."""
    return render_template("care/team.html", team=care_team(current_user.id), action_form=EmptyForm())


@bp.route("/join", methods=["GET", "POST"])
@patient_required
def join():
    """Type an invitation code; a good one leads to the consent screen."""
    form = JoinForm()
    if form.validate_on_submit():
        invitation = _find_or_explain(form, form.code.data)
        if invitation is not None:
            return redirect(url_for("care.consent", code=invitation.code))
    return render_template("care/join.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/join/<code>", methods=["GET", "POST"])
@patient_required
def consent(code: str):
    """Say what the therapist will and will not see; the patient confirms to link."""
    form = JoinForm(data={"code": code}, meta={"csrf": False})
    action_form = EmptyForm()
    accepting = action_form.validate_on_submit()
    invitation = _find_or_explain(form, code, accepting=accepting)
    if invitation is None:
        return render_template("care/join.html", form=form), 404
    if accepting:
        try:
            accept_invitation(current_user, invitation)
        except InvitationProblem as problem:
            form.code.errors = [str(problem)]
            return render_template("care/join.html", form=form), 409
        db.session.commit()
        flash(f"{invitation.therapist.display_name} is now in your care team. Nothing is shared "
              "until you choose to share an entry.", "success")
        return redirect(url_for("care.team"))
    return render_template("care/consent.html", invitation=invitation, action_form=action_form)


def _find_or_explain(form: JoinForm, code: str, accepting: bool = False):
    """The invitation, or None with the reason put on the form.

    :raise 429: after too many wrong codes.
    """
    try:
        return find_invitation(current_user, code, accepting=accepting)
    except TooManyGuesses:
        abort(429, TOO_MANY)
    except InvitationProblem as problem:
        form.code.errors = [str(problem)]
        return None


@bp.route("/team/<uuid:link_id>/remove", methods=["GET"])
@patient_required
def confirm_remove(link_id: uuid.UUID):
    """Ask before removing a therapist, saying what it ends and that it cannot be undone."""
    link = get_link_for_patient(link_id, current_user)
    return render_template("care/remove.html", link=link, action_form=EmptyForm())


@bp.route("/team/<uuid:link_id>/remove", methods=["POST"])
@patient_required
def remove(link_id: uuid.UUID):
    """Remove a therapist from the care team: their access ends now."""
    link = get_link_for_patient(link_id, current_user)
    end_link(link, current_user)
    flash(f"{link.therapist.display_name} is no longer in your care team and can no longer "
          "read any of your entries.", "success")
    return redirect(url_for("care.team"))


@bp.route("/entries/<uuid:entry_id>/sharing", methods=["POST"])
@patient_required
def share_entry(entry_id: uuid.UUID):
    """Share an entry with exactly the ticked care-team members (none = private)."""
    entry = get_entry_for_owner(entry_id, current_user.id)
    chosen = chosen_therapists(request.form)
    set_shares([entry], current_user.id, chosen)
    db.session.commit()
    flash("Entry shared with your care team." if chosen else "Entry is private again.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("entries.show", entry_id=entry.id))


@bp.route("/sessions/<uuid:session_id>/sharing", methods=["POST"])
@patient_required
def share_session(session_id: uuid.UUID):
    """Share (or unshare) every entry of one dosing session at once."""
    session = get_session_for_owner(session_id, current_user.id)
    chosen = chosen_therapists(request.form)
    count = share_session_entries(session.id, current_user.id, chosen)
    db.session.commit()
    verb = "shared with your care team" if chosen else "made private"
    flash(f"{count} entr{'y' if count == 1 else 'ies'} of this session {verb}.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("entries.index", session=session.id))


@bp.route("/access-log")
@patient_required
def access():
    """Who in the care team read which entry or questionnaire response, and when."""
    return render_template("care/access_log.html", reads=grouped_reads(access_log(current_user.id), zone(current_user.timezone)),
                           response_reads=response_reads(current_user.id), instruments=instruments())
