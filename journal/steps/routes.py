"""The open action steps page, and checking a step off."""
import uuid

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from journal.auth.access import patient_required
from journal.auth.forms import EmptyForm
from journal.auth.routes import safe_next
from journal.entries.access import get_step_for_owner
from journal.entries.models import ActionStep, Entry
from journal.entries.writes import SetStepDone, write_entry
from journal.extensions import db
from journal.steps import bp
from journal.timeutil import local_date, utcnow

RECENTLY_DONE = 10


def open_steps(owner_id: uuid.UUID) -> list[ActionStep]:
    """Open steps of entries outside the Trash: dated ones first, soonest due first."""
    return list(db.session.scalars(
        sa.select(ActionStep).join(ActionStep.entry).options(contains_eager(ActionStep.entry))
        .where(Entry.owner_id == owner_id, Entry.deleted_at.is_(None), ActionStep.done.is_(False))
        .order_by(ActionStep.due_date.is_(None), ActionStep.due_date, Entry.written_at.desc(),
                  ActionStep.position)
    ))


def recently_done_steps(owner_id: uuid.UUID) -> list[ActionStep]:
    return list(db.session.scalars(
        sa.select(ActionStep).join(ActionStep.entry).options(contains_eager(ActionStep.entry))
        .where(Entry.owner_id == owner_id, Entry.deleted_at.is_(None), ActionStep.done.is_(True))
        .order_by(ActionStep.done_at.desc()).limit(RECENTLY_DONE)
    ))


@bp.route("/")
@patient_required
def index():
    """All open action steps, due ones first, overdue highlighted."""
    return render_template("steps/index.html", steps=open_steps(current_user.id),
                           done=recently_done_steps(current_user.id),
                           today=local_date(utcnow(), current_user.timezone), action_form=EmptyForm())


@bp.route("/<uuid:step_id>/toggle", methods=["POST"])
@patient_required
def toggle(step_id: uuid.UUID):
    """Check a step off (or back on) with one tap. The button says which (``done``), so
    a double tap leaves the step as the patient meant, not toggled back."""
    step = get_step_for_owner(step_id, current_user.id)
    done = request.form.get("done", "1" if not step.done else "0") == "1"
    write_entry(current_user.id, step.entry_id, SetStepDone(step_id=step.id, done=done))
    db.session.commit()
    flash("Step marked done." if done else "Step marked not done.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("steps.index"))
