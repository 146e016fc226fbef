"""Questionnaires: recorded exactly once through the sync API and the plain form, scored by
the server, due on the protocol's timepoints, and every bad input a clear 4xx."""
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from journal.extensions import db
from journal.measures.models import MeasureResponse, SafetyPlan
from journal.timeutil import utcnow
from tests.factories import create_session
from tests.sync_client import SyncApi, new_id

PHQ9_MODERATE = [1, 1, 1, 1, 2, 2, 2, 1, 0]  # total 11
NOW = "2026-11-20T21:30:00+00:00"


@pytest.fixture
def api(patient_client):
    return SyncApi(patient_client)


def put_response(api, response_id, body):
    return api.client.put(f"/api/v1/measures/responses/{response_id}", json=body, headers=api.headers())


def responses_in_db():
    db.session.expire_all()
    return db.session.scalars(sa.select(MeasureResponse)).all()


def phq9(answers=PHQ9_MODERATE, **extra):
    return {"instrument": "phq9", "answers": answers, "completed_at": NOW, "dosing_session_id": None, **extra}


def test_a_response_is_recorded_and_scored_by_the_server(api):
    response = put_response(api, new_id(), phq9())
    assert response.status_code == 201
    body = response.get_json()
    assert body["score"]["total"] == 11 and body["score"]["band"] == "Moderate"
    assert body["score"]["flags"] == [] and body["replayed"] is False
    assert body["timepoint"] is None


def test_a_replay_after_a_lost_answer_records_nothing_new_and_answers_the_same(api):
    response_id = new_id()
    first = put_response(api, response_id, phq9())
    again = put_response(api, response_id, phq9())
    assert again.status_code == 200 and again.get_json()["replayed"] is True
    assert again.get_json()["score"] == first.get_json()["score"]
    assert len(responses_in_db()) == 1


def test_the_same_id_with_other_answers_is_a_conflict_not_an_overwrite(api):
    response_id = new_id()
    put_response(api, response_id, phq9())
    other = put_response(api, response_id, phq9([0] * 9))
    assert other.status_code == 409
    assert responses_in_db()[0].answers == PHQ9_MODERATE


def test_another_patients_response_id_is_not_found(api, make_user, app):
    response_id = new_id()
    put_response(api, response_id, phq9())
    other = make_user()
    client = app.test_client()
    client.login(other.email)
    assert put_response(SyncApi(client), response_id, phq9()).status_code == 404
    assert len(responses_in_db()) == 1


@pytest.mark.parametrize("body, field, words", [
    (phq9(PHQ9_MODERATE[:8]), "answers", "9 items; 8 answers"),
    (phq9([0, 0, 0, 0, 0, 0, 0, 0, 4]), "answers", "item 9"),
    (phq9(["0"] * 9), "answers", ""),
    ({**phq9(), "instrument": "bdi"}, "instrument", "Unknown instrument"),
    ({**phq9(), "completed_at": "yesterday"}, "completed_at", "ISO 8601"),
    ({**phq9(), "completed_at": "2026-11-20T21:30:00"}, "completed_at", "offset"),
    ({**phq9(), "completed_at": "2999-01-01T00:00:00+00:00"}, "completed_at", "future"),
    ({**phq9(), "dosing_session_id": "not-a-uuid"}, "dosing_session_id", "dosing session"),
    ({**phq9(), "dosing_session_id": 5}, "dosing_session_id", "dosing session"),
    ({**phq9(), "dosing_session_id": str(uuid.uuid4())}, "dosing_session_id", "not one of your"),
    ({"answers": PHQ9_MODERATE, "completed_at": NOW}, "instrument", "Required"),
    ({**phq9(), "mood": 3}, "body", "Unknown field"),
])
def test_bad_input_is_a_422_naming_the_problem(api, body, field, words):
    response = put_response(api, new_id(), body)
    assert response.status_code == 422
    messages = " ".join(response.get_json()["fields"][field])
    assert words in messages
    assert responses_in_db() == []


def test_the_instruments_are_listed_with_their_items(api):
    body = api.client.get("/api/v1/measures").get_json()
    by_id = {found["id"]: found for found in body["instruments"]}
    assert {"phq9", "gad7", "who5", "pcl5", "meq30"} <= set(by_id)
    assert by_id["phq9"]["items"][8]["text"].startswith("Thoughts that you would be better off dead")
    assert by_id["phq9"]["items"][0]["options"][1] == {"value": 1, "label": "Several days"}


def test_the_openapi_document_describes_the_measures_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "put" in paths["/measures/responses/{response_id}"] and "get" in paths["/measures"]


def test_phq9_item_9_above_zero_is_flagged(api):
    body = put_response(api, new_id(), phq9([0, 0, 0, 0, 0, 0, 0, 0, 1])).get_json()
    assert "phq9_item9" in body["score"]["flags"]
    assert responses_in_db()[0].safety_flag is True


def test_a_response_for_a_due_timepoint_is_scheduled(api, patient):
    session = create_session(patient, day=date.today() - timedelta(days=7))
    body = put_response(api, new_id(), phq9(completed_at=utcnow().isoformat(),
                                           dosing_session_id=str(session.id))).get_json()
    assert body["timepoint"] == "week1"


def test_a_response_outside_the_protocol_stays_self_started(api, patient):
    session = create_session(patient, day=date.today() - timedelta(days=60))
    body = put_response(api, new_id(), phq9(completed_at=utcnow().isoformat(),
                                           dosing_session_id=str(session.id))).get_json()
    assert body["timepoint"] is None


def test_the_journal_shows_what_is_due_after_a_session(patient_client, patient):
    create_session(patient, day=date.today() - timedelta(days=7))
    page = patient_client.get("/").get_data(as_text=True)
    assert "Day 7 after your Psilocybin session: 3 short questionnaires" in page


def test_a_filled_timepoint_is_no_longer_due(api, patient):
    session = create_session(patient, day=date.today() - timedelta(days=7))
    for instrument, answers in (("phq9", [0] * 9), ("gad7", [0] * 7), ("who5", [3] * 5)):
        put_response(api, new_id(), {"instrument": instrument, "answers": answers,
                                     "completed_at": utcnow().isoformat(), "dosing_session_id": str(session.id)})
    assert "short questionnaire" not in api.client.get("/").get_data(as_text=True)


def form_answers(answers, **extra):
    return {**{f"q{n}": str(value) for n, value in enumerate(answers, start=1)}, **extra}


def test_the_plain_form_records_once_on_a_double_tap(patient_client):
    page = patient_client.get("/measures/phq9/new").get_data(as_text=True)
    response_id = page.split('name="response_id" type="hidden" value="')[1].split('"')[0]
    for _ in range(2):
        answer = patient_client.submit("/measures/phq9/new", form_answers(PHQ9_MODERATE, response_id=response_id))
        assert answer.status_code == 302
    assert len(responses_in_db()) == 1


def test_the_plain_form_names_an_unanswered_question(patient_client):
    answer = patient_client.submit("/measures/phq9/new", form_answers(PHQ9_MODERATE[:8], response_id=new_id()))
    assert answer.status_code == 422
    assert "Answer question 9." in answer.get_data(as_text=True)
    assert responses_in_db() == []


def test_the_result_of_a_flagged_phq9_shows_the_safety_screen(patient_client):
    answer = patient_client.submit("/measures/phq9/new", form_answers([0] * 8 + [2], response_id=new_id()))
    page = patient_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "This journal is not monitored in real time." in page and "data-safety-screen" in page


def test_the_safety_plan_is_written_in_the_patients_words(patient_client, patient):
    answer = patient_client.submit("/safety-plan", {"warning_signs": "I stop answering messages",
                                                    "ask_for_help": "My sister, 07700 900123"})
    assert answer.status_code == 302
    db.session.expire_all()
    plan = db.session.get(SafetyPlan, patient.id)
    assert plan.warning_signs == "I stop answering messages" and plan.shared is False
    page = patient_client.get("/measures/phq9/new").get_data(as_text=True)
    assert "My sister, 07700 900123" in page  # on the (hidden) safety screen, for offline use


def test_a_too_long_safety_plan_section_is_refused_with_a_message(patient_client):
    answer = patient_client.submit("/safety-plan", {"warning_signs": "x" * 2001})
    assert answer.status_code == 422 and "under 2,000 characters" in answer.get_data(as_text=True)


def test_an_unknown_instrument_page_is_404(patient_client):
    assert patient_client.get("/measures/bdi/new").status_code == 404


def test_another_patients_result_is_404(api, make_user, app):
    response_id = new_id()
    put_response(api, response_id, phq9())
    other = make_user()
    client = app.test_client()
    client.login(other.email)
    assert client.get(f"/measures/responses/{response_id}").status_code == 404
