"""Characters no person types must not break a database: NUL bytes anywhere in a request."""
import sqlalchemy as sa

from journal.entries.models import Entry
from journal.extensions import db


def test_nul_bytes_in_a_form_are_dropped_not_a_500(patient_client):
    response = patient_client.submit("/entries/new", {"mood": "5", "insights": "before\x00after",
                                                      "action_steps-0-text": "st\x00ep"})
    assert response.status_code == 302
    entry = db.session.scalars(sa.select(Entry)).one()
    assert entry.insights == "beforeafter" and entry.action_steps[0].text == "step"


def test_nul_bytes_in_a_search_or_json_body_are_not_a_500(patient_client):
    assert patient_client.get("/?q=%00grief").status_code == 200
    assert patient_client.get("/?session=%00").status_code == 200  # an empty filter
    response = patient_client.put("/api/v1/entries/3f1c1f2e-6a43-4a51-9a59-6f7f3c1d2b11",
                                  json={"insights": "a\u0000b", "mood": 4},
                                  headers={"X-CSRFToken": patient_client.csrf_token()})
    assert response.status_code == 201
    assert db.session.scalars(sa.select(Entry)).one().insights == "ab"
