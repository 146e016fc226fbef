"""The therapist's workspace. Every view loads its object through one access helper."""
import uuid

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from journal.auth.access import therapist_required
from journal.auth.forms import EmptyForm
from journal.care.access import get_entry_for_therapist, get_link_for_therapist, get_patient_for_therapist
from journal.care.measure_service import record_response_reads
from journal.care.models import Comment, ReflectionPrompt
from journal.care.service import create_invitation, end_link, open_invitations, record_reads
from journal.dosing.access import session_filter_arg
from journal.entries.models import MOOD_WORDS
from journal.extensions import db
from journal.measures.instruments import instruments
from journal.measures.protocol import TIMEPOINTS, default_plan, plan_for
from journal.therapist import bp
from journal.therapist.access import get_note_for_therapist
from journal.therapist.forms import CommentForm, MeetingForm, NoteForm, PromptForm
from journal.therapist.models import Meeting, TherapistNote
from journal.therapist.mood_chart import mood_chart
from journal.therapist.outcomes import flags_for_dashboard, open_flags, outcomes
from journal.therapist.prep_measures import measures_since
from journal.timeutil import zone
from journal.therapist.service import comments_by, dashboard as dashboard_rows
from journal.therapist.service import prepare as preparation
from journal.therapist.service import notes_about, prompts_given, shared_sessions, timeline, unread_ids


@bp.route("/")
@therapist_required
def dashboard():
    """Patients who added this therapist, with open safety flags on top (their reads are logged)."""
    flags = flags_for_dashboard(current_user)
    record_response_reads(current_user, [flag.response for flag in flags])
    page = render_template("therapist/dashboard.html", rows=dashboard_rows(current_user), flags=flags)
    db.session.commit()
    return page


@bp.route("/invitations")
@therapist_required
def invitations():
    """Open invitation codes, and a button to make a new one."""
    return render_template("therapist/invitations.html", invitations=open_invitations(current_user),
                           action_form=EmptyForm())


@bp.route("/invitations/new", methods=["POST"])
@therapist_required
def invite():
    """Create a single-use code (and link) valid for 7 days."""
    invitation = create_invitation(current_user)
    flash(f"New invitation code: {invitation.code}. Give it to your patient; it works once, for 7 days.",
          "success")
    return redirect(url_for("therapist.invitations"))


@bp.route("/patients/<uuid:patient_id>")
@therapist_required
def patient(patient_id: uuid.UUID):
    """A patient's shared entries as a timeline, with mood line, notes and prompts."""
    return _patient_page(get_patient_for_therapist(patient_id, current_user))


def _patient_page(patient, note_form=None, prompt_form=None, status: int = 200):
    session_id = session_filter_arg()
    entries = timeline(current_user, patient, session_id)
    unread = unread_ids(current_user, entries)
    shared = shared_sessions(current_user, patient)
    record_reads(current_user, entries)
    measured = outcomes(current_user, patient)
    record_response_reads(current_user, measured.responses)
    plan = plan_for(patient.id)
    page = render_template(
        "therapist/patient.html", patient=patient, entries=entries, unread=unread,
        flags=open_flags(current_user, patient), outcomes=measured.outcomes, plan=plan,
        plan_is_default=plan == default_plan(), timepoints=TIMEPOINTS, instruments=instruments(),
        chart=mood_chart(entries, shared, zone(current_user.timezone)), sessions=shared, session_id=session_id,
        notes=notes_about(current_user, patient), prompts=prompts_given(current_user, patient),
        visible_ids={e.id for e in entries}, note_form=note_form or NoteForm(),
        prompt_form=prompt_form or PromptForm(), action_form=EmptyForm(), mood_words=MOOD_WORDS)
    db.session.commit()
    return page, status


@bp.route("/patients/<uuid:patient_id>/end", methods=["POST"])
@therapist_required
def end(patient_id: uuid.UUID):
    """End the care link from the therapist's side: access ends now."""
    link = get_link_for_therapist(patient_id, current_user)
    end_link(link, current_user)
    flash(f"Your link with {link.patient.display_name} has ended.", "success")
    return redirect(url_for("therapist.dashboard"))


@bp.route("/patients/<uuid:patient_id>/notes", methods=["POST"])
@therapist_required
def add_note(patient_id: uuid.UUID):
    """Keep a private note about this patient."""
    patient = get_patient_for_therapist(patient_id, current_user)
    form = NoteForm()
    if not form.validate_on_submit():
        return _patient_page(patient, note_form=form, status=400)
    db.session.add(TherapistNote(therapist_id=current_user.id, patient_id=patient.id,
                                 body=form.body.data.strip()))
    db.session.commit()
    flash("Note saved. Only you can see it.", "success")
    return redirect(url_for("therapist.patient", patient_id=patient.id) + "#notes")


@bp.route("/notes/<uuid:note_id>/delete", methods=["POST"])
@therapist_required
def delete_note(note_id: uuid.UUID):
    """Delete one of the therapist's own notes."""
    note = get_note_for_therapist(note_id, current_user)
    db.session.delete(note)
    db.session.commit()
    flash("Note deleted.", "info")
    return redirect(url_for("therapist.patient", patient_id=note.patient_id) + "#notes")


@bp.route("/patients/<uuid:patient_id>/prompts", methods=["POST"])
@therapist_required
def assign_prompt(patient_id: uuid.UUID):
    """Give the patient a reflection prompt for their next entry."""
    patient = get_patient_for_therapist(patient_id, current_user)
    form = PromptForm()
    if not form.validate_on_submit():
        return _patient_page(patient, prompt_form=form, status=400)
    db.session.add(ReflectionPrompt(therapist_id=current_user.id, patient_id=patient.id,
                                    text=form.text.data.strip()))
    db.session.commit()
    flash("Prompt sent. The patient sees it when writing a new entry.", "success")
    return redirect(url_for("therapist.patient", patient_id=patient.id) + "#prompts")


@bp.route("/patients/<uuid:patient_id>/prepare")
@therapist_required
def prepare(patient_id: uuid.UUID):
    """Everything shared since the last meeting, on one printable page."""
    patient = get_patient_for_therapist(patient_id, current_user)
    return _prepare_page(patient, MeetingForm())


def _prepare_page(patient, form: MeetingForm, status: int = 200):
    prep = preparation(current_user, patient)
    record_reads(current_user, prep.entries)
    measures = measures_since(current_user, patient, prep.since)
    record_response_reads(current_user, measures.shown)
    page = render_template("therapist/prepare.html", patient=patient, prep=prep, form=form,
                           chart=mood_chart(prep.entries, shared_sessions(current_user, patient),
                                            zone(current_user.timezone)), measures=measures, action_form=EmptyForm())
    db.session.commit()
    return page, status


@bp.route("/patients/<uuid:patient_id>/meetings", methods=["POST"])
@therapist_required
def add_meeting(patient_id: uuid.UUID):
    """Record the date of an integration meeting."""
    patient = get_patient_for_therapist(patient_id, current_user)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _prepare_page(patient, form, 400)
    db.session.add(Meeting(therapist_id=current_user.id, patient_id=patient.id, held_on=form.held_on.data))
    db.session.commit()
    flash("Meeting recorded.", "success")
    return redirect(url_for("therapist.prepare", patient_id=patient.id))


@bp.route("/entries/<uuid:entry_id>")
@therapist_required
def entry(entry_id: uuid.UUID):
    """One shared entry, with the therapist's comments on it."""
    return _entry_page(get_entry_for_therapist(entry_id, current_user), CommentForm())


def _entry_page(entry, form: CommentForm, status: int = 200):
    patient = get_patient_for_therapist(entry.owner_id, current_user)
    record_reads(current_user, [entry])
    page = render_template("therapist/entry.html", entry=entry, patient=patient, form=form,
                           comments=comments_by(current_user, entry), mood_words=MOOD_WORDS)
    db.session.commit()
    return page, status


@bp.route("/entries/<uuid:entry_id>/comments", methods=["POST"])
@therapist_required
def comment(entry_id: uuid.UUID):
    """Leave feedback on a shared entry; the patient sees it there."""
    entry = get_entry_for_therapist(entry_id, current_user)
    form = CommentForm()
    if not form.validate_on_submit():
        return _entry_page(entry, form, 400)
    db.session.add(Comment(entry_id=entry.id, therapist_id=current_user.id, body=form.body.data.strip()))
    db.session.commit()
    flash("Comment added. The patient will see it on this entry.", "success")
    return redirect(url_for("therapist.entry", entry_id=entry.id))
