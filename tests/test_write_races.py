"""Races between two requests of one patient, settled by the database (real threads,
real transactions): double taps, two tabs, two devices, two app hosts."""
import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from journal.api.payload import to_formdata
from journal.entries.forms import EntryForm
from journal.entries.models import Entry
from journal.entries.writes import Prefill, SaveContent, fingerprint, write_entry
from journal.extensions import db
from tests.concurrency import InThread, twin_write
from tests.factories import create_entry
from tests.sync_client import SyncApi, new_id

ENTRY = {"insights": "The river was grief.", "mood": 7, "emotions": ["grief"]}


def entries_of(patient):
    db.session.expire_all()
    return db.session.scalars(sa.select(Entry).where(Entry.owner_id == patient.id)).all()


def test_two_saves_on_one_base_version_cannot_both_win(patient_client, patient):
    """Every UPDATE carries WHERE version = base: a session holding the old row loses."""
    api = SyncApi(patient_client)
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    with Session(db.engine) as other_session:
        stale = other_session.get(Entry, uuid.UUID(entry_id))
        api.put(entry_id, {**ENTRY, "insights": "first"}, base_version=1)
        stale.insights = "second"
        stale.version += 1
        try:
            other_session.commit()
            raise AssertionError("a stale save was committed")
        except sa.orm.exc.StaleDataError:
            pass
    assert entries_of(patient)[0].insights == "first"


def test_the_same_create_arriving_twice_at_once_is_a_replay_not_a_conflict(app, patient_client, patient):
    """Two tabs replay one outbox item together: the second waits for the first, then
    finds its receipt and answers as a replay."""
    api = SyncApi(patient_client)
    entry_id = uuid.UUID(new_id())

    def first_tab():
        form = EntryForm(formdata=to_formdata(ENTRY), meta={"csrf": False}, tz_name="UTC")
        write_entry(patient.id, entry_id, SaveContent(form), base_version=None,
                    print_=fingerprint("PUT", entry_id, None, ENTRY))

    with twin_write(app, first_tab):
        second_tab = InThread(lambda: api.put(entry_id, ENTRY))
        assert second_tab.still_waiting(), "the second write did not wait for the first"
    response = second_tab.result()
    assert response.status_code == 201 and response.get_json()["replayed"] is True
    assert len(entries_of(patient)) == 1


def test_an_html_save_racing_another_device_is_refused_not_merged(app, patient_client, patient):
    """Case 2's race: the web form goes through the same version check; losing is the
    conflict page with both texts, and the other device's words stay."""
    entry = create_entry(patient, insights="before")
    entry_id, version = entry.id, entry.version
    token = patient_client.csrf_token()

    def other_device():
        write_entry(patient.id, entry_id, Prefill({"insights": "the other device"}), base_version=version)

    with twin_write(app, other_device):
        save = InThread(lambda: patient_client.post(f"/entries/{entry_id}/edit", data={
            "csrf_token": token, "insights": "this device", "mood": "5", "base_version": str(version)}))
        assert save.still_waiting()
    response = save.result()
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed on another device" in page and "the other device" in page and "this device" in page
    assert entries_of(patient)[0].insights == "the other device"


def test_a_change_still_in_flight_when_a_device_pulls_is_not_skipped(app, patient_client, patient):
    """Case 13: a write on a host whose clock is a minute behind takes its time to
    commit; meanwhile another write commits and a device pulls. The device's next pull
    still brings the slow one: the feed's order is the database's, not the clocks'."""
    api = SyncApi(patient_client)
    api.put(new_id(), ENTRY)
    _, cursor = api.all_changes()
    slow_id = uuid.uuid4()

    def slow_host():
        result = write_entry(patient.id, slow_id, Prefill({**ENTRY, "insights": "slow host"}))
        result.entry.updated_at -= timedelta(seconds=60)  # that host's clock is behind

    with twin_write(app, slow_host):
        fast = InThread(lambda: api.put(new_id(), {**ENTRY, "insights": "fast host"}))
        fast.still_waiting(0.3)
        seen, cursor = api.all_changes(cursor)
    assert fast.result().status_code == 201
    later, _ = api.all_changes(cursor)
    received = {c["insights"] for c in seen + later}
    assert {"slow host", "fast host"} <= received
