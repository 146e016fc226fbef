"""Two devices of one patient, driven at random against the real sync API.

Each device runs the outbox protocol of static/js/outbox.js: several entries on the wire
at once, settled in any order, one request at a time per entry, the exact in-flight
request replayed before anything newer, an item leaves only after the server
confirmed it, a 409 keeps the patient's copy as a surfaced conflict. Devices go offline,
lose responses after the server committed, and edit while a request is in flight.
Afterwards the server must hold exactly what the model says: every write confirmed
once or surfaced as a conflict, nothing lost, nothing duplicated, nothing applied twice.
The model also keeps the server's history as the answers told it (which write made
which version, from which text the patient was editing) and checks that no
acknowledged text was replaced by a write whose author never saw it: a lost update.
"""
import itertools
import uuid

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from journal.auth.models import PATIENT, User
from journal.auth.passwords import hash_password
from journal.entries.models import Entry
from journal.extensions import db
from tests.conftest import PASSWORD
from tests.sync_client import SyncApi

settings.register_profile("sync-machine", max_examples=200, stateful_step_count=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("sync-machine")

DEVICES = st.sampled_from([0, 1])


class Write:
    """One thing the patient did on a device; ``state`` follows it to its end."""

    counter = itertools.count()

    def __init__(self, entry_id, op, mood=None, derived_from=None):
        self.entry_id, self.op = entry_id, op
        self.insights = f"write {next(self.counter)}" if op == "put" else None
        self.mood = mood
        #: What the patient was looking at when they made this write: their own earlier
        #: write still waiting on the device (a Write), a server copy's text, or None.
        self.derived_from = derived_from
        self.sent_base = None
        #: The version the server said this write made, and the text of that version.
        self.produced, self.produced_text = None, None
        self.state = "pending"  # → confirmed | conflicted | superseded (replaced on the device)

    def payload(self):
        return {"insights": self.insights, "mood": self.mood, "emotions": ["clarity"],
                "action_steps": [{"id": None, "text": f"step for {self.insights}"}]}


class Device:
    def __init__(self, client):
        self.api = SyncApi(client)
        self.online = True
        self.outbox: dict[str, dict] = {}  # insertion order = oldest first
        self.known: dict[str, dict] = {}  # server copies this device has seen
        self.conflicts: list[tuple[str, Write, dict | None]] = []
        self.cursor = None


class TwoDevices(RuleBasedStateMachine):
    def __init__(self, app):
        super().__init__()
        self.app = app
        user = User(email=f"machine-{uuid.uuid4().hex}@example.org", display_name="Sam", role=PATIENT,
                    timezone="UTC", password_hash=hash_password(PASSWORD))
        db.session.add(user)
        db.session.commit()
        self.user_id = user.id
        self.devices = []
        for _ in range(2):
            client = app.test_client()
            assert client.login(user.email).status_code == 302
            self.devices.append(Device(client))
        self.writes: list[Write] = []
        self.created: list[str] = []  # creation order keeps draws reproducible (ids are random)

    # -- what the patient does ------------------------------------------------------

    def _queue(self, device: Device, write: Write, base_version):
        item = device.outbox.get(write.entry_id)
        if item is None:
            device.outbox[write.entry_id] = {"write": write, "base": base_version, "inflight": None}
            return
        if item["write"] is not write and (item["inflight"] is None or item["inflight"][0] is not item["write"]):
            item["write"].state = "superseded"  # never sent: the patient replaced their own text
        item["write"] = write

    # A few entries, many things done to them: that is where replays and conflicts live.
    @precondition(lambda self: len(self.created) < 3)
    @rule(d=DEVICES, mood=st.integers(1, 10))
    def create(self, d, mood):
        write = Write(str(uuid.uuid4()), "put", mood)
        self.writes.append(write)
        self.created.append(write.entry_id)
        self._queue(self.devices[d], write, None)

    @staticmethod
    def _seen_text(device, entry_id):
        """What the patient sees for the entry on this device: their own waiting write if
        there is one, else the text of the device's copy of the server's."""
        item = device.outbox.get(entry_id)
        if item is not None and item["write"].op == "put":
            return item["write"]
        return device.known[entry_id]["insights"]

    def _editable(self, device):
        ids = {i for i, item in device.outbox.items() if item["write"].op == "put"}
        ids |= {i for i, copy in device.known.items() if not copy["deleted"] and i not in device.outbox}
        return sorted(ids, key=self.created.index)

    @rule(d=DEVICES, mood=st.integers(1, 10), data=st.data())
    def edit(self, d, mood, data):
        device = self.devices[d]
        ids = self._editable(device)
        if not ids:
            return
        entry_id = data.draw(st.sampled_from(ids))
        write = Write(entry_id, "put", mood, derived_from=self._seen_text(device, entry_id))
        self.writes.append(write)
        base = device.known[entry_id]["version"] if entry_id not in device.outbox else None
        self._queue(device, write, base)

    @rule(moods=st.tuples(st.integers(1, 10), st.integers(1, 10)), data=st.data())
    def edit_on_both_devices(self, moods, data):
        """The same entry changed on the phone and the laptop before either synced."""
        shared = [i for i in self._editable(self.devices[0]) if i in self._editable(self.devices[1])]
        if not shared:
            return
        entry_id = data.draw(st.sampled_from(shared))
        for device, mood in zip(self.devices, moods):
            write = Write(entry_id, "put", mood, derived_from=self._seen_text(device, entry_id))
            self.writes.append(write)
            base = device.known[entry_id]["version"] if entry_id not in device.outbox else None
            self._queue(device, write, base)

    @rule(d=DEVICES, data=st.data())
    def delete(self, d, data):
        device = self.devices[d]
        ids = sorted((i for i, c in device.known.items() if not c["deleted"] and i not in device.outbox),
                     key=self.created.index)
        if not ids:
            return
        entry_id = data.draw(st.sampled_from(ids))
        write = Write(entry_id, "delete", derived_from=self._seen_text(device, entry_id))
        self.writes.append(write)
        self._queue(device, write, device.known[write.entry_id]["version"])

    @rule(d=DEVICES)
    def toggle_network(self, d):
        self.devices[d].online = not self.devices[d].online

    @rule(d=DEVICES, lose_response=st.booleans(), data=st.data())
    def sync(self, d, lose_response, data):
        # Several entries are on the wire at once: their answers come in any order.
        device = self.devices[d]
        order = data.draw(st.permutations(sorted(device.outbox, key=self.created.index)))
        self._sync(device, lose_response, order)

    @rule(d=DEVICES)
    def pull(self, d):
        device = self.devices[d]
        if device.online:
            changes, device.cursor = device.api.all_changes(device.cursor)
            for copy in changes:
                device.known[copy["id"]] = copy

    # -- the outbox protocol (static/js/outbox.js) ------------------------------------

    def _sync(self, device: Device, lose_response=False, order=None):
        for entry_id in list(device.outbox) if order is None else order:
            item = device.outbox[entry_id]
            if item["inflight"] is None:
                item["inflight"] = (item["write"], item["base"])
            write, base = item["inflight"]
            write.sent_base = base
            if not device.online:
                return  # fetch fails before reaching the server
            if write.op == "put":
                response = device.api.put(entry_id, write.payload(), base_version=base)
            else:
                response = device.api.delete(entry_id, base_version=base)
            if lose_response:
                return  # the server committed; the device saw a network error
            self._settle(device, entry_id, item, response)
        if device.online:
            self.pull(self.devices.index(device))  # app.js pulls changes after a clean sync

    def _settle(self, device, entry_id, item, response):
        write, _ = item["inflight"]
        body = response.get_json()
        assert response.status_code in (200, 201, 409), (response.status_code, body)
        if response.status_code == 409:
            # The patient's newest text on this device is what they keep as the copy;
            # an older in-flight text they had already replaced is superseded by it.
            write.state = "conflicted" if item["write"] is write else "superseded"
            item["write"].state = "conflicted"
            device.conflicts.append((entry_id, item["write"], body["current"]))
            if body["current"]:
                device.known[entry_id] = body["current"]
            del device.outbox[entry_id]
            return
        write.state = "confirmed"
        write.produced, write.produced_text = body["entry"]["version"], body["entry"]["insights"]
        device.known[entry_id] = body["entry"]
        if item["write"] is write:
            del device.outbox[entry_id]
        else:
            item["inflight"] = None
            item["base"] = body["entry"]["version"]

    # -- the end: everyone online, everything synced, compare with the model ----------

    def teardown(self):
        for device in self.devices:
            device.online = True
        for _ in range(4):
            for device in self.devices:
                self._sync(device)
        for device in self.devices:
            assert device.outbox == {}, "an outbox never emptied"

        server = {str(e.id): e for e in db.session.scalars(
            sa.select(Entry).where(Entry.owner_id == self.user_id).execution_options(populate_existing=True))}
        assert set(server) == set(self.created), "entries lost or invented"

        surfaced = {id(w) for device in self.devices for _, w, _ in device.conflicts}
        for write in self.writes:
            assert write.state in ("confirmed", "conflicted", "superseded"), write.state
            if write.state == "conflicted":
                assert id(write) in surfaced, "a conflict was not surfaced"

        for entry_id, entry in server.items():
            confirmed = [w for w in self.writes if w.entry_id == entry_id and w.state == "confirmed"]
            # Each confirmed write bumped the version exactly once: nothing applied twice.
            # (Two devices sending the very same request, e.g. "delete version 2", is one
            # write: the server answers the second as a replay of the first.)
            distinct = {(w.op, w.insights, w.sent_base) for w in confirmed}
            assert entry.version == len(distinct), (entry.version, len(distinct))
            puts = [w for w in confirmed if w.op == "put"]
            assert entry.insights in {w.insights for w in puts}
            assert [s.text for s in entry.action_steps] == [f"step for {entry.insights}"]
            if entry.deleted_at is not None:
                assert any(w.op == "delete" for w in confirmed)
            self._no_lost_update(entry_id, confirmed)

    @staticmethod
    def _server_text_seen(write):
        """The server text the patient had in front of them, through their own waiting
        writes that never reached the server (each was typed over the one before)."""
        seen = write.derived_from
        while isinstance(seen, Write):
            if seen.state == "confirmed":
                return seen.insights
            seen = seen.derived_from
        return seen

    def _no_lost_update(self, entry_id, confirmed):
        """Each version was made by one write, on the version before it, and whoever
        replaced an acknowledged text had seen that text."""
        made_by = {}
        for write in confirmed:
            made = made_by.setdefault(write.produced, write)
            assert (made.op, made.insights, made.sent_base) == (write.op, write.insights, write.sent_base), \
                f"two different writes were both told they made version {write.produced}"
            assert write.produced == (write.sent_base or 0) + 1, \
                f"a write on version {write.sent_base} was told it made version {write.produced}"
        for version, write in made_by.items():
            successor = made_by.get(version + 1)
            if successor is not None:
                seen = self._server_text_seen(successor)
                assert seen == write.produced_text, (
                    f"lost update on {entry_id}: version {version} ({write.produced_text!r}) was "
                    f"replaced by a write made from {seen!r}")


def test_two_devices_sync_to_exactly_what_the_patient_wrote(app):
    run_state_machine_as_test(lambda: TwoDevices(app), settings=PROFILE)
