"""The visibility rule and the access log, tested without HTTP."""
import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from journal.auth.models import THERAPIST
from journal.care.access import get_entry_for_therapist
from journal.care.models import EntryRead, Share
from journal.care.service import end_link, record_reads, set_shares
from journal.care.visibility import visible_entries
from journal.extensions import db
from journal.timeutil import utcnow
from tests.factories import create_entry, create_link, share_entry


def visible(therapist, patient=None):
    return {entry.id for entry in db.session.scalars(
        visible_entries(therapist.id, patient.id if patient else None))}


@pytest.fixture
def pair(patient, therapist):
    link = create_link(patient, therapist)
    return patient, therapist, link


def test_entries_are_private_by_default(pair):
    patient, therapist, _ = pair
    create_entry(patient)
    assert visible(therapist) == set()


def test_therapist_reads_an_entry_shared_over_an_active_link(pair):
    patient, therapist, _ = pair
    entry = create_entry(patient)
    create_entry(patient, insights="not shared")
    share_entry(entry, therapist)
    assert visible(therapist) == {entry.id}
    assert get_entry_for_therapist(entry.id, therapist).id == entry.id


def test_therapist_cannot_read_unshared_entry(pair):
    patient, therapist, _ = pair
    entry = create_entry(patient)
    with pytest.raises(NotFound):
        get_entry_for_therapist(entry.id, therapist)


def test_share_without_a_link_gives_no_access(patient, therapist):
    entry = create_entry(patient)
    share_entry(entry, therapist)
    assert visible(therapist) == set()


def test_ended_link_hides_entries_even_if_a_share_row_remains(pair):
    patient, therapist, link = pair
    entry = create_entry(patient)
    share_entry(entry, therapist)
    link.ended_at = utcnow()
    db.session.commit()
    assert visible(therapist) == set()
    with pytest.raises(NotFound):
        get_entry_for_therapist(entry.id, therapist)


def test_ending_the_link_removes_the_shares_so_a_new_link_starts_private(pair):
    patient, therapist, link = pair
    entry = create_entry(patient)
    share_entry(entry, therapist)
    end_link(link, patient)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Share)) == 0
    create_link(patient, therapist)
    assert visible(therapist) == set()


def test_trashed_entry_is_hidden(pair):
    patient, therapist, _ = pair
    entry = create_entry(patient)
    share_entry(entry, therapist)
    entry.move_to_trash()
    db.session.commit()
    assert visible(therapist) == set()


def test_unsharing_removes_access(pair):
    patient, therapist, _ = pair
    entry = create_entry(patient)
    share_entry(entry, therapist)
    set_shares([entry], patient.id, [])
    db.session.commit()
    assert visible(therapist) == set()


def test_share_is_per_therapist(pair, make_user):
    patient, therapist, _ = pair
    colleague = make_user(THERAPIST)
    create_link(patient, colleague)
    entry = create_entry(patient)
    set_shares([entry], patient.id, [colleague.id])
    db.session.commit()
    assert visible(colleague) == {entry.id}
    assert visible(therapist) == set()


def test_cannot_share_with_a_therapist_outside_the_care_team(pair, make_user):
    patient, therapist, _ = pair
    stranger = make_user(THERAPIST)
    entry = create_entry(patient)
    set_shares([entry], patient.id, [stranger.id, therapist.id])
    db.session.commit()
    assert set(db.session.scalars(sa.select(Share.therapist_id))) == {therapist.id}


def test_visibility_is_scoped_to_the_patient(pair, make_user):
    patient, therapist, _ = pair
    other = make_user()
    create_link(other, therapist)
    mine, theirs = create_entry(patient), create_entry(other)
    share_entry(mine, therapist)
    share_entry(theirs, therapist)
    assert visible(therapist, patient) == {mine.id}
    assert visible(therapist) == {mine.id, theirs.id}


# The access log ----------------------------------------------------------------

def reads():
    return db.session.scalars(sa.select(EntryRead)).all()


def test_record_reads_logs_each_entry_once_per_view(pair):
    patient, therapist, _ = pair
    entry = create_entry(patient)
    record_reads(therapist, [entry, entry])
    db.session.commit()
    assert [(r.entry_id, r.therapist_id) for r in reads()] == [(entry.id, therapist.id)]


def test_each_therapist_view_is_logged_once(app, pair):
    patient, therapist, _ = pair
    entry = create_entry(patient)
    share_entry(entry, therapist)
    client = app.test_client()
    client.login(therapist.email)
    assert client.get(f"/therapist/entries/{entry.id}").status_code == 200
    assert len(reads()) == 1
    assert client.get(f"/therapist/patients/{patient.id}").status_code == 200
    assert len(reads()) == 2
    assert client.get(f"/therapist/patients/{patient.id}/prepare").status_code == 200
    assert len(reads()) == 3


def test_patient_reading_their_own_entry_is_never_logged(pair, patient_client):
    patient, therapist, _ = pair
    entry = create_entry(patient)
    share_entry(entry, therapist)
    for url in ("/", f"/entries/{entry.id}", f"/entries/{entry.id}/edit", "/steps/", "/care/access-log"):
        assert patient_client.get(url).status_code == 200
    assert reads() == []


def test_dashboard_does_not_count_as_a_read(app, pair):
    patient, therapist, _ = pair
    share_entry(create_entry(patient), therapist)
    client = app.test_client()
    client.login(therapist.email)
    assert client.get("/therapist/").status_code == 200
    assert reads() == []


def test_a_refused_request_is_not_logged(app, pair):
    patient, therapist, _ = pair
    entry = create_entry(patient)
    client = app.test_client()
    client.login(therapist.email)
    assert client.get(f"/therapist/entries/{entry.id}").status_code == 404
    assert reads() == []
