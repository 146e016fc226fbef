"""The sync batch: many outbox writes in one request and one commit, each answered as its
single endpoint would, in order, each refused alone."""
import uuid

import pytest
import sqlalchemy as sa

from journal.api.batch_routes import MAX_ITEMS
from journal.auth.models import PATIENT
from journal.entries.models import Entry, EntryConflict, WriteReceipt
from journal.extensions import db
from journal.measures.models import MeasureResponse
from tests.factories import create_entry
from tests.sync_client import SyncApi, new_id

ENTRY = {"insights": "The river was grief.", "mood": 7, "written_at": "2026-11-20T09:30:00+00:00"}
PHQ9 = {"instrument": "phq9", "answers": [1, 1, 1, 1, 2, 2, 2, 1, 0], "completed_at": "2026-11-20T21:30:00+00:00",
        "dosing_session_id": None}


@pytest.fixture
def api(patient_client):
    return SyncApi(patient_client)


def put(entry_id, body, base_version=None):
    return {"id": entry_id, "kind": "entry", "method": "PUT", "base_version": base_version, "body": body}


def delete(entry_id, base_version):
    return {"id": entry_id, "kind": "entry", "method": "DELETE", "base_version": base_version}


def send(api, *items, **kwargs):
    return api.client.post("/api/v1/batch", json={"requests": list(items)},
                           headers=kwargs.pop("headers", api.headers()), **kwargs)


def results(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(result["status"], result["body"]) for result in response.get_json()["results"]]


def stored(entry_id):
    db.session.expire_all()
    return db.session.get(Entry, uuid.UUID(entry_id))


def test_a_batch_applies_its_items_in_order_and_answers_each_as_alone(api):
    first, second = new_id(), new_id()
    answers = results(send(api, put(first, ENTRY), put(first, {**ENTRY, "insights": "Then relief."}, 1),
                           put(second, ENTRY), delete(second, 1)))
    assert [status for status, _ in answers] == [201, 200, 201, 200]
    assert [body["entry"]["version"] for _, body in answers] == [1, 2, 1, 2]
    assert answers[3][1]["entry"]["deleted"] is True
    assert stored(first).insights == "Then relief." and stored(first).version == 2
    assert stored(second).deleted_at is not None


def test_a_refused_item_is_taken_back_alone(api):
    good, bad, later = new_id(), new_id(), new_id()
    answers = results(send(api, put(good, ENTRY), put(bad, {**ENTRY, "mood": 99}), put(later, ENTRY)))
    assert [status for status, _ in answers] == [201, 422, 201]
    assert "mood" in answers[1][1]["fields"]
    assert stored(good) is not None and stored(later) is not None and stored(bad) is None


def test_a_batch_item_sent_again_alone_is_a_replay_with_the_first_answer(api):
    entry_id = new_id()
    [(status, body)] = results(send(api, put(entry_id, ENTRY)))
    again = api.put(entry_id, ENTRY)
    assert again.status_code == status == 201 and again.get_json()["replayed"] is True
    assert again.get_json()["entry"] == body["entry"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WriteReceipt)) == 1


def test_a_single_write_sent_again_in_a_batch_is_a_replay_with_the_first_answer(api):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    edit = {**ENTRY, "insights": "Then relief."}
    first = api.put(entry_id, edit, base_version=1)
    [(status, body)] = results(send(api, put(entry_id, edit, 1)))
    assert status == 200 and body["replayed"] is True and body["entry"] == first.get_json()["entry"]
    deleted = api.delete(entry_id, 2)
    [(status, body)] = results(send(api, delete(entry_id, 2)))
    assert status == 200 and body["replayed"] is True and body["entry"] == deleted.get_json()["entry"]
    assert stored(entry_id).version == 3


def test_a_stale_item_is_a_conflict_with_the_servers_copy_and_a_note(api):
    entry_id, other = new_id(), new_id()
    api.put(entry_id, ENTRY)
    api.put(entry_id, {**ENTRY, "insights": "laptop"}, base_version=1)
    answers = results(send(api, put(entry_id, {**ENTRY, "insights": "phone"}, 1), put(other, ENTRY)))
    assert [status for status, _ in answers] == [409, 201]
    assert answers[0][1]["current"]["insights"] == "laptop" and answers[0][1]["current"]["version"] == 2
    assert stored(entry_id).insights == "laptop"
    [note] = db.session.scalars(sa.select(EntryConflict)).all()
    assert note.insights == "phone" and note.base_version == 1


def test_responses_to_questionnaires_go_in_a_batch_too(api):
    response_id = new_id()
    measure = {"id": response_id, "kind": "measure", "method": "PUT", "base_version": None, "body": PHQ9}
    other_answers = {**measure, "body": {**PHQ9, "answers": [0] * 9}}
    answers = results(send(api, measure, measure, other_answers))
    assert [status for status, _ in answers] == [201, 200, 409]
    assert answers[0][1]["score"]["total"] == 11 and answers[1][1]["replayed"] is True
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureResponse)) == 1


def test_another_patients_entry_is_404_for_that_item_only(api, make_user):
    theirs = create_entry(make_user(PATIENT), insights="not yours")
    mine = new_id()
    answers = results(send(api, put(str(theirs.id), ENTRY, theirs.version), put(mine, ENTRY),
                           delete(new_id(), 1)))
    assert [status for status, _ in answers] == [404, 201, 404]
    db.session.expire_all()
    assert db.session.get(Entry, theirs.id).insights == "not yours"
    assert stored(mine) is not None


def test_malformed_items_are_refused_one_by_one(api):
    answers = results(send(api, {"id": "nope", "kind": "entry", "method": "PUT", "body": ENTRY},
                           {"id": new_id(), "kind": "measure", "method": "DELETE"},
                           put(new_id(), ENTRY, "three"), delete(new_id(), None), put(new_id(), ENTRY)))
    assert [status for status, _ in answers] == [400, 400, 400, 428, 201]
    assert answers[0][1]["message"] == "id must be a UUID."


def test_a_batch_needs_the_csrf_token(api):
    response = send(api, put(new_id(), ENTRY), headers={})
    assert response.status_code == 400 and response.get_json()["reason"] == "csrf"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_a_logged_out_batch_is_401(client):
    response = client.post("/api/v1/batch", json={"requests": []})
    assert response.status_code == 401


def test_too_many_items_are_refused_with_a_message(api):
    response = send(api, *[put(new_id(), ENTRY) for _ in range(MAX_ITEMS + 1)])
    assert response.status_code == 413
    assert f"at most {MAX_ITEMS}" in response.get_json()["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_a_batch_may_be_larger_than_one_entry_but_not_larger_than_its_limit(api):
    big = {**ENTRY, "insights": "\u00e9" * 19_000}  # 114 KB each sent \u-escaped: 5.7 MB in all
    answers = results(send(api, *[put(new_id(), big) for _ in range(MAX_ITEMS)]))
    assert {status for status, _ in answers} == {201}
    huge = {**ENTRY, "insights": "x" * 200_000}
    response = send(api, *[put(new_id(), huge) for _ in range(MAX_ITEMS)])
    assert response.status_code == 413 and "MB" in response.get_json()["message"]


def test_the_body_must_be_a_list_of_requests(api):
    response = api.client.post("/api/v1/batch", json={"entries": []}, headers=api.headers())
    assert response.status_code == 400


def test_a_batch_is_one_transaction(api):
    """One commit for the whole batch, and every item's SAVEPOINT inside it: SQLite's driver
    begins a transaction only before a write, and a SAVEPOINT outside one would be a
    transaction of its own, committed when the item is released."""
    commits, outside = [], []

    def on_commit(conn):
        commits.append(conn)

    def before_execute(conn, cursor, statement, *args):
        dbapi = conn.connection.dbapi_connection
        if statement.startswith("SAVEPOINT") and getattr(dbapi, "in_transaction", True) is False:
            outside.append(statement)

    sa.event.listen(db.engine, "commit", on_commit)
    sa.event.listen(db.engine, "before_cursor_execute", before_execute)
    try:
        answers = results(send(api, *[put(new_id(), ENTRY) for _ in range(5)]))
    finally:
        sa.event.remove(db.engine, "commit", on_commit)
        sa.event.remove(db.engine, "before_cursor_execute", before_execute)
    assert [status for status, _ in answers] == [201] * 5
    assert len(commits) == 1 and outside == []
