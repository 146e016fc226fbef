"""An entry changed on two devices: the device that synced first is told too, and where to compare."""
import sqlalchemy as sa

from journal.entries.conflicts import remember_conflict
from journal.entries.models import ChangeCounter, Entry, EntryConflict
from journal.entries.service import list_entries
from journal.extensions import db
from tests.conftest import PASSWORD
from tests.sync_client import SyncApi, new_id

ENTRY = {"insights": "Written before the weekend.", "mood": 6}
NOTICE = "This entry was changed on another device"


def open_conflicts():
    db.session.expire_all()
    return db.session.scalars(sa.select(EntryConflict)).all()


def two_devices(app, patient):
    first, second = app.test_client(), app.test_client()
    for device in (first, second):
        assert device.login(patient.email, PASSWORD).status_code == 302
    return SyncApi(first), SyncApi(second)


def conflict_between(app, patient):
    """The phone saves first (version 2); the tablet, still on version 1, is refused."""
    phone, tablet = two_devices(app, patient)
    entry_id = new_id()
    assert phone.put(entry_id, ENTRY).status_code == 201
    assert phone.put(entry_id, {**ENTRY, "insights": "Edited on the phone."}, base_version=1).status_code == 200
    refused = tablet.put(entry_id, {**ENTRY, "insights": "Edited on the tablet.", "mood": 3}, base_version=1)
    assert refused.status_code == 409
    return phone, tablet, entry_id


def test_a_refused_sync_is_remembered_with_its_copy_and_changes_nothing_else(app, patient):
    _, _, entry_id = conflict_between(app, patient)
    [noted] = open_conflicts()
    assert (str(noted.entry_id), noted.base_version, noted.current_version) == (entry_id, 1, 2)
    assert (noted.insights, noted.mood) == ("Edited on the tablet.", 3)
    entry = db.session.get(Entry, noted.entry_id)
    assert entry.insights == "Edited on the phone." and entry.version == 2
    # The refused write took no change number: the changes feed has nothing new to send.
    assert db.session.scalar(sa.select(ChangeCounter.last_seq)) == entry.change_seq


def test_the_device_that_synced_first_shows_the_notice_and_both_versions(app, patient):
    phone, _, entry_id = conflict_between(app, patient)
    journal = phone.client.get("/").get_data(as_text=True)
    assert "Changed on another device too" in journal and f"/entries/{entry_id}/conflict" in journal
    page = phone.client.get(f"/entries/{entry_id}").get_data(as_text=True)
    assert NOTICE in page and "Compare both versions" in page
    compare = phone.client.get(f"/entries/{entry_id}/conflict").get_data(as_text=True)
    assert "Edited on the phone." in compare and "Edited on the tablet." in compare


def test_saving_again_on_the_current_version_settles_it_on_every_device(app, patient):
    phone, tablet, entry_id = conflict_between(app, patient)
    merged = {**ENTRY, "insights": "Edited on the phone. Edited on the tablet."}
    assert tablet.put(entry_id, merged, base_version=2).status_code == 200
    assert open_conflicts() == []
    assert NOTICE not in phone.client.get(f"/entries/{entry_id}").get_data(as_text=True)
    assert phone.client.get(f"/entries/{entry_id}/conflict").status_code == 302


def test_keeping_the_saved_version_settles_it_from_either_device(app, patient):
    phone, tablet, entry_id = conflict_between(app, patient)
    assert phone.client.submit(f"/entries/{entry_id}/conflict/keep-saved").status_code == 302
    assert open_conflicts() == []
    assert tablet.put(entry_id, {**ENTRY, "insights": "Again, on version 1."}, base_version=1).status_code == 409
    assert tablet.client.delete(f"/api/v1/entries/{entry_id}/conflict", headers=tablet.headers()).status_code == 204
    assert open_conflicts() == []


def test_a_second_refusal_replaces_the_first(app, patient):
    _, tablet, entry_id = conflict_between(app, patient)
    assert tablet.put(entry_id, {**ENTRY, "insights": "Tried once more."}, base_version=1).status_code == 409
    [noted] = open_conflicts()
    assert noted.insights == "Tried once more." and noted.mood == 6


def test_a_conflict_on_the_edit_form_is_remembered_too(app, patient_client, patient):
    api = SyncApi(patient_client)
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    api.put(entry_id, {**ENTRY, "insights": "Edited on the phone."}, base_version=1)
    form = {"base_version": "1", "insights": "Edited in the browser.", "mood": "4"}
    assert patient_client.submit(f"/entries/{entry_id}/edit", form).status_code == 409
    [noted] = open_conflicts()
    assert (noted.insights, noted.mood, noted.base_version) == ("Edited in the browser.", 4, 1)


def test_conflicts_are_listed_only_for_their_owner(app, patient, make_user):
    _, _, entry_id = conflict_between(app, patient)
    other = make_user()
    [noted] = open_conflicts()
    flagged = {card.id for card in list_entries(patient.id, per_page=20).entries if card.conflicted}
    assert flagged == {noted.entry_id}
    assert not any(card.conflicted for card in list_entries(other.id, per_page=20).entries)
    entry = db.session.get(Entry, noted.entry_id)
    remember_conflict(entry, base_version=None, device="x" * 200, insights="", mood=None)
    db.session.commit()
    assert len(open_conflicts()[0].device) == 80


def test_the_refused_copy_is_in_the_patients_export(app, patient):
    phone, _, entry_id = conflict_between(app, patient)
    [exported] = phone.client.get("/account/export").get_json()["entries"]
    assert exported["insights"] == "Edited on the phone."
    assert exported["other_device_copy"]["insights"] == "Edited on the tablet."
    assert exported["other_device_copy"]["based_on_version"] == 1
