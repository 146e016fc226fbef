"""The therapist's view of questionnaires: safety flags, the outcomes chart, reliable change,
Prepare for session, the protocol form, and the patient's access log of those reads."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from journal.care.measure_models import ResponseRead, SafetyFlagReview
from journal.extensions import db
from journal.measures.protocol import TIMEPOINTS, default_plan, plan_for
from journal.timeutil import utcnow
from tests.factories import create_entry, create_link, create_response, create_session, share_entry, share_response

PHQ9_ITEM9_SEVERAL_DAYS = [1, 1, 1, 1, 1, 1, 1, 1, 1]  # total 9, item 9 "Several days"
PHQ9_15 = [2, 2, 2, 2, 2, 2, 1, 1, 1]  # total 15 (moderately severe)
PHQ9_8 = [1, 1, 1, 1, 1, 1, 1, 1, 0]  # total 8 (mild)
MEQ30_COMPLETE = [4] * 30  # 80% of the maximum on every subscale
MEQ30_WEAK = [1] * 30


@pytest.fixture
def therapist_client(app, therapist):
    client = app.test_client()
    assert client.login(therapist.email).status_code == 302
    return client


@pytest.fixture
def linked(patient, therapist):
    create_link(patient, therapist)
    return patient


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def alert(html):
    found = re.search(r'<section class="safety-alert".*?</section>', html, re.S)
    return found.group(0) if found else ""


# Safety flags ------------------------------------------------------------------------------

def test_dashboard_names_a_scheduled_phq9_item9_in_plain_words(therapist_client, linked):
    create_response(linked, "phq9", PHQ9_ITEM9_SEVERAL_DAYS, timepoint="week1")
    box = alert(page(therapist_client, "/therapist/"))
    assert linked.display_name in box and "PHQ-9" in box
    assert "item 9" in box and "Several days" in box
    assert f"/therapist/patients/{linked.id}" in box


def test_self_started_unshared_phq9_raises_no_flag(therapist_client, linked):
    create_response(linked, "phq9", PHQ9_ITEM9_SEVERAL_DAYS, timepoint=None)
    assert alert(page(therapist_client, "/therapist/")) == ""
    assert alert(page(therapist_client, f"/therapist/patients/{linked.id}")) == ""


def test_self_started_phq9_shared_with_the_therapist_raises_the_flag(therapist_client, linked, therapist):
    share_response(create_response(linked, "phq9", PHQ9_ITEM9_SEVERAL_DAYS, timepoint=None), therapist)
    assert "Several days" in alert(page(therapist_client, "/therapist/"))


def test_an_ended_link_hides_the_flag(therapist_client, patient, therapist):
    create_link(patient, therapist, ended=True)
    create_response(patient, "phq9", PHQ9_ITEM9_SEVERAL_DAYS, timepoint="week1")
    assert alert(page(therapist_client, "/therapist/")) == ""


def test_mark_as_seen_clears_the_flag_and_a_second_tap_changes_nothing(therapist_client, linked, therapist):
    response = create_response(linked, "phq9", PHQ9_ITEM9_SEVERAL_DAYS, timepoint="week1")
    patient_page = page(therapist_client, f"/therapist/patients/{linked.id}")
    assert "Mark as seen" in alert(patient_page)
    url = f"/therapist/responses/{response.id}/seen"
    assert therapist_client.submit(url).status_code == 302
    assert therapist_client.submit(url).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SafetyFlagReview.id))) == 1
    assert alert(page(therapist_client, "/therapist/")) == ""


def test_mark_as_seen_needs_the_csrf_token(therapist_client, linked):
    response = create_response(linked, "phq9", PHQ9_ITEM9_SEVERAL_DAYS, timepoint="week1")
    assert therapist_client.post(f"/therapist/responses/{response.id}/seen").status_code == 400


# The outcomes chart --------------------------------------------------------------------------

def outcomes(html):
    found = re.search(r'<section id="outcomes".*?</section>\s*<!-- /outcomes -->', html, re.S)
    return found.group(0) if found else ""


def test_outcomes_chart_draws_bands_scores_sessions_and_mood(therapist_client, linked, therapist):
    now = utcnow()
    session = create_session(linked, day=(now - timedelta(days=20)).date())
    create_response(linked, "phq9", PHQ9_15, completed_at=now - timedelta(days=21), dosing_session=session)
    create_response(linked, "phq9", PHQ9_8, completed_at=now - timedelta(days=2), dosing_session=session,
                    timepoint="week2")
    share_entry(create_entry(linked, mood=7, written_at=now - timedelta(days=5), dosing_session=session), therapist)
    html = outcomes(page(therapist_client, f"/therapist/patients/{linked.id}"))
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    for band in ("Minimal", "Mild", "Moderate", "Moderately severe", "Severe"):
        assert f">{band}<" in html
    assert 'class="outcome-session"' in html and "psilocybin" in html.lower()
    assert 'class="outcome-mood' in html, "journal mood panel on the same date axis"
    assert "<details" in html and "<td>15</td>" in html and "<td>8</td>" in html
    assert "style=" not in html


def test_change_since_baseline_and_reliable_change_by_every_rule(therapist_client, linked):
    now = utcnow()
    create_response(linked, "phq9", PHQ9_15, completed_at=now - timedelta(days=30))
    create_response(linked, "phq9", PHQ9_8, completed_at=now - timedelta(days=1), timepoint="week4")
    html = outcomes(page(therapist_client, f"/therapist/patients/{linked.id}"))
    assert "15 → 8" in html and "−7" in html
    assert "reliable improvement" in html
    assert "NHS Talking Therapies" in html and "6 points" in html
    assert "reliable recovery" in html.lower()


def test_chart_leaves_out_responses_the_therapist_may_not_see(therapist_client, linked):
    create_response(linked, "gad7", [3] * 7, timepoint=None)
    html = page(therapist_client, f"/therapist/patients/{linked.id}")
    assert "GAD-7" not in outcomes(html)


def test_every_response_shown_is_recorded_in_the_access_log(therapist_client, linked, patient_client):
    shown = create_response(linked, "phq9", PHQ9_8, timepoint="week1")
    create_response(linked, "who5", [3] * 5, timepoint=None)
    page(therapist_client, f"/therapist/patients/{linked.id}")
    reads = db.session.scalars(sa.select(ResponseRead.response_id)).all()
    assert reads == [shown.id]
    log = page(patient_client, "/care/access-log")
    assert "PHQ-9" in log and "WHO-5" not in log


# Prepare for session ---------------------------------------------------------------------------

def test_prepare_shows_the_last_sessions_meq30_and_scores_against_baseline(therapist_client, linked):
    now = utcnow()
    session = create_session(linked, day=(now - timedelta(days=8)).date())
    create_response(linked, "phq9", PHQ9_15, completed_at=now - timedelta(days=9), dosing_session=session)
    create_response(linked, "meq30", MEQ30_COMPLETE, completed_at=now - timedelta(days=8), dosing_session=session,
                    timepoint="evening")
    create_response(linked, "phq9", PHQ9_ITEM9_SEVERAL_DAYS, completed_at=now - timedelta(days=1),
                    dosing_session=session, timepoint="week1")
    html = page(therapist_client, f"/therapist/patients/{linked.id}/prepare")
    section = re.search(r'<section id="prep-measures".*?</section>\s*<!-- /prep-measures -->', html, re.S).group(0)
    assert "MEQ-30" in section and "80%" in section
    assert "complete mystical experience" in section.lower() and "met" in section.lower()
    assert "15 → 9" in section and "−6" in section
    assert "Several days" in section
    assert db.session.scalar(sa.select(sa.func.count(ResponseRead.id))) == 3


def test_prepare_says_when_the_meq30_fell_short_of_a_complete_experience(therapist_client, linked):
    session = create_session(linked)
    create_response(linked, "meq30", MEQ30_WEAK, dosing_session=session, timepoint="evening")
    html = page(therapist_client, f"/therapist/patients/{linked.id}/prepare")
    assert "did not meet" in html.lower()


# The protocol --------------------------------------------------------------------------------

def test_therapist_changes_the_protocol_with_the_checkbox_grid(therapist_client, linked):
    html = page(therapist_client, f"/therapist/patients/{linked.id}")
    assert 'name="baseline"' in html and 'value="phq9"' in html
    response = therapist_client.submit(f"/therapist/patients/{linked.id}/protocol",
                                       {"baseline": ["phq9", "pcl5"], "week4": ["who5"]})
    assert response.status_code == 302
    plan = plan_for(linked.id)
    assert sorted(plan["baseline"]) == ["pcl5", "phq9"]
    assert plan["week4"] == ["who5"] and plan["week1"] == []


def test_back_to_the_default_protocol(therapist_client, linked):
    therapist_client.submit(f"/therapist/patients/{linked.id}/protocol", {"baseline": ["pcl5"]})
    assert therapist_client.submit(f"/therapist/patients/{linked.id}/protocol/reset").status_code == 302
    assert plan_for(linked.id) == default_plan()


def test_protocol_grid_covers_every_timepoint(therapist_client, linked):
    html = page(therapist_client, f"/therapist/patients/{linked.id}")
    for timepoint in TIMEPOINTS:
        assert f'name="{timepoint.key}"' in html
