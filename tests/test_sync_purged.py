"""Entries deleted for good reach other devices: purge tombstones in the changes feed."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from journal.auth.models import PATIENT
from journal.entries.models import Entry, PurgedEntry
from journal.entries.writes import purge_entries
from journal.extensions import db
from journal.timeutil import utcnow
from tests.factories import create_entry
from tests.sync_client import SyncApi, new_id

ENTRY = {"insights": "The river was grief.", "mood": 7}


@pytest.fixture
def api(patient_client):
    return SyncApi(patient_client)


def trashed(api) -> str:
    """An entry of the patient's, made through the API and moved to the Trash (version 2)."""
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    api.delete(entry_id, base_version=1)
    return entry_id


def purged_ids(changes) -> list[str]:
    return [c["id"] for c in changes if c.get("purged")]


def purge_in_trash_page(api, entry_id):
    return api.client.submit(f"/trash/{entry_id}/purge")


def empty_trash(api, entry_id):
    return api.client.submit("/trash/empty")


def expire_then_open_trash(api, entry_id):
    db.session.get(Entry, uuid.UUID(entry_id)).deleted_at = utcnow() - timedelta(days=31)
    db.session.commit()
    return api.client.get("/trash")


def expire_then_run_the_daily_command(api, entry_id):
    db.session.get(Entry, uuid.UUID(entry_id)).deleted_at = utcnow() - timedelta(days=31)
    db.session.commit()
    result = api.client.application.test_cli_runner().invoke(args=["purge-trash"])
    assert "Purged 1 entries." in result.output
    return result


@pytest.mark.parametrize("purge", [purge_in_trash_page, empty_trash, expire_then_open_trash,
                                   expire_then_run_the_daily_command])
def test_every_way_of_deleting_for_good_tells_other_devices(api, purge):
    entry_id = trashed(api)
    _, cursor = api.all_changes()
    purge(api, entry_id)
    db.session.expire_all()
    assert db.session.get(Entry, uuid.UUID(entry_id)) is None
    changes, _ = api.all_changes(cursor)
    [change] = [c for c in changes if c["id"] == entry_id]
    assert change["purged"] is True and change["deleted"] is True
    assert set(change) == {"id", "purged", "deleted", "purged_at", "updated_at"}, "no text survives"


def test_a_device_that_never_pulled_sees_only_the_purge(api):
    entry_id = trashed(api)
    api.client.submit(f"/trash/{entry_id}/purge")
    changes, _ = api.all_changes()
    assert changes == [{"id": entry_id, "purged": True, "deleted": True,
                        "purged_at": changes[0]["purged_at"], "updated_at": changes[0]["purged_at"]}]


def test_changes_feed_pages_through_entries_and_purges_in_one_order(api, patient):
    """Live entries and purges interleave in the order their writes committed (whatever
    their timestamps say); a page of one at a time still brings each change exactly
    once and in the same order as one big page."""
    start = utcnow() - timedelta(hours=1)
    for n in range(6):
        entry = create_entry(patient, insights=f"entry {n}")
        entry.updated_at = start + timedelta(minutes=n)
        db.session.commit()
        if n % 2:
            purge_entries(entry.owner_id, [entry])
            db.session.commit()
            db.session.get(PurgedEntry, entry.id).purged_at = start + timedelta(minutes=n)
            db.session.commit()
    twin = create_entry(patient, insights="same moment as a purge")
    twin.updated_at = start + timedelta(minutes=3)
    db.session.commit()

    whole = api.changes(limit=100).get_json()["entries"]
    one_by_one, since = [], None
    while True:
        body = api.changes(since=since, limit=1).get_json()
        one_by_one += body["entries"]
        since = body["next"]
        if not body["has_more"]:
            break
    assert [c["id"] for c in one_by_one] == [c["id"] for c in whole]
    assert len(whole) == 7 and len({c["id"] for c in whole}) == 7
    assert len(purged_ids(whole)) == 3
    assert whole[-1]["id"] == str(twin.id), "the last write comes last, though stamped earlier"


def test_another_patients_purged_id_is_404_and_never_taken(api, make_user):
    other = make_user(PATIENT)
    theirs = create_entry(other, insights="theirs", deleted=True)
    purge_entries(theirs.owner_id, [theirs])
    db.session.commit()
    assert api.put(str(theirs.id), ENTRY).status_code == 404
    assert api.put(str(theirs.id), ENTRY, base_version=2).status_code == 404
    assert api.delete(str(theirs.id), base_version=2).status_code == 404
    db.session.expire_all()
    assert db.session.get(Entry, theirs.id) is None
    assert db.session.get(PurgedEntry, theirs.id).owner_id == other.id
    assert api.changes().get_json()["entries"] == []


def test_an_unsynced_edit_of_an_entry_purged_elsewhere_brings_it_back(api):
    """Never lose words: the device's waiting edit recreates the entry, and the purge
    tombstone gives way to the entry in the feed."""
    entry_id = trashed(api)
    api.client.submit(f"/trash/{entry_id}/purge")
    _, cursor = api.all_changes()
    response = api.put(entry_id, {**ENTRY, "insights": "written on the train"}, base_version=2)
    assert response.status_code == 201
    assert response.get_json()["entry"]["insights"] == "written on the train"
    assert db.session.get(PurgedEntry, uuid.UUID(entry_id)) is None
    changes, _ = api.all_changes(cursor)
    assert [(c["id"], c.get("purged", False), c["deleted"]) for c in changes] == [(entry_id, False, False)]
    assert [c["id"] for c in api.all_changes()[0]] == [entry_id]


def test_an_entry_purged_twice_keeps_one_tombstone(api):
    entry_id = trashed(api)
    api.client.submit(f"/trash/{entry_id}/purge")
    api.put(entry_id, ENTRY)
    api.delete(entry_id, base_version=1)
    assert api.client.submit(f"/trash/{entry_id}/purge").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PurgedEntry)) == 1
    assert purged_ids(api.all_changes()[0]) == [entry_id]


def test_a_waiting_delete_of_a_purged_entry_is_404(api):
    entry_id = trashed(api)
    api.client.submit(f"/trash/{entry_id}/purge")
    assert api.delete(entry_id, base_version=2).status_code == 404


def test_deleting_the_account_removes_its_purge_tombstones(app, api, patient):
    entry_id = trashed(api)
    api.client.submit(f"/trash/{entry_id}/purge")
    db.session.delete(db.session.get(type(patient), patient.id))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PurgedEntry)) == 0


def test_openapi_documents_purge_tombstones(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "PurgedEntry" in doc["components"]["schemas"]
    items = doc["paths"]["/entries"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "properties"]["entries"]["items"]
    assert {"$ref": "#/components/schemas/PurgedEntry"} in items["oneOf"]


def test_a_feed_page_asks_for_entries_and_purges_in_one_statement(api, patient, count_queries):
    """The login, the changes (entries and purges together) and the entries' steps: one
    round trip fewer than asking the two streams apart, whatever the page holds."""
    for n in range(4):
        entry = create_entry(patient, insights=f"entry {n}", steps=["a step"])
        if n % 2:
            purge_entries(entry.owner_id, [entry])
        db.session.commit()
    with count_queries() as statements:
        changes = api.changes(limit=100).get_json()["entries"]
    assert len(changes) == 4 and len(purged_ids(changes)) == 2
    assert [c["action_steps"][0]["text"] for c in changes if not c.get("purged")] == ["a step", "a step"]
    assert len(statements) == 3, "\n".join(s[:90] for s in statements)
