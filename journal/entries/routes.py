"""Read, write, edit, trash and restore entries."""
import uuid
from types import SimpleNamespace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from journal.auth.access import patient_required
from journal.auth.forms import EmptyForm
from journal.auth.routes import home_for
from journal.cursors import BadCursor
from journal.dosing.access import get_session_for_owner, session_filter_arg, sessions_of
from journal.entries import bp
from journal.entries.access import get_entry_for_owner
from journal.entries.forms import EntryForm
from journal.entries.models import MOOD_WORDS, Entry
from journal.entries.service import (apply_entry_form, list_entries,
                                     purge_entries, purge_expired_trash, trashed_entries)
from journal.extensions import db
from journal.timeutil import zone

SEARCH_MAX = 200


def care_hooks():
    """The care team's additions to these pages (sharing, comments, prompts).

    Imported when first used: the care package builds on entries, so importing it at
    the top would make a cycle.
    """
    from journal.care import on_entries

    return on_entries


def _entry_form(**kwargs) -> EntryForm:
    return EntryForm(sessions=sessions_of(current_user.id), tz_name=current_user.timezone, **kwargs)


def _render_form(form: EntryForm, entry: Entry | None, status: int = 200, care: dict | None = None):
    care = care if care is not None else care_hooks().form_context(current_user, entry)
    return render_template("entries/form.html", form=form, entry=entry, mood_words=MOOD_WORDS,
                           **care), status


@bp.route("/")
@login_required
def index():
    """The journal, newest first; filter by dosing session, search the text."""
    if not current_user.is_patient:  # a therapist's start page is their workspace
        return redirect(home_for(current_user))
    session_id = session_filter_arg()
    selected = get_session_for_owner(session_id, current_user.id) if session_id else None
    search = (request.args.get("q") or "").strip()[:SEARCH_MAX]
    try:
        page = list_entries(current_user.id, per_page=current_app.config["ENTRIES_PER_PAGE"],
                            cursor=request.args.get("after"), dosing_session_id=session_id,
                            search=search or None)
    except BadCursor:
        abort(400, "That page link is not valid. Go back to the first page.")
    return render_template("entries/index.html", page=page, search=search, selected=selected,
                           sessions=sessions_of(current_user.id), action_form=EmptyForm(),
                           **care_hooks().list_context(current_user, page.entries))


@bp.route("/entries/new", methods=["GET", "POST"])
@patient_required
def new():
    """Write an entry; "add step" and "remove" buttons re-show the form without saving."""
    form = _entry_form()
    if request.method == "GET" and request.args.get("session"):
        form.dosing_session_id.data = request.args["session"]
    if request.method == "POST" and form.wants_step_change(request.form):
        form.apply_step_change(request.form)
        return _render_form(form, None)
    care = care_hooks().form_context(current_user, None)
    if form.validate_on_submit():
        entry = Entry(owner_id=current_user.id)
        apply_entry_form(entry, form)  # a new entry's first touch() makes it version 1
        db.session.add(entry)
        care_hooks().after_save(current_user, entry, care)
        db.session.commit()
        flash("Entry saved.", "success")
        return redirect(url_for("entries.show", entry_id=entry.id))
    return _render_form(form, None, 200 if request.method == "GET" else 400, care)


@bp.route("/entries/<uuid:entry_id>")
@patient_required
def show(entry_id: uuid.UUID):
    """One entry, with its action steps."""
    entry = get_entry_for_owner(entry_id, current_user.id)
    return render_template("entries/show.html", entry=entry, action_form=EmptyForm(),
                           mood_words=MOOD_WORDS, **care_hooks().entry_context(current_user, entry))


@bp.route("/entries/<uuid:entry_id>/edit", methods=["GET", "POST"])
@patient_required
def edit(entry_id: uuid.UUID):
    """Edit an entry and its action steps."""
    entry = get_entry_for_owner(entry_id, current_user.id)
    form = _entry_form(obj=None if request.method == "POST" else _form_data(entry))
    if request.method == "POST" and form.wants_step_change(request.form):
        form.apply_step_change(request.form)
        return _render_form(form, entry)
    if form.validate_on_submit():
        apply_entry_form(entry, form)
        care_hooks().after_save(current_user, entry, {})
        db.session.commit()
        flash("Entry updated.", "success")
        return redirect(url_for("entries.show", entry_id=entry.id))
    return _render_form(form, entry, 200 if request.method == "GET" else 400)


def _form_data(entry: Entry):
    """The entry as the form expects it (ids as strings, local time)."""
    return SimpleNamespace(
        insights=entry.insights, mood=entry.mood, emotions=list(entry.emotions or []),
        dosing_session_id=str(entry.dosing_session_id) if entry.dosing_session_id else "",
        written_at=entry.written_at.astimezone(zone(current_user.timezone)).replace(tzinfo=None),
        action_steps=[SimpleNamespace(id=str(s.id), text=s.text, due_date=s.due_date, done=s.done)
                      for s in entry.action_steps],
    )


@bp.route("/entries/<uuid:entry_id>/delete", methods=["POST"])
@patient_required
def delete(entry_id: uuid.UUID):
    """Move an entry to the Trash."""
    entry = get_entry_for_owner(entry_id, current_user.id)
    entry.move_to_trash()
    db.session.commit()
    flash("Entry moved to Trash. You can restore it from there for 30 days.", "info")
    return redirect(url_for("entries.index"))


@bp.route("/trash")
@patient_required
def trash():
    """Entries in the Trash, restorable until purged."""
    purge_expired_trash(current_app.config["TRASH_RETENTION_DAYS"], current_user.id)
    return render_template("entries/trash.html", entries=trashed_entries(current_user.id),
                           action_form=EmptyForm(),
                           retention_days=current_app.config["TRASH_RETENTION_DAYS"])


@bp.route("/trash/<uuid:entry_id>/restore", methods=["POST"])
@patient_required
def restore(entry_id: uuid.UUID):
    """Bring an entry back from the Trash."""
    entry = get_entry_for_owner(entry_id, current_user.id, in_trash=True)
    entry.restore()
    db.session.commit()
    flash("Entry restored.", "success")
    return redirect(url_for("entries.show", entry_id=entry.id))


@bp.route("/trash/<uuid:entry_id>/purge", methods=["POST"])
@patient_required
def purge(entry_id: uuid.UUID):
    """Delete one entry from the Trash for good."""
    entry = get_entry_for_owner(entry_id, current_user.id, in_trash=True)
    purge_entries([entry])
    db.session.commit()
    flash("Entry deleted for good.", "info")
    return redirect(url_for("entries.trash"))


@bp.route("/trash/empty", methods=["POST"])
@patient_required
def empty_trash():
    """Delete every entry in the Trash for good."""
    purge_entries(trashed_entries(current_user.id))
    db.session.commit()
    flash("Trash emptied.", "info")
    return redirect(url_for("entries.trash"))
