"""A new patient on a phone, with JavaScript on, through the whole foundation journey."""
import re

import sqlalchemy as sa

from journal.entries.models import ActionStep, Entry
from journal.extensions import db
from tests.browser.conftest import open_page, assert_accessible, assert_no_horizontal_scroll, register_in_browser


def test_patient_journey_on_a_phone(live_server, phone):
    page = phone
    register_in_browser(page, live_server.url, "journey@example.org")
    assert_accessible(page, "empty journal")
    assert_no_horizontal_scroll(page)

    # Record a dosing session.
    open_page(page, "Sessions")
    page.get_by_role("link", name="Record a session").click()
    page.get_by_label("Date of the session").fill("2026-11-20")
    page.get_by_label("Psilocybin").check()
    page.get_by_label("Dose (optional)").fill("3 g")
    assert_accessible(page, "session form")
    page.get_by_role("button", name="Save session").click()
    page.get_by_text("Session recorded.").wait_for()

    # Write an entry with mood, emotions and two action steps (server round trips add rows).
    page.get_by_role("link", name="Write about it").click()
    page.get_by_label("Insights").fill("The river was grief.\nשלום 🌊 <b>not bold</b>")
    page.get_by_label("7", exact=True).check()
    page.get_by_label("awe").check()
    page.get_by_label("grief").check()
    page.get_by_role("button", name="Add an action step").click()
    page.get_by_label("Step 1").fill("Call my sister")
    page.get_by_role("button", name="Add an action step").click()
    page.get_by_label("Step 2").fill("Walk by the river")
    assert_no_horizontal_scroll(page)
    assert_accessible(page, "entry form with steps")
    page.get_by_role("button", name="Save entry").click()
    page.get_by_text("Entry saved.").wait_for()
    assert page.locator(".insights").inner_text() == "The river was grief.\nשלום 🌊 <b>not bold</b>"
    assert page.locator(".insights b").count() == 0
    assert page.get_by_text(re.compile(r"Day \d+ after Psilocybin session")).count() == 1
    assert_accessible(page, "entry page")

    # Find it by search.
    page.get_by_role("link", name="Journal", exact=True).click()
    page.get_by_text("Search and filter").click()
    page.get_by_label("Search your entries").fill("river")
    page.get_by_role("button", name="Show").click()
    assert page.locator(".entry-card").count() == 1

    # Check a step off on the Action steps page.
    page.get_by_role("navigation", name="Tabs").get_by_role("link", name="Steps").click()
    assert_accessible(page, "action steps")
    page.get_by_role("button", name="Mark done: ").first.click()
    page.get_by_text("Step marked done.").wait_for()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionStep).where(ActionStep.done)) == 1

    # Edit it.
    page.get_by_role("link", name=re.compile("from entry of")).first.click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Insights").fill("The river was grief, and then relief.")
    page.get_by_role("button", name="Save entry").click()
    page.get_by_text("Entry updated.").wait_for()

    # Delete it to the Trash and restore it.
    page.get_by_role("button", name="Move to Trash").click()
    page.get_by_text("Entry moved to Trash").wait_for()
    page.get_by_role("link", name="Trash").click()
    assert_accessible(page, "trash")
    page.get_by_role("button", name="Restore").click()
    page.get_by_text("Entry restored.").wait_for()

    db.session.expire_all()
    entries = db.session.scalars(sa.select(Entry)).all()
    assert len(entries) == 1 and entries[0].deleted_at is None
    assert entries[0].insights == "The river was grief, and then relief."
    assert len(entries[0].action_steps) == 2

    page.get_by_role("link", name="Get help now").first.click()
    assert page.get_by_text("not monitored in real time").count() >= 1
    assert_accessible(page, "help")
