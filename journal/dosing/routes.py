"""List, record, edit and delete dosing sessions."""
import uuid

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from journal.auth.access import patient_required
from journal.auth.forms import EmptyForm
from journal.dosing import bp
from journal.dosing.access import get_session_for_owner, sessions_of
from journal.dosing.forms import DosingSessionForm
from journal.dosing.models import DosingSession
from journal.entries.models import Entry
from journal.entries.writes import UnlinkSession, write_entry
from journal.extensions import db


def _fill(session: DosingSession, form: DosingSessionForm) -> None:
    session.date = form.date.data
    session.substance = form.substance.data
    session.substance_other = (form.substance_other.data or "").strip() or None if form.substance.data == "other" else None
    session.dose = (form.dose.data or "").strip() or None
    session.setting = (form.setting.data or "").strip() or None
    session.intention = (form.intention.data or "").strip() or None


@bp.route("/")
@patient_required
def index():
    """The patient's dosing sessions."""
    return render_template("dosing/index.html", sessions=sessions_of(current_user.id))


@bp.route("/new", methods=["GET", "POST"])
@patient_required
def new():
    """Record a dosing session."""
    form = DosingSessionForm()
    if form.validate_on_submit():
        session = DosingSession(owner_id=current_user.id)
        _fill(session, form)
        db.session.add(session)
        db.session.commit()
        flash("Session recorded.", "success")
        return redirect(url_for("dosing.index"))
    return render_template("dosing/form.html", form=form, session=None), 200 if request.method == "GET" else 400


@bp.route("/<uuid:session_id>/edit", methods=["GET", "POST"])
@patient_required
def edit(session_id: uuid.UUID):
    """Edit a dosing session."""
    session = get_session_for_owner(session_id, current_user.id)
    form = DosingSessionForm(obj=session)
    if form.validate_on_submit():
        _fill(session, form)
        db.session.commit()
        flash("Session updated.", "success")
        return redirect(url_for("dosing.index"))
    return render_template("dosing/form.html", form=form, session=session), 200 if request.method == "GET" else 400


@bp.route("/<uuid:session_id>/delete", methods=["GET", "POST"])
@patient_required
def delete(session_id: uuid.UUID):
    """Confirm, then delete a dosing session; its entries stay, unlinked."""
    session = get_session_for_owner(session_id, current_user.id)
    form = EmptyForm()
    if form.validate_on_submit():
        for entry_id in list(db.session.scalars(sa.select(Entry.id).where(Entry.dosing_session_id == session.id))):
            write_entry(current_user.id, entry_id, UnlinkSession())
        db.session.delete(session)
        db.session.commit()
        flash("Session deleted. Its entries are kept.", "success")
        return redirect(url_for("dosing.index"))
    linked = db.session.scalar(sa.select(sa.func.count()).select_from(Entry)
                               .where(Entry.dosing_session_id == session.id))
    return render_template("dosing/delete.html", form=form, session=session, linked=linked)
