"""A patient's questionnaire responses as a FHIR R4 Bundle they can take to another system.

Each response becomes a ``QuestionnaireResponse`` (one item per question, the answer as the
option's coding, or an integer for a scale item) and an ``Observation`` of its total, coded
with LOINC where the instrument file names the code (PHQ-9 44261-6, GAD-7 70274-6) and
with text otherwise. No instrument here has a published FHIR Questionnaire canonical we can
point to, so ``questionnaire`` is a stable URL of ours per instrument.
"""
import uuid

import sqlalchemy as sa

from journal.auth.models import User
from journal.extensions import db
from journal.measures.instruments import Instrument, Item, instruments
from journal.measures.models import MeasureResponse
from journal.timeutil import utcnow

FHIR_MIMETYPE = "application/fhir+json"
BASE = "https://integration-journal.example/fhir"
LOINC = "http://loinc.org"
SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                      "code": "survey", "display": "Survey"}]}


def questionnaire_url(instrument_id: str) -> str:
    return f"{BASE}/Questionnaire/{instrument_id}"


def _full_url(resource_id: uuid.UUID) -> str:
    return f"urn:uuid:{resource_id}"


def _answer(instrument: Instrument, item: Item, value: int) -> dict:
    option = next((o for o in item.options if o.value == value), None)
    if option is None:  # a scale item (no options): the number itself
        return {"valueInteger": value}
    return {"valueCoding": {"system": f"{BASE}/CodeSystem/{instrument.id}-answers", "code": str(value),
                            "display": option.label}}


def questionnaire_response(response: MeasureResponse, instrument: Instrument, patient: User) -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.id),
        "questionnaire": questionnaire_url(instrument.id),
        "status": "completed",
        "subject": {"display": patient.display_name},
        "authored": response.completed_at.isoformat(),
        "item": [{"linkId": str(item.number), "text": item.text, "answer": [_answer(instrument, item, value)]}
                 for item, value in zip(instrument.items, response.answers)],
    }


def _total_code(instrument: Instrument) -> dict:
    text = f"{instrument.short_title} total score"
    code = instrument.loinc.get("total")
    if code:
        return {"coding": [{"system": LOINC, "code": code}], "text": text}
    return {"text": text}


def total_observation(response: MeasureResponse, instrument: Instrument, patient: User) -> dict:
    observation = {
        "resourceType": "Observation",
        "id": str(uuid.uuid5(response.id, "total")),
        "status": "final",
        "category": [SURVEY],
        "code": _total_code(instrument),
        "subject": {"display": patient.display_name},
        "effectiveDateTime": response.completed_at.isoformat(),
        "valueQuantity": _quantity(response.total),
        "derivedFrom": [{"reference": _full_url(response.id)}],
    }
    if response.band:
        observation["interpretation"] = [{"text": response.band}]
    subscales = response.score.get("subscales") or {}
    if subscales:
        observation["component"] = [
            {"code": {"text": f"{instrument.short_title} {name.replace('_', ' ')} subscale"},
             "valueQuantity": _quantity(value)} for name, value in subscales.items()]
    return observation


def _quantity(value) -> dict:
    return {"value": value, "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}"}


def fhir_bundle(patient: User) -> dict:
    """A ``collection`` Bundle of the patient's responses, oldest first: each
    QuestionnaireResponse followed by the Observation of its total."""
    known = instruments()
    responses = db.session.scalars(sa.select(MeasureResponse).where(MeasureResponse.owner_id == patient.id)
                                   .order_by(MeasureResponse.completed_at, MeasureResponse.id))
    entries = []
    for response in responses:
        instrument = known.get(response.instrument)
        if instrument is None:  # an instrument no longer shipped: its items cannot be named
            continue
        answered = questionnaire_response(response, instrument, patient)
        total = total_observation(response, instrument, patient)
        entries += [{"fullUrl": _full_url(response.id), "resource": answered},
                    {"fullUrl": _full_url(uuid.UUID(total["id"])), "resource": total}]
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "collection",
            "timestamp": utcnow().isoformat(), "entry": entries}


def fhir_filename() -> str:
    return f"integration-journal-fhir-{utcnow().date().isoformat()}.json"
