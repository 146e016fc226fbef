"""Finding a patient's own responses and safety plan."""
import uuid

from flask import abort

from journal.extensions import db
from journal.measures.instruments import instruments
from journal.measures.models import MeasureResponse, SafetyPlan


def get_response_for_owner(response_id: uuid.UUID, owner_id: uuid.UUID) -> MeasureResponse:
    """The patient's own response.

    :raise 404: when there is none, or it is someone else's.
    """
    response = db.session.get(MeasureResponse, response_id)
    if response is None or response.owner_id != owner_id:
        abort(404)
    return response


def get_instrument(instrument_id: str):
    """:raise 404: for an unknown instrument id."""
    found = instruments().get(instrument_id)
    if found is None:
        abort(404)
    return found


def safety_plan_of(owner_id: uuid.UUID) -> SafetyPlan:
    """The patient's safety plan; an empty, unsaved one when they have not written it."""
    return db.session.get(SafetyPlan, owner_id) or SafetyPlan(owner_id=owner_id, shared=False)
