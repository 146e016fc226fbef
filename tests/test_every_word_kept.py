"""Every word kept: the server-side cases of the issue, each a way words were lost,
duplicated or misplaced (cases 2, 8, 9, 10, 11 and 12; case 1 is in test_sync_api.py,
case 13 in test_write_races.py, the device cases in browser/)."""
import json
import re
import uuid
from datetime import datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa

from journal.auth.models import PATIENT
from journal.care.models import CareLink, Share
from journal.care.service import find_invitation, accept_invitation, set_shares
from journal.cursors import pack
from journal.entries.models import Entry
from journal.extensions import db
from journal.timeutil import utcnow
from tests.concurrency import InThread, twin_write
from tests.factories import create_entry, create_link
from tests.sync_client import SyncApi, new_id

ENTRY = {"insights": "The river was grief.", "mood": 7}


@pytest.fixture
def api(patient_client):
    return SyncApi(patient_client)


def entries_of(user):
    db.session.expire_all()
    return db.session.scalars(sa.select(Entry).where(Entry.owner_id == user.id)).all()


# Case 2: the HTML edit form carries the version the patient started from ------------

def test_the_edit_form_carries_the_version_it_was_opened_on(patient_client, patient):
    entry = create_entry(patient)
    page = patient_client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert re.search(r'name="base_version"[^>]*value="1"|value="1"[^>]*name="base_version"', page)


def test_a_stale_save_without_javascript_shows_both_texts_and_overwrites_nothing(api, patient_client, patient):
    """Opened on version 1; meanwhile another device synced version 2. Saving the old
    page is the conflict page with both texts, and the other device's words stay."""
    entry = create_entry(patient, insights="first words")
    assert api.put(entry.id, {"insights": "synced from the phone", "mood": 4}, base_version=1).status_code == 200
    response = patient_client.submit(f"/entries/{entry.id}/edit", {
        "insights": "typed on the laptop", "mood": "6", "base_version": "1"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed on another device" in page
    assert "synced from the phone" in page and "typed on the laptop" in page
    assert re.search(r'name="base_version"[^>]*value="2"|value="2"[^>]*name="base_version"', page), \
        "saving again from the conflict page is a deliberate choice based on what was shown"
    [stored] = entries_of(patient)
    assert stored.insights == "synced from the phone" and stored.version == 2


def test_a_double_tap_on_save_writes_one_entry(patient_client, patient):
    form = patient_client.get("/entries/new").get_data(as_text=True)
    entry_id = re.search(r'name="entry_id"[^>]*value="([0-9a-f-]{36})"', form).group(1)
    data = {"entry_id": entry_id, "insights": "after the ceremony", "mood": "6"}
    first = patient_client.submit("/entries/new", data)
    second = patient_client.submit("/entries/new", data)
    assert first.status_code == second.status_code == 302 and first.location == second.location
    assert len(entries_of(patient)) == 1


# Case 8: every entry the form accepts can sync -----------------------------------

def largest_entry():
    return {"insights": "ж" * 20_000, "mood": 5,
            "action_steps": [{"id": None, "text": "ш" * 500} for _ in range(50)]}


def test_the_largest_entry_the_form_accepts_syncs(api, patient):
    body = largest_entry()
    assert len(json.dumps(body, ensure_ascii=False).encode()) > 64 * 1024
    response = api.put(new_id(), body)
    assert response.status_code == 201, response.get_json()
    assert len(entries_of(patient)[0].insights) == 20_000


def test_the_largest_entry_saves_from_the_form_too(patient_client, patient):
    data = {"insights": "ж" * 20_000, "mood": "5"}
    for n in range(50):
        data[f"action_steps-{n}-text"] = "ш" * 500
    assert patient_client.submit("/entries/new", data).status_code == 302
    assert len(entries_of(patient)[0].action_steps) == 50


# Case 9: bad input is a 422 naming the field; a 409 always carries the server's copy ---

def test_two_steps_with_one_id_are_a_422_naming_the_step(api, patient):
    step_id = new_id()
    body = {**ENTRY, "action_steps": [{"id": step_id, "text": "walk"}, {"id": step_id, "text": "call"}]}
    response = api.put(new_id(), body)
    assert response.status_code == 422
    assert "action_steps.1.id" in response.get_json()["fields"]
    assert entries_of(patient) == []


def test_every_409_carries_the_servers_copy(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    api.put(entry_id, {**ENTRY, "insights": "newer"}, base_version=1)
    for response in (api.put(entry_id, {**ENTRY, "insights": "stale"}, base_version=1),
                     api.put(entry_id, {**ENTRY, "insights": "a create"}),
                     api.delete(entry_id, base_version=1)):
        assert response.status_code == 409
        assert response.get_json()["current"]["insights"] == "newer"


# Case 10: double taps and two patients, settled by the database ---------------------

def two_requests(app):
    """Two app contexts: two requests, each with its own database session."""
    return app.app_context(), app.app_context()


def test_one_code_accepted_twice_at_once_makes_one_link(app, patient, therapist):
    from journal.care.service import create_invitation

    code = create_invitation(therapist).code
    first, second = two_requests(app)
    with first:
        mine = find_invitation(db.session.get(type(patient), patient.id), code)
        with second:
            twin = find_invitation(db.session.get(type(patient), patient.id), code)
            accept_invitation(db.session.get(type(patient), patient.id), twin)
            db.session.commit()
        accept_invitation(db.session.get(type(patient), patient.id), mine)
        db.session.commit()
    db.session.expire_all()
    links = db.session.scalars(sa.select(CareLink).where(CareLink.patient_id == patient.id)).all()
    assert len(links) == 1


def test_one_code_tried_by_two_patients_at_once_links_only_the_first(app, patient, therapist, make_user):
    from journal.care.service import InvitationProblem, create_invitation

    other = make_user(PATIENT)
    code = create_invitation(therapist).code
    first, second = two_requests(app)
    with first:
        mine = find_invitation(db.session.get(type(patient), patient.id), code)
        with second:
            theirs = find_invitation(db.session.get(type(other), other.id), code)
            accept_invitation(db.session.get(type(other), other.id), theirs)
            db.session.commit()
        with pytest.raises(InvitationProblem):
            accept_invitation(db.session.get(type(patient), patient.id), mine)
            db.session.commit()
        db.session.rollback()
    db.session.expire_all()
    assert db.session.scalars(sa.select(CareLink.patient_id)).all() == [other.id]


def test_the_consent_page_posted_twice_answers_as_the_first(patient_client, patient, therapist):
    from journal.care.service import create_invitation

    code = create_invitation(therapist).code
    token = patient_client.csrf_token()
    answers = [patient_client.post(f"/care/join/{code}", data={"csrf_token": token}) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].location == answers[1].location
    assert len(db.session.scalars(sa.select(CareLink).where(CareLink.patient_id == patient.id)).all()) == 1


def test_sharing_twice_at_once_is_one_share_not_an_error(app, patient_client, patient, therapist):
    create_link(patient, therapist)
    entry = create_entry(patient)
    token = patient_client.csrf_token()

    def first_tap():
        set_shares([db.session.get(Entry, entry.id)], patient.id, [therapist.id])

    with twin_write(app, first_tap):
        second_tap = InThread(lambda: patient_client.post(
            f"/care/entries/{entry.id}/sharing", data={"csrf_token": token, "share_with": str(therapist.id)}))
        second_tap.still_waiting(0.3)
    assert second_tap.result().status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Share)) == 1


# Case 11: input that used to be a 500 is a 400 or 422 with a message ----------------

DEEP = "[" * 100_000 + "]" * 100_000
BAD_BODIES = {
    "deeply nested JSON": '{"insights": ' + DEEP + ', "mood": 5}',
    "nested a little less deep": '{"mood": 5, "extra": ' + "[" * 900 + "]" * 900 + "}",
    "a lone surrogate": '{"insights": "\\ud800", "mood": 5}',
    "a lone surrogate in a key": '{"\\udfff": 1, "mood": 5}',
    "a lone surrogate in a step": '{"mood": 5, "action_steps": [{"text": "\\ud83d"}]}',
    "year 1 with an offset": '{"mood": 5, "written_at": "0001-01-01T00:00:00+05:00"}',
    "year 1 with a negative offset": '{"mood": 5, "written_at": "0001-01-01T00:30:00-01:00"}',
    "year 9999 with an offset": '{"mood": 5, "written_at": "9999-12-31T23:59:59-05:00"}',
    "year 9999 at UTC": '{"mood": 5, "written_at": "9999-12-31T23:59:59Z"}',
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_are_a_clear_4xx(api, patient, body):
    patient.timezone = "Asia/Tokyo"
    db.session.commit()
    response = api.client.put(f"/api/v1/entries/{new_id()}", data=body, content_type="application/json",
                              headers=api.headers())
    assert response.status_code in (400, 422), response.status_code
    answer = response.get_json()
    assert answer.get("message") or answer.get("fields")
    assert entries_of(patient) == []


BAD_CURSORS = {
    "since, year 1": ("/api/v1/entries", "since", pack("0001-01-01T00:00:00+00:00", str(uuid.UUID(int=1)), "last")),
    "since, year 1 at +05:00": ("/api/v1/entries", "since",
                                pack("0001-01-01T00:00:00+05:00", str(uuid.UUID(int=1)), "more")),
    "since, year 9999": ("/api/v1/entries", "since",
                         pack("9999-12-31T23:59:59-05:00", str(uuid.UUID(int=1)), "more")),
    "since, a huge number": ("/api/v1/entries", "since", pack("seq", "9" * 40)),
    "after, year 1 at +05:00": ("/", "after", pack("0001-01-01T00:00:00+05:00", str(uuid.UUID(int=1)))),
    "after, year 9999": ("/", "after", pack("9999-12-31T23:59:59-05:00", str(uuid.UUID(int=1)))),
}


@pytest.mark.parametrize("path, name, cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
def test_cursors_from_year_1_or_9999_are_400(patient_client, patient, path, name, cursor):
    create_entry(patient)
    response = patient_client.get(path, query_string={name: cursor})
    assert response.status_code == 400


@pytest.mark.parametrize("zone_name, typed", [("Asia/Tokyo", "0001-01-01T00:00"),
                                              ("America/Los_Angeles", "9999-12-31T23:59")])
def test_the_form_refuses_year_1_and_9999_in_any_zone(patient_client, patient, zone_name, typed):
    patient.timezone = zone_name
    db.session.commit()
    response = patient_client.submit("/entries/new", {"insights": "x", "mood": "5", "written_at": typed})
    assert response.status_code == 400
    assert "Enter a date after 1950" in response.get_data(as_text=True) or \
        "cannot be dated in the future" in response.get_data(as_text=True)


# Case 12: the instant the device sent is the instant stored --------------------------

def test_an_entry_written_in_the_repeated_hour_keeps_its_instant(api, patient):
    """2026-10-25 01:30 happens twice in London; the device sent the second one (UTC)."""
    patient.timezone = "Europe/London"
    db.session.commit()
    response = api.put(new_id(), {**ENTRY, "written_at": "2026-10-25T01:30:00Z"})
    assert response.status_code == 201
    assert entries_of(patient)[0].written_at == datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)
    assert response.get_json()["entry"]["written_at"] == "2026-10-25T01:30:00+00:00"


def test_trash_purge_dates_show_in_the_patients_zone(patient_client, patient):
    """Deleted at 12:00 UTC in Kiritimati (UTC+14): the purge day there is a day later
    than the UTC date says."""
    patient.timezone = "Pacific/Kiritimati"
    db.session.commit()
    entry = create_entry(patient, deleted=True)
    yesterday_noon = datetime.combine(utcnow().date() - timedelta(days=1), time(12), tzinfo=timezone.utc)
    entry.deleted_at = yesterday_noon
    db.session.commit()
    local_purge_day = (yesterday_noon + timedelta(days=30)).date() + timedelta(days=1)
    page = patient_client.get("/trash").get_data(as_text=True)
    assert f"deleted for good after {local_purge_day.strftime('%d %b %Y')}" in page
