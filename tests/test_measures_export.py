"""Questionnaire responses and the safety plan leave with the patient: in the JSON export and
as FHIR R4 QuestionnaireResponses with Observations, checked by SMART on FHIR's R4 models."""
import json
from datetime import timedelta

import pytest
from fhirclient.models.bundle import Bundle

from journal.extensions import db
from journal.measures.models import SafetyPlan
from journal.privacy.fhir import fhir_bundle
from journal.timeutil import utcnow
from tests.factories import create_link, create_response, create_session, share_response

PHQ9 = [1, 1, 1, 1, 2, 2, 2, 1, 0]  # total 11


def test_json_export_carries_every_response_and_the_safety_plan(patient_client, patient, therapist):
    create_link(patient, therapist)
    session = create_session(patient)
    scheduled = create_response(patient, "phq9", PHQ9, dosing_session=session, timepoint="baseline")
    private = create_response(patient, "who5", [3] * 5, timepoint=None)
    share_response(private, therapist)
    db.session.add(SafetyPlan(owner_id=patient.id, warning_signs="Not sleeping", shared=True))
    db.session.commit()
    data = patient_client.get("/account/export").get_json()
    by_id = {m["id"]: m for m in data["measures"]}
    phq9 = by_id[str(scheduled.id)]
    assert phq9["instrument"] == "phq9" and phq9["answers"] == PHQ9
    assert phq9["dosing_session_id"] == str(session.id) and phq9["timepoint"] == "baseline"
    assert phq9["score"]["total"] == 11 and phq9["completed_at"]
    assert by_id[str(private.id)]["shared_with"] == [therapist.display_name]
    assert data["safety_plan"]["warning_signs"] == "Not sleeping" and data["safety_plan"]["shared"] is True


def test_json_export_without_a_safety_plan(patient_client):
    data = patient_client.get("/account/export").get_json()
    assert data["measures"] == [] and data["safety_plan"] is None


def fhir_download(client):
    response = client.get("/account/export/fhir")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert "attachment" in response.headers["Content-Disposition"]
    return json.loads(response.get_data(as_text=True))


def test_fhir_export_is_a_valid_r4_bundle(patient_client, patient):
    now = utcnow()
    create_response(patient, "phq9", PHQ9, completed_at=now - timedelta(days=2))
    create_response(patient, "gad7", [1] * 7, completed_at=now - timedelta(days=1))
    create_response(patient, "who5", [3] * 5, completed_at=now, timepoint=None)
    create_response(patient, "meq30", [2] * 30, completed_at=now)
    document = fhir_download(patient_client)
    bundle = Bundle(document, strict=True)  # raises on any structural error
    assert bundle.type == "collection"
    kinds = [entry.resource.resource_type for entry in bundle.entry]
    assert kinds.count("QuestionnaireResponse") == 4 and kinds.count("Observation") == 4


def resources(document, kind):
    return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]


def test_fhir_questionnaire_response_items_and_loinc_coded_totals(patient_client, patient):
    response = create_response(patient, "phq9", PHQ9)
    create_response(patient, "gad7", [1] * 7)
    create_response(patient, "who5", [3] * 5)
    document = fhir_download(patient_client)
    answers = {r["questionnaire"]: r for r in resources(document, "QuestionnaireResponse")}
    phq9 = answers["https://integration-journal.example/fhir/Questionnaire/phq9"]
    assert phq9["status"] == "completed" and phq9["authored"]
    assert [item["linkId"] for item in phq9["item"]] == [str(n) for n in range(1, 10)]
    assert phq9["item"][0]["text"] == "Little interest or pleasure in doing things"
    coding = phq9["item"][4]["answer"][0]["valueCoding"]
    assert coding["code"] == "2" and coding["display"] == "More than half the days"
    observations = {o["code"]["coding"][0]["code"] if "coding" in o["code"] else o["code"]["text"]: o
                    for o in resources(document, "Observation")}
    total = observations["44261-6"]
    assert total["code"]["coding"][0]["system"] == "http://loinc.org"
    assert total["status"] == "final" and total["valueQuantity"]["value"] == 11
    assert total["effectiveDateTime"] == phq9["authored"]
    assert "70274-6" in observations
    assert any("WHO-5" in key for key in observations), "a text code where no LOINC code is stored"
    qr_urls = [e["fullUrl"] for e in document["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert total["derivedFrom"][0]["reference"] in qr_urls
    assert f"urn:uuid:{response.id}" in qr_urls


def test_fhir_bundle_is_built_from_the_patients_own_responses_only(app, patient, make_user):
    other = make_user()
    create_response(other, "phq9", PHQ9)
    create_response(patient, "gad7", [0] * 7)
    bundle = fhir_bundle(patient)
    assert len(bundle["entry"]) == 2
    Bundle(bundle, strict=True)


def test_a_therapist_has_no_fhir_export(app, therapist):
    client = app.test_client()
    client.login(therapist.email)
    assert client.get("/account/export/fhir").status_code == 404


def test_the_account_page_links_to_the_fhir_export(patient_client):
    assert "/account/export/fhir" in patient_client.get("/account").get_data(as_text=True)


def test_the_fhir_validator_refuses_an_observation_without_a_code():
    """The check above has teeth: a required element missing fails the R4 models."""
    from fhirclient.models.fhirabstractbase import FHIRValidationError

    broken = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": {"resourceType": "Observation", "status": "final"}}]}
    with pytest.raises(FHIRValidationError):
        Bundle(broken, strict=True)


def test_fhir_subscales_travel_as_components_of_the_total(patient_client, patient):
    create_response(patient, "meq30", [4] * 30)
    document = fhir_download(patient_client)
    Bundle(document, strict=True)
    (total,) = resources(document, "Observation")
    assert total["code"] == {"text": "MEQ-30 total score"} and total["valueQuantity"]["value"] == 4
    parts = {c["code"]["text"]: c["valueQuantity"]["value"] for c in total["component"]}
    assert parts["MEQ-30 positive mood subscale"] == 4 and len(parts) == 4
