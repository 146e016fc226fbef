"""The journal's pages: read, write, edit, trash and restore entries (all writes go
through ``journal.entries.writes``)."""
import uuid
from types import SimpleNamespace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from journal.auth.access import patient_required
from journal.auth.forms import EmptyForm
from journal.auth.routes import home_for
from journal.care import on_entries
from journal.care.choices import care_choices
from journal.cursors import BadCursor
from journal.dosing.access import get_session_for_owner, session_filter_arg, sessions_of
from journal.entries import bp
from journal.entries.access import get_entry_for_owner
from journal.entries.forms import EntryForm
from journal.entries.conflicts import conflict_of, forget_conflict, remember_conflict
from journal.entries.models import MOOD_WORDS, Entry
from journal.entries.service import list_entries, purge_expired_trash, trashed_entries
from journal.entries.writes import (Conflict, Invalid, MoveToTrash, Restore, SaveContent, fingerprint,
                                    purge_entries, write_entry)
from journal.extensions import db
from journal.logins.service import current_login
from journal.measures.protocol import due_now
from journal.timeutil import local_date, utcnow, zone

SEARCH_MAX = 200


def _entry_form(**kwargs) -> EntryForm:
    return EntryForm(sessions=sessions_of(current_user.id), tz_name=current_user.timezone, **kwargs)


def _render_form(form: EntryForm, entry: Entry | None, status: int = 200, conflict: Entry | None = None):
    return render_template("entries/form.html", form=form, entry=entry, mood_words=MOOD_WORDS,
                           conflict=conflict, **on_entries.form_context(current_user, entry)), status


def _form_print(operation: str, entry_id: uuid.UUID, base_version) -> str:
    """The fingerprint of a posted form: what was typed, not the token or the button."""
    content = {key: request.form.getlist(key) for key in sorted(request.form)
               if key not in ("csrf_token", "save", "base_version", "entry_id")}
    return fingerprint(operation, entry_id, base_version, content)


def _posted_entry_id(form: EntryForm) -> uuid.UUID:
    try:
        return uuid.UUID(form.entry_id.data or "")
    except ValueError:
        return uuid.uuid4()


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
                            search=search or None, marks=on_entries.CARD_MARKS)
    except BadCursor:
        abort(400, "That page link is not valid. Go back to the first page.")
    sessions = sessions_of(current_user.id)
    today = local_date(utcnow(), current_user.timezone)
    return render_template("entries/index.html", page=page, search=search, selected=selected,
                           sessions=sessions, action_form=EmptyForm(),
                           due=due_now(current_user.id, today, sessions=sessions),
                           **on_entries.list_context(current_user, page.entries))


@bp.route("/entries/new", methods=["GET", "POST"])
@patient_required
def new():
    """Write an entry; "add step" and "remove" buttons re-show the form without saving."""
    form = _entry_form()
    if request.method == "GET":
        form.entry_id.data = str(uuid.uuid4())
        form.dosing_session_id.data = request.args.get("session") or ""
    if request.method == "POST" and form.wants_step_change(request.form):
        form.apply_step_change(request.form)
        return _render_form(form, None)
    if not form.is_submitted():
        return _render_form(form, None)
    entry_id = _posted_entry_id(form)
    try:
        result = write_entry(current_user.id, entry_id, SaveContent(form, care_choices(current_user, request.form)),
                             base_version=None, print_=_form_print("put", entry_id, None))
    except Conflict:
        # The id this page was given is taken and this is not a repeat of its own save
        # (a form kept from long ago): save the words as a new entry, nothing lost.
        entry_id = uuid.uuid4()
        result = write_entry(current_user.id, entry_id, SaveContent(form, care_choices(current_user, request.form)),
                             base_version=None, print_=_form_print("put", entry_id, None))
    except Invalid:
        return _render_form(form, None, 400)
    db.session.commit()
    flash("Entry saved.", "success")
    return redirect(url_for("entries.show", entry_id=result.entry.id))


@bp.route("/entries/<uuid:entry_id>")
@patient_required
def show(entry_id: uuid.UUID):
    """One entry, with its action steps; comments shown count as read (that is written)."""
    entry = get_entry_for_owner(entry_id, current_user.id)
    page = render_template("entries/show.html", entry=entry, action_form=EmptyForm(), mood_words=MOOD_WORDS,
                           noted_conflict=conflict_of(entry),
                           **on_entries.entry_context(current_user, entry))
    db.session.commit()
    return page


@bp.route("/entries/<uuid:entry_id>/edit", methods=["GET", "POST"])
@patient_required
def edit(entry_id: uuid.UUID):
    """Edit an entry; a save based on an older version than the server's is shown as a
    conflict with both texts, and nothing is overwritten."""
    entry = get_entry_for_owner(entry_id, current_user.id)
    form = _entry_form(obj=None if request.method == "POST" else _form_data(entry))
    if request.method == "POST" and form.wants_step_change(request.form):
        form.apply_step_change(request.form)
        return _render_form(form, entry)
    if not form.is_submitted():
        return _render_form(form, entry)
    base = form.base_version_number()
    try:
        write_entry(current_user.id, entry.id, SaveContent(form, care_choices(current_user, request.form)),
                    base_version=base, print_=_form_print("put", entry.id, base))
    except Conflict as conflict:
        db.session.rollback()  # the refused save leaves nothing behind but the note for other devices
        remember_conflict(conflict.current, base_version=base, device=getattr(current_login(), "device", None),
                          insights=form.insights.data, mood=form.mood.data)
        db.session.commit()
        form.base_version.data = str(conflict.current.version)
        return _render_form(form, conflict.current, 409, conflict=conflict.current)
    except Invalid:
        return _render_form(form, entry, 400)
    db.session.commit()
    flash("Entry updated.", "success")
    return redirect(url_for("entries.show", entry_id=entry.id))


@bp.route("/entries/<uuid:entry_id>/conflict")
@patient_required
def conflict(entry_id: uuid.UUID):
    """Both versions of an entry changed on two devices: the saved one and the refused copy."""
    entry = get_entry_for_owner(entry_id, current_user.id)
    noted = conflict_of(entry)
    if noted is None:
        flash("This entry has no other version to compare any more.", "info")
        return redirect(url_for("entries.show", entry_id=entry.id))
    return render_template("entries/conflict.html", entry=entry, noted=noted, mood_words=MOOD_WORDS,
                           action_form=EmptyForm())


@bp.route("/entries/<uuid:entry_id>/conflict/keep-saved", methods=["POST"])
@patient_required
def keep_saved(entry_id: uuid.UUID):
    """Keep the saved version: the other device's copy is no longer offered here."""
    entry = get_entry_for_owner(entry_id, current_user.id)
    forget_conflict(entry)
    db.session.commit()
    flash("Kept the saved version.", "success")
    return redirect(url_for("entries.show", entry_id=entry.id))


def _form_data(entry: Entry):
    """The entry as the form expects it (ids as strings, local time)."""
    return SimpleNamespace(
        base_version=str(entry.version), insights=entry.insights, mood=entry.mood, emotions=list(entry.emotions or []),
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
    write_entry(current_user.id, entry.id, MoveToTrash())
    db.session.commit()
    flash("Entry moved to Trash. You can restore it from there for 30 days.", "info")
    return redirect(url_for("entries.index"))


@bp.route("/trash")
@patient_required
def trash():
    """Entries in the Trash, restorable until purged (expired ones are purged now: a write)."""
    purge_expired_trash(current_app.config["TRASH_RETENTION_DAYS"], current_user.id)
    return render_template("entries/trash.html", entries=trashed_entries(current_user.id),
                           action_form=EmptyForm(),
                           retention_days=current_app.config["TRASH_RETENTION_DAYS"])


@bp.route("/trash/<uuid:entry_id>/restore", methods=["POST"])
@patient_required
def restore(entry_id: uuid.UUID):
    """Bring an entry back from the Trash."""
    entry = get_entry_for_owner(entry_id, current_user.id, in_trash=True)
    write_entry(current_user.id, entry.id, Restore())
    db.session.commit()
    flash("Entry restored.", "success")
    return redirect(url_for("entries.show", entry_id=entry.id))


@bp.route("/trash/<uuid:entry_id>/purge", methods=["POST"])
@patient_required
def purge(entry_id: uuid.UUID):
    """Delete one entry from the Trash for good."""
    entry = get_entry_for_owner(entry_id, current_user.id, in_trash=True)
    purge_entries(current_user.id, [entry])
    db.session.commit()
    flash("Entry deleted for good.", "info")
    return redirect(url_for("entries.trash"))


@bp.route("/trash/empty", methods=["POST"])
@patient_required
def empty_trash():
    """Delete every entry in the Trash for good."""
    purge_entries(current_user.id, trashed_entries(current_user.id))
    db.session.commit()
    flash("Trash emptied.", "info")
    return redirect(url_for("entries.trash"))
