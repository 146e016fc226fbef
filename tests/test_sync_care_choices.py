"""The sync API carries the entry form's care choices: who to share with, which prompt it answers."""
import uuid

import pytest
import sqlalchemy as sa

from journal.auth.models import PATIENT, THERAPIST
from journal.care.models import Share
from journal.entries.models import Entry
from journal.extensions import db
from journal.care.models import ReflectionPrompt
from tests.factories import create_link
from tests.sync_client import SyncApi, new_id

ENTRY = {"insights": "The river was grief.", "mood": 7}


@pytest.fixture
def api(patient_client):
    return SyncApi(patient_client)


@pytest.fixture
def linked(patient, therapist):
    create_link(patient, therapist)
    return therapist


def shared_with(entry_id) -> set[uuid.UUID]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Share.therapist_id).where(Share.entry_id == uuid.UUID(entry_id))))


def give_prompt(therapist, patient) -> ReflectionPrompt:
    prompt = ReflectionPrompt(therapist_id=therapist.id, patient_id=patient.id, text="What did the grief want?")
    db.session.add(prompt)
    db.session.commit()
    return prompt


def test_a_new_entry_is_shared_and_answers_its_prompt_in_the_same_write(api, patient, linked):
    prompt = give_prompt(linked, patient)
    entry_id = new_id()
    response = api.put(entry_id, {**ENTRY, "share_with": [str(linked.id)], "answers_prompt": str(prompt.id)})
    assert response.status_code == 201
    assert shared_with(entry_id) == {linked.id}
    prompt = db.session.get(ReflectionPrompt, prompt.id)
    assert prompt.answered_at is not None and str(prompt.answer_entry_id) == entry_id


def test_without_share_with_the_sharing_is_left_alone_and_an_empty_list_unshares(api, linked):
    entry_id = new_id()
    api.put(entry_id, {**ENTRY, "share_with": [str(linked.id)]})
    assert api.put(entry_id, {**ENTRY, "insights": "edited"}, base_version=1).status_code == 200
    assert shared_with(entry_id) == {linked.id}
    assert api.put(entry_id, {**ENTRY, "share_with": []}, base_version=2).status_code == 200
    assert shared_with(entry_id) == set()


def test_entries_stay_private_by_default(api, linked):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    assert shared_with(entry_id) == set()


@pytest.mark.parametrize("who", ["not linked", "link ended", "a patient", "nobody"])
def test_sharing_outside_the_care_team_is_422_and_nothing_is_written(api, patient, linked, make_user, who):
    if who == "nobody":
        stranger_id = uuid.uuid4()
    else:
        stranger = make_user(PATIENT if who == "a patient" else THERAPIST)
        if who == "link ended":
            create_link(patient, stranger, ended=True)
        stranger_id = stranger.id
    entry_id = new_id()
    response = api.put(entry_id, {**ENTRY, "share_with": [str(linked.id), str(stranger_id)]})
    assert response.status_code == 422
    assert list(response.get_json()["fields"]) == ["share_with"]
    assert db.session.get(Entry, uuid.UUID(entry_id)) is None
    assert shared_with(entry_id) == set()


@pytest.mark.parametrize("body, field", [
    ({"share_with": "all"}, "share_with"),
    ({"share_with": [1]}, "share_with"),
    ({"share_with": ["not-an-id"]}, "share_with"),
    ({"share_with": None}, "share_with"),
    ({"answers_prompt": "prompt 1"}, "answers_prompt"),
    ({"answers_prompt": ["x"]}, "answers_prompt"),
    ({"answers_prompt": 5, "mood": 11}, "answers_prompt"),
])
def test_care_choices_of_the_wrong_type_are_422_for_that_field(api, body, field):
    response = api.put(new_id(), {**ENTRY, **body})
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_entry_errors_and_sharing_errors_come_together(api):
    response = api.put(new_id(), {**ENTRY, "mood": 11, "share_with": [str(uuid.uuid4())]})
    assert response.status_code == 422
    assert {"mood", "share_with"} <= set(response.get_json()["fields"])


def test_a_prompt_no_longer_open_never_loses_the_entry(api, patient, linked, make_user):
    """Saved offline, synced later: the prompt may have been answered or belong to nobody
    here any more. The entry is saved all the same and no other prompt changes."""
    answered = give_prompt(linked, patient)
    api.put(new_id(), {**ENTRY, "answers_prompt": str(answered.id)})
    foreign = give_prompt(linked, make_user(PATIENT))
    for prompt_id in (answered.id, foreign.id, uuid.uuid4()):
        assert api.put(new_id(), {**ENTRY, "answers_prompt": str(prompt_id)}).status_code == 201
    db.session.expire_all()
    assert db.session.get(ReflectionPrompt, foreign.id).answered_at is None


def test_a_replay_answers_as_before_even_after_the_therapist_left(api, patient, linked):
    """The response was lost; meanwhile the link ended. The replay must not turn a write
    the server applied into a validation error."""
    entry_id = new_id()
    body = {**ENTRY, "share_with": [str(linked.id)]}
    assert api.put(entry_id, body).status_code == 201
    from journal.care.service import active_link_between, end_link
    end_link(active_link_between(patient.id, linked.id), patient)
    again = api.put(entry_id, body)
    assert again.status_code == 201 and again.get_json()["replayed"] is True
    assert shared_with(entry_id) == set()


def test_a_conflicting_write_changes_no_sharing(api, linked):
    entry_id = new_id()
    api.put(entry_id, ENTRY)
    api.put(entry_id, {**ENTRY, "insights": "other device"}, base_version=1)
    response = api.put(entry_id, {**ENTRY, "share_with": [str(linked.id)]}, base_version=1)
    assert response.status_code == 409
    assert shared_with(entry_id) == set()


def test_the_old_choices_endpoint_is_gone(patient_client):
    assert patient_client.submit(f"/care/entries/{uuid.uuid4()}/choices", {"share_choice": "1"}).status_code == 404
