"""The sync API: idempotent upserts, versions and conflicts, tombstones, every bad input."""
import json
import logging
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from journal.entries.models import WriteReceipt as SyncReceipt
from journal.auth.models import PATIENT, THERAPIST
from journal.entries.models import ActionStep, Entry
from journal.extensions import db
from journal.timeutil import utcnow
from tests.factories import create_entry, create_session
from tests.sync_client import SyncApi, new_id

ENTRY = {"insights": "The river was grief.", "mood": 7, "emotions": ["grief", "awe"],
         "written_at": "2026-11-20T09:30:00+00:00",
         "action_steps": [{"id": None, "text": "Call my sister", "due_date": "2026-12-01", "done": False}]}


@pytest.fixture
def api(patient_client):
    return SyncApi(patient_client)


def entries_in_db():
    db.session.expire_all()
    return db.session.scalars(sa.select(Entry)).all()


def test_put_creates_an_entry_with_the_devices_id(api, patient):
    entry_id = new_id()
    response = api.put(entry_id, ENTRY)
    assert response.status_code == 201
    body = response.get_json()["entry"]
    assert body["id"] == entry_id and body["version"] == 1 and body["deleted"] is False
    assert body["mood"] == 7 and body["emotions"] == ["awe", "grief"]
    assert body["written_at"] == "2026-11-20T09:30:00+00:00"
    assert [s["text"] for s in body["action_steps"]] == ["Call my sister"]
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Cache-Control"] == "no-store"
    [entry] = entries_in_db()
    assert entry.owner_id == patient.id and str(entry.id) == entry_id


def test_replaying_a_create_whose_response_was_lost_changes_nothing(api):
    entry_id = new_id()
    first = api.put(entry_id, ENTRY)
    again = api.put(entry_id, ENTRY)
    assert again.status_code == first.status_code == 201
    assert again.get_json()["entry"] == first.get_json()["entry"]
    assert again.get_json()["replayed"] is True
    assert len(entries_in_db()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStep)) == 1


def test_replaying_an_update_changes_nothing_and_answers_the_same(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    edit = {**ENTRY, "insights": "And then relief."}
    first = api.put(entry_id, edit, base_version=1)
    again = api.put(entry_id, edit, base_version=1)
    assert first.status_code == again.status_code == 200
    assert again.get_json()["entry"]["version"] == first.get_json()["entry"]["version"] == 2
    assert entries_in_db()[0].version == 2


def test_a_replay_answers_with_the_version_its_write_made_not_the_current_one(api):
    """Case 1: the phone saves v1→v2 and loses the answer; the laptop saves v3; the phone's
    replay must say "version 2" (with the phone's words), so its next edit, based on 2,
    is a conflict instead of silently overwriting the laptop's words."""
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    first = api.put(entry_id, {**ENTRY, "insights": "phone"}, base_version=1)  # response lost on the phone
    api.put(entry_id, {**ENTRY, "insights": "laptop, after syncing"}, base_version=2)
    replay = api.put(entry_id, {**ENTRY, "insights": "phone"}, base_version=1)
    assert replay.status_code == 200 and replay.get_json()["replayed"] is True
    assert replay.get_json()["entry"]["version"] == 2 and replay.headers["ETag"] == '"2"'
    assert replay.get_json()["entry"] == first.get_json()["entry"]
    next_edit = api.put(entry_id, {**ENTRY, "insights": "phone, edited again"}, base_version=2)
    assert next_edit.status_code == 409
    assert next_edit.get_json()["current"]["insights"] == "laptop, after syncing"
    assert entries_in_db()[0].insights == "laptop, after syncing" and entries_in_db()[0].version == 3


def test_base_version_in_the_body_works_like_if_match(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    response = api.put(entry_id, {**ENTRY, "base_version": 1, "mood": 3})
    assert response.status_code == 200 and response.get_json()["entry"]["mood"] == 3


def test_stale_version_gets_409_with_the_servers_copy_and_overwrites_nothing(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    api.put(entry_id, {**ENTRY, "insights": "from the laptop"}, base_version=1)
    response = api.put(entry_id, {**ENTRY, "insights": "from the phone"}, base_version=1)
    assert response.status_code == 409
    body = response.get_json()
    assert body["current"]["insights"] == "from the laptop" and body["current"]["version"] == 2
    assert entries_in_db()[0].insights == "from the laptop"


def test_creating_an_id_that_exists_without_a_version_is_a_conflict(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    response = api.put(entry_id, {**ENTRY, "insights": "other text"})
    assert response.status_code == 409
    assert response.get_json()["current"]["insights"] == ENTRY["insights"]


def test_delete_moves_to_trash_and_the_changes_feed_shows_a_tombstone(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    _, cursor = api.all_changes()
    response = api.delete(entry_id, base_version=1)
    assert response.status_code == 200
    assert response.get_json()["entry"]["deleted"] is True
    assert entries_in_db()[0].deleted_at is not None
    changes, _ = api.all_changes(cursor)
    assert [(c["id"], c["deleted"], c["version"]) for c in changes] == [(entry_id, True, 2)]
    assert api.delete(entry_id, base_version=1).status_code == 200  # a replay
    assert api.delete(entry_id, base_version=2).status_code == 200  # already there
    assert entries_in_db()[0].version == 2


def test_delete_with_a_stale_version_conflicts(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    api.put(entry_id, {**ENTRY, "insights": "edited elsewhere"}, base_version=1)
    response = api.delete(entry_id, base_version=1)
    assert response.status_code == 409
    assert entries_in_db()[0].deleted_at is None


def test_delete_needs_a_version(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    response = api.client.delete(f"/api/v1/entries/{entry_id}", headers=api.headers())
    assert response.status_code == 428


def test_editing_a_trashed_entry_on_its_version_restores_it(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    api.delete(entry_id, base_version=1)
    response = api.put(entry_id, {**ENTRY, "insights": "kept after all"}, base_version=2)
    assert response.status_code == 200 and response.get_json()["entry"]["deleted"] is False


def test_changes_feed_pages_through_every_change_once(api, patient):
    ids = [new_id() for _ in range(5)]
    for entry_id in ids:
        api.put(entry_id, ENTRY)
    first = api.changes(limit=2).get_json()
    assert len(first["entries"]) == 2 and first["has_more"] is True
    seen, cursor = api.all_changes()
    assert sorted(e["id"] for e in seen) == sorted(ids)
    api.put(ids[0], {**ENTRY, "mood": 2}, base_version=1)
    again, _ = api.all_changes(cursor)
    assert again[-1]["id"] == ids[0] and again[-1]["mood"] == 2
    assert len(again) == len({e["id"] for e in again})


def test_a_change_committed_late_with_an_earlier_stamp_is_not_skipped(api, patient):
    """A slow request stamps updated_at, then commits after a device already pulled a
    later change: the next pull still brings it (the last cursor re-reads 30 s)."""
    first = new_id()
    api.put(first, ENTRY)
    _, cursor = api.all_changes()
    late = create_entry(patient, insights="committed late")
    late.updated_at = db.session.get(Entry, uuid.UUID(first)).updated_at - timedelta(seconds=5)
    db.session.commit()
    changes, _ = api.all_changes(cursor)
    assert str(late.id) in {e["id"] for e in changes}


def test_an_old_changes_cursor_does_not_resend_everything(api, patient):
    old = create_entry(patient, insights="long ago")
    old.updated_at = utcnow() - timedelta(days=2)
    db.session.commit()
    api.put(new_id(), ENTRY)
    _, cursor = api.all_changes()
    changes, _ = api.all_changes(cursor)
    assert str(old.id) not in {e["id"] for e in changes}


def test_a_first_pull_gets_only_the_newest_live_entries_and_goes_on_from_now(api, patient):
    start = utcnow() - timedelta(days=10)
    written = [create_entry(patient, insights=f"day {day}", written_at=start + timedelta(days=day))
               for day in range(5)]
    create_entry(patient, insights="newest, but in the Trash", written_at=start + timedelta(days=6), deleted=True)
    first = api.client.get("/api/v1/entries", query_string={"latest": 3}).get_json()
    assert [e["insights"] for e in first["entries"]] == ["day 4", "day 3", "day 2"]
    assert first["has_more"] is False
    # From the cursor on, only what changed after the first pull.
    assert api.changes(first["next"]).get_json()["entries"] == []
    api.put(str(written[0].id), {**ENTRY, "insights": "day 0, edited"}, base_version=1)
    later, _ = api.all_changes(first["next"])
    assert [e["insights"] for e in later] == ["day 0, edited"]


def test_a_first_pull_of_an_empty_journal_has_a_cursor_too(api):
    first = api.client.get("/api/v1/entries?latest=50").get_json()
    assert first["entries"] == [] and first["has_more"] is False
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    assert [e["id"] for e in api.all_changes(first["next"])[0]] == [entry_id]


@pytest.mark.parametrize("query", ["latest=0", "latest=101", "latest=abc", "latest=-1", "latest=",
                                   "latest=1.5", "latest=3&since=", "latest=3&limit=3"])
def test_a_bad_latest_is_400(api, query):
    response = api.client.get(f"/api/v1/entries?{query}")
    assert response.status_code == 400


def test_changes_feed_shows_only_your_own_entries(app, api, make_user):
    create_entry(make_user(PATIENT), insights="someone else's")
    assert api.changes().get_json()["entries"] == []


def test_the_form_and_the_api_reject_the_same_entry(api, patient_client):
    bad = {"insights": "x", "mood": 11, "emotions": ["bliss"],
           "action_steps": [{"text": "   "}], "written_at": "2999-01-01T10:00"}
    response = api.put(new_id(), bad)
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert set(fields) == {"mood", "emotions", "action_steps.0.text", "written_at"}
    assert "Choose your mood from 1 to 10." in fields["mood"]
    form = patient_client.submit("/entries/new", {"insights": "x", "mood": "11", "emotions": "bliss",
                                                  "action_steps-0-text": "   ",
                                                  "written_at": "2999-01-01T10:00"})
    assert form.status_code == 400
    assert "Choose your mood from 1 to 10." in form.get_data(as_text=True)
    assert entries_in_db() == []


@pytest.mark.parametrize("body, field", [
    ({"mood": "seven"}, "mood"),
    ({"mood": True}, "mood"),
    ({"mood": [7]}, "mood"),
    ({"mood": 7, "insights": 5}, "insights"),
    ({"mood": 7, "emotions": "awe"}, "emotions"),
    ({"mood": 7, "action_steps": {"text": "x"}}, "action_steps"),
    ({"mood": 7, "action_steps": ["x"]}, "action_steps.0"),
    ({"mood": 7, "action_steps": [{"text": "x", "done": "yes"}]}, "action_steps.0.done"),
    ({"mood": 7, "action_steps": [{"text": "x"}] * 51}, "action_steps"),
    ({"mood": 7, "insights": "x" * 20_001}, "insights"),
    ({"mood": 7, "dosing_session_id": str(uuid.uuid4())}, "dosing_session_id"),
    ({"mood": 7, "written_at": "yesterday"}, "written_at"),
    ({}, "mood"),
])
def test_wrong_fields_get_422_with_a_message_for_that_field(api, body, field):
    response = api.put(new_id(), body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    assert entries_in_db() == []


def test_a_dosing_session_of_your_own_can_be_linked(api, patient):
    session = create_session(patient)
    response = api.put(new_id(), {**ENTRY, "dosing_session_id": str(session.id)})
    assert response.status_code == 201


def test_local_written_at_is_read_in_the_patients_time_zone(app, make_user):
    patient = make_user(PATIENT, timezone="Europe/Berlin")
    client = app.test_client()
    client.login(patient.email)
    response = SyncApi(client).put(new_id(), {**ENTRY, "written_at": "2026-11-20T10:30"})
    body = response.get_json()["entry"]
    assert body["written_at"] == "2026-11-20T09:30:00+00:00"
    assert body["written_at_local"] == "2026-11-20T10:30:00"


def test_malformed_json_is_400(api):
    response = api.client.put(f"/api/v1/entries/{new_id()}", data="{not json",
                              content_type="application/json", headers=api.headers())
    assert response.status_code == 400 and response.is_json


def test_a_json_array_is_400(api):
    response = api.put(new_id(), [1, 2])
    assert response.status_code == 400


def test_wrong_content_type_is_415(api):
    response = api.client.put(f"/api/v1/entries/{new_id()}", data={"mood": "7"}, headers=api.headers())
    assert response.status_code == 415 and response.get_json()["status"] == 415


def test_a_body_over_the_limit_is_413(api):
    response = api.put(new_id(), {"mood": 7, "insights": "x" * 1_100_000})
    assert response.status_code == 413 and response.is_json


@pytest.mark.parametrize("path", ["/api/v1/entries/not-a-uuid", "/api/v1/entries/1234"])
def test_an_invalid_uuid_is_404_json(api, path):
    response = api.client.put(path, json=ENTRY, headers=api.headers())
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize("header", ['"abc"', "1,2", '"-1"'])
def test_a_bad_if_match_is_400(api, header):
    response = api.client.put(f"/api/v1/entries/{new_id()}", json=ENTRY,
                              headers={**api.headers(), "If-Match": header})
    assert response.status_code == 400


def test_another_patients_entry_is_404_and_never_overwritten(api, make_user):
    other = create_entry(make_user(PATIENT), insights="not yours")
    for base in (None, 1, 2):
        assert api.put(other.id, {**ENTRY, "insights": "mine now"}, base_version=base).status_code == 404
    assert api.delete(other.id, base_version=1).status_code == 404
    db.session.expire_all()
    assert db.session.get(Entry, other.id).insights == "not yours"
    assert db.session.get(Entry, other.id).deleted_at is None


def test_a_step_id_of_another_patients_entry_is_not_taken_over(api, make_user):
    other = create_entry(make_user(PATIENT), steps=["their step"])
    stolen = str(other.action_steps[0].id)
    response = api.put(new_id(), {**ENTRY, "action_steps": [{"id": stolen, "text": "mine"}]})
    assert response.status_code == 201
    assert response.get_json()["entry"]["action_steps"][0]["id"] != stolen
    db.session.expire_all()
    assert db.session.get(ActionStep, uuid.UUID(stolen)).text == "their step"


def test_logged_out_is_401_json_not_a_redirect(client):
    token = client.csrf_token()
    response = client.put(f"/api/v1/entries/{new_id()}", json=ENTRY, headers={"X-CSRFToken": token})
    assert response.status_code == 401 and response.get_json()["status"] == 401
    assert client.get("/api/v1/entries").status_code == 401
    assert client.get("/api/v1/session").status_code == 401


def test_a_write_without_the_csrf_header_is_refused(patient_client):
    response = patient_client.put(f"/api/v1/entries/{new_id()}", json=ENTRY)
    assert response.status_code == 400
    assert response.get_json()["reason"] == "csrf"
    assert entries_in_db() == []


def test_a_therapist_has_no_journal_to_sync(app, make_user):
    therapist = make_user(THERAPIST)
    client = app.test_client()
    client.login(therapist.email)
    api = SyncApi(client)
    assert api.put(new_id(), ENTRY).status_code == 404


def test_bad_cursor_and_limit_are_400(api):
    assert api.changes("garbage!").status_code == 400
    assert api.changes(limit=0).status_code == 400
    assert api.changes(limit=1000).status_code == 400


def test_entry_text_never_reaches_the_logs(api):
    records = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: records.append(record.getMessage())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        secret = "a very private sentence"
        api.put(new_id(), {**ENTRY, "insights": secret})
        api.put(new_id(), {"insights": secret, "mood": 99})
        api.client.put(f"/api/v1/entries/{new_id()}", data='{"insights": "' + secret,
                       content_type="application/json", headers=api.headers())
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert not any(secret in message for message in records)


def test_receipts_go_with_a_purged_entry(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    api.delete(entry_id, base_version=1)
    db.session.delete(db.session.get(Entry, uuid.UUID(entry_id)))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncReceipt)) == 0


def test_openapi_document_describes_the_api(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/session", "/entries", "/entries/{entry_id}", "/entries/{entry_id}/conflict",
                                 "/measures", "/measures/responses/{response_id}", "/batch"}
    put = doc["paths"]["/entries/{entry_id}"]["put"]
    assert {"200", "201", "400", "401", "404", "409", "413", "415", "422"} <= set(put["responses"])
    json.dumps(doc)


def test_logged_out_write_is_401_even_with_a_stale_csrf_token(client):
    for method in (client.put, client.delete):
        response = method(f"/api/v1/entries/{uuid.uuid4()}", json={"mood": 5},
                          headers={"X-CSRFToken": "stale-token-from-an-old-session"})
        assert response.status_code == 401 and response.json["status"] == 401


def test_integral_json_numbers_and_empty_fields_are_accepted(api, patient):
    entry = create_entry(patient)
    response = api.put(entry.id, {"insights": "x", "mood": 5, "base_version": 1.0, "answers_prompt": ""})
    assert response.status_code == 200
    response = api.client.put(f"/api/v1/entries/{entry.id}", json={"insights": "y", "mood": 5, "base_version": 2},
                              headers={"X-CSRFToken": api.token, "If-Match": ""})
    assert response.status_code == 200 and response.json["entry"]["insights"] == "y"


def test_a_create_runs_at_most_seven_statements_whatever_its_size(api, count_queries):
    """Login, change number, the id's entry and tombstone (one query), step ids in use,
    the entry, its steps and the receipt: no re-reads, no lookups the body did not ask for."""
    api.put(new_id(), ENTRY)  # the patient's first write also makes their counter row
    for steps in (1, 50):
        body = {**ENTRY, "action_steps": [{"id": new_id(), "text": f"step {n}"} for n in range(steps)]}
        with count_queries() as statements:
            assert api.put(new_id(), body).status_code == 201
        assert len(statements) <= 7, "\n".join(s[:90] for s in statements)
