"""The Action steps page: open steps across entries, due first, one-tap check-off."""
from datetime import timedelta

from journal.entries.models import ActionStep, Entry
from journal.extensions import db
from journal.timeutil import utcnow
from tests.factories import create_entry


def test_open_steps_are_listed_due_first_with_overdue_marked(patient_client, patient):
    today = utcnow().date()
    create_entry(patient, steps=["no date", ("due later", today + timedelta(days=5)),
                                 ("overdue one", today - timedelta(days=2))])
    create_entry(patient, steps=["in the trash"], deleted=True)
    page = patient_client.get("/steps/").get_data(as_text=True)
    order = [page.index(t) for t in ("overdue one", "due later", "no date")]
    assert order == sorted(order)
    assert "in the trash" not in page
    overdue_item = page[page.rindex("<li", 0, page.index("overdue one")):page.index("overdue one")]
    assert "overdue" in overdue_item
    assert page.count("Overdue</strong>") == 1


def test_checking_a_step_off_with_one_post(patient_client, patient):
    entry = create_entry(patient, steps=["call Anna"])
    step = entry.action_steps[0]
    response = patient_client.submit(f"/steps/{step.id}/toggle")
    assert response.status_code == 302 and response.location == "/steps/"
    db.session.expire_all()
    step = db.session.get(ActionStep, step.id)
    assert step.done and step.done_at is not None and db.session.get(Entry, entry.id).version == 2
    page = patient_client.get("/steps/").get_data(as_text=True)
    assert "Recently done" in page
    patient_client.submit(f"/steps/{step.id}/toggle", {"next": f"/entries/{entry.id}"})
    db.session.expire_all()
    assert not db.session.get(ActionStep, step.id).done


def test_toggle_redirect_stays_on_this_site(patient_client, patient):
    step = create_entry(patient, steps=["x"]).action_steps[0]
    response = patient_client.submit(f"/steps/{step.id}/toggle", {"next": "https://evil.example/"})
    assert response.location == "/steps/"


def test_another_patients_step_is_404(patient_client, make_user):
    step = create_entry(make_user(), steps=["theirs"]).action_steps[0]
    assert patient_client.submit(f"/steps/{step.id}/toggle").status_code == 404
    db.session.expire_all()
    assert not db.session.get(ActionStep, step.id).done
