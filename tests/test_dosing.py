"""Recording, editing and deleting dosing sessions."""
import sqlalchemy as sa

from journal.dosing.models import DosingSession
from journal.entries.models import Entry
from journal.extensions import db
from tests.factories import create_entry, create_session


def test_patient_records_a_session_with_optional_fields(patient_client):
    response = patient_client.submit("/sessions/new", {
        "date": "2026-11-01", "substance": "ayahuasca", "dose": "two cups",
        "setting": "Retreat in the valley", "intention": "Meet my father's memory"})
    assert response.status_code == 302
    session = db.session.scalars(sa.select(DosingSession)).one()
    assert (session.substance, session.dose, str(session.date)) == ("ayahuasca", "two cups", "2026-11-01")
    assert "Ayahuasca" in patient_client.get("/sessions/").get_data(as_text=True)


def test_other_substance_needs_a_name(patient_client):
    response = patient_client.submit("/sessions/new", {"date": "2026-11-01", "substance": "other"})
    assert response.status_code == 400 and "Name the substance." in response.get_data(as_text=True)
    patient_client.submit("/sessions/new", {"date": "2026-11-01", "substance": "other",
                                            "substance_other": "Ibogaine"})
    assert db.session.scalars(sa.select(DosingSession)).one().substance_label == "Ibogaine"


def test_bad_session_input_gets_messages_next_to_fields(patient_client):
    cases = [
        ({"substance": "lsd"}, "Enter the date of the session."),
        ({"date": "2026-02-30", "substance": "lsd"}, "Enter a real calendar date"),
        ({"date": "1066-10-14", "substance": "lsd"}, "between 1950 and 2100"),
        ({"date": "2026-01-01"}, "Choose the substance."),
        ({"date": "2026-01-01", "substance": "caffeine"}, "Not a valid choice"),
        ({"date": "2026-01-01", "substance": "lsd", "dose": "x" * 81}, "Field cannot be longer than 80"),
    ]
    for data, message in cases:
        response = patient_client.submit("/sessions/new", data)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DosingSession)) == 0


def test_edit_session(patient_client, patient):
    session = create_session(patient)
    patient_client.submit(f"/sessions/{session.id}/edit", {"date": "2026-06-01", "substance": "ketamine"})
    db.session.expire_all()
    assert db.session.get(DosingSession, session.id).substance == "ketamine"


def test_delete_asks_for_confirmation_and_keeps_entries_unlinked(patient_client, patient):
    session = create_session(patient)
    session_id = session.id
    entry = create_entry(patient, dosing_session=session)
    page = patient_client.get(f"/sessions/{session.id}/delete").get_data(as_text=True)
    assert "Delete this session?" in page and "1 entry is linked" in page
    assert db.session.get(DosingSession, session.id) is not None
    assert patient_client.submit(f"/sessions/{session.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(DosingSession, session_id) is None
    kept = db.session.get(Entry, entry.id)
    assert kept.dosing_session_id is None and kept.version == 2


def test_another_patients_session_is_404_everywhere(patient_client, make_user):
    foreign = create_session(make_user())
    for url in (f"/sessions/{foreign.id}/edit", f"/sessions/{foreign.id}/delete"):
        assert patient_client.get(url).status_code == 404
        assert patient_client.submit(url, {"date": "2026-01-01", "substance": "lsd"}).status_code == 404
    assert db.session.get(DosingSession, foreign.id).substance == "psilocybin"
