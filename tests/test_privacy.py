"""A patient can always export or delete their data."""
import json

import sqlalchemy as sa

from journal.auth.models import User
from journal.dosing.models import DosingSession
from journal.entries.models import ActionStep, Entry
from journal.extensions import db
from tests.conftest import PASSWORD
from tests.factories import create_entry, create_session


def test_export_contains_everything_the_patient_wrote(patient_client, patient, make_user):
    session = create_session(patient, substance="ketamine")
    create_entry(patient, insights="Mine 🌿", steps=["step"], dosing_session=session)
    create_entry(patient, insights="In the trash", deleted=True)
    create_entry(make_user(), insights="Not mine")
    response = patient_client.get("/account/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == patient.email
    assert {e["insights"] for e in data["entries"]} == {"Mine 🌿", "In the trash"}
    assert data["dosing_sessions"][0]["substance"] == "Ketamine"
    mine = next(e for e in data["entries"] if e["insights"] == "Mine 🌿")
    assert [s["text"] for s in mine["action_steps"]] == ["step"]
    assert mine["dosing_session_id"] == str(session.id)


def test_delete_account_needs_the_password_then_removes_everything(patient_client, patient, make_user):
    patient_id = patient.id
    create_entry(patient, steps=["a"], dosing_session=create_session(patient))
    other = create_entry(make_user(), steps=["b"])
    response = patient_client.submit("/account/delete", {"password": "wrong password!"})
    assert response.status_code == 400 and "not right" in response.get_data(as_text=True)
    assert db.session.get(User, patient_id) is not None
    response = patient_client.submit("/account/delete", {"password": PASSWORD})
    assert response.status_code == 302 and response.location == "/login"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.id == patient_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStep)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DosingSession)) == 0
    assert db.session.get(Entry, other.id) is not None
    assert patient_client.get("/").status_code == 302


def test_export_includes_care_team_shares_comments_and_reads_but_not_private_notes(
        patient_client, patient, therapist):
    from journal.care.models import CareLink, EntryRead, Share
    from journal.care.models import Comment
    from journal.therapist.models import TherapistNote

    entry = create_entry(patient, insights="shared one")
    db.session.add_all([
        CareLink(patient_id=patient.id, therapist_id=therapist.id),
        Share(entry_id=entry.id, therapist_id=therapist.id),
        Comment(entry_id=entry.id, therapist_id=therapist.id, body="Beautiful noticing."),
        EntryRead(entry_id=entry.id, therapist_id=therapist.id),
        TherapistNote(therapist_id=therapist.id, patient_id=patient.id, body="private clinical note"),
    ])
    db.session.commit()
    body = patient_client.get("/account/export").get_data(as_text=True)
    data = json.loads(body)
    assert data["care_team"][0]["therapist"] == therapist.display_name
    exported = data["entries"][0]
    assert exported["shared_with"] == [therapist.display_name]
    assert exported["therapist_comments"][0]["text"] == "Beautiful noticing."
    assert exported["read_by_therapists"][0]["therapist"] == therapist.display_name
    assert "private clinical note" not in body


def test_deleting_a_linked_patient_removes_their_care_data_too(patient_client, patient, therapist):
    from journal.care.models import CareLink, EntryRead, Share
    from journal.care.models import Comment

    entry = create_entry(patient)
    db.session.add_all([CareLink(patient_id=patient.id, therapist_id=therapist.id),
                        Share(entry_id=entry.id, therapist_id=therapist.id),
                        Comment(entry_id=entry.id, therapist_id=therapist.id, body="hi"),
                        EntryRead(entry_id=entry.id, therapist_id=therapist.id)])
    db.session.commit()
    assert patient_client.submit("/account/delete", {"password": PASSWORD}).status_code == 302
    for model in (CareLink, Share, Comment, EntryRead, Entry):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model
    assert db.session.get(User, therapist.id) is not None
