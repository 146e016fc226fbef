"""Questionnaires on a phone with no network: one question per screen, the safety screen at
once, and every response synced exactly once when the network is back."""
import re
from datetime import date

import sqlalchemy as sa

from journal.auth.models import User
from journal.extensions import db
from journal.measures.models import MeasureResponse
from tests.browser.conftest import PHONE, WAIT, assert_accessible, register_in_browser, sync_status, wait_for_service_worker, wait_until
from tests.factories import create_session


def responses_in_db():
    db.session.expire_all()
    return db.session.scalars(sa.select(MeasureResponse).order_by(MeasureResponse.completed_at)).all()


def answer_every_question(page, choose):
    """Answer the stepped questionnaire: ``choose(number)`` is the option's index."""
    count = page.locator("[data-question]").count()
    for number in range(1, count + 1):
        question = page.locator(f'[data-question="{number}"]')
        question.wait_for(state="visible")
        # The stepper (an ES module) writes this line: waiting for it waits for the module.
        page.get_by_text(f"Question {number} of {count}").wait_for()
        question.locator("input[type=radio]").nth(choose(number)).check()
        if number < count:
            page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Save answers").click()


def test_the_baseline_and_the_evening_meq30_filled_offline_sync_once(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "measures@example.org")
    patient = db.session.scalar(sa.select(User).where(User.email == "measures@example.org"))
    session = create_session(patient, day=date.today())
    wait_for_service_worker(page)
    wait_until(page, "caches.match('/measures/meq30/new').then(Boolean)")
    page.goto(f"{live_server.url}/")
    due = page.get_by_role("link", name="Before your Psilocybin session: 3 short questionnaires")
    due.wait_for()
    assert_accessible(page, "journal with questionnaires due")

    context.set_offline(True)
    due.click()
    page.get_by_role("heading", name="PHQ-9").wait_for()
    # The heading comes with the HTML; the stepper's "Question 1 of 9" once its module ran.
    page.get_by_text(re.compile(r"^Question 1 of \d+$")).wait_for()
    assert page.locator("[data-question]:visible").count() == 1  # one question per screen
    assert_accessible(page, "questionnaire offline")
    answer_every_question(page, lambda number: 1 if number == 9 else 0)  # item 9: "Several days"

    # Offline, before any sync: the safety screen, with the crisis resources.
    screen = page.locator("[data-safety-screen]")
    screen.wait_for(state="visible")
    assert "This journal is not monitored in real time." in screen.inner_text()
    assert_accessible(page, "safety screen offline")
    assert responses_in_db() == []

    page.goto(f"{live_server.url}/measures/meq30/new?session={session.id}")
    page.get_by_role("heading", name="MEQ-30").wait_for()
    answer_every_question(page, lambda number: 4)
    page.locator("[data-questionnaire-saved]").wait_for(state="visible")
    assert responses_in_db() == []

    context.set_offline(False)
    page.goto(f"{live_server.url}/")
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    phq9, meq30 = responses_in_db()
    assert (phq9.instrument, phq9.total, phq9.safety_flag, phq9.timepoint) == ("phq9", 1, True, "baseline")
    assert phq9.dosing_session_id == session.id
    assert (meq30.instrument, meq30.timepoint) == ("meq30", "evening")
    assert "complete_mystical_experience" in meq30.score["flags"]
    # Sent again (a lost answer, a second tab): still one of each.
    page.reload()
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    assert len(responses_in_db()) == 2


def test_the_safety_plan_opens_offline(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "plan@example.org")
    page.goto(f"{live_server.url}/safety-plan")
    page.get_by_label("My warning signs").fill("I stop answering my sister's calls")
    page.get_by_role("button", name="Save my safety plan").click()
    page.get_by_text("Safety plan saved.").wait_for()
    wait_for_service_worker(page)
    wait_until(page, "caches.match('/safety-plan').then((saved) => saved && saved.text())"
                     ".then((text) => Boolean(text) && text.includes('answering my sister'))")
    page.goto(f"{live_server.url}/")
    context.set_offline(True)
    page.goto(f"{live_server.url}/safety-plan")
    assert page.get_by_label("My warning signs").input_value() == "I stop answering my sister's calls"
