"""Writing right after a session: mood and a few words first, and nothing lost when the
app is closed before Save."""
from tests.browser.conftest import (DB_MODULE, PHONE, assert_accessible, entries_in_db, log_in,
                                    wait_for_service_worker)

DRAFT = f"{DB_MODULE}.then((db) => db.setting('draft:new')).then((d) => d ? d.payload.insights : null)"


def test_the_first_note_is_mood_and_words_with_the_rest_folded(live_server, phone, make_user):
    patient = make_user(display_name="Robin")
    log_in(phone, live_server.url, patient.email)
    phone.goto(f"{live_server.url}/entries/new")
    form = phone.locator("[data-entry-form]")
    order = form.evaluate("(f) => [...f.querySelectorAll('legend, label[for=insights]')].map((e) => e.textContent.trim())")
    assert order[0].startswith("Mood") and order[1] == "Insights"
    assert not phone.get_by_role("button", name="Add an action step").is_visible()
    assert not phone.get_by_label("awe").is_visible()
    phone.get_by_text("Emotions, action steps and session").click()
    assert phone.get_by_role("button", name="Add an action step").is_visible()
    assert_accessible(phone, "entry form, folded part open")


def test_a_draft_survives_closing_the_app_and_is_removed_once_saved(live_server, new_context, make_user):
    patient = make_user(display_name="Robin")
    context = new_context(PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.email)
    wait_for_service_worker(page)
    page.goto(f"{live_server.url}/entries/new")
    page.locator("[data-entry-form][data-ready]").wait_for()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Insights").press_sequentially("The colours came back ")
    page.wait_for_timeout(600)
    page.close()  # no Save: the app is swiped away

    page = context.new_page()
    page.goto(f"{live_server.url}/entries/new")
    page.locator("[data-entry-form][data-ready]").wait_for()
    assert page.get_by_label("Insights").input_value() == "The colours came back "
    assert page.get_by_label("4", exact=True).is_checked()
    page.get_by_text("Your unsaved draft").wait_for()
    assert_accessible(page, "entry form with a draft back")
    assert entries_in_db() == []

    page.get_by_label("Insights").press_sequentially("and stayed.")
    page.get_by_role("button", name="Save entry").click()
    page.get_by_text("Entry saved.").wait_for()
    [entry] = entries_in_db()
    assert entry.insights == "The colours came back and stayed." and entry.mood == 4
    assert page.evaluate(DRAFT) is None
    page.goto(f"{live_server.url}/entries/new")
    page.locator("[data-entry-form][data-ready]").wait_for()
    assert page.get_by_label("Insights").input_value() == ""
    assert page.get_by_text("Your unsaved draft").count() == 0


def test_a_draft_can_be_discarded(live_server, phone, make_user):
    patient = make_user(display_name="Robin")
    log_in(phone, live_server.url, patient.email)
    phone.goto(f"{live_server.url}/entries/new")
    phone.locator("[data-entry-form][data-ready]").wait_for()
    phone.get_by_label("Insights").fill("Not this one.")
    phone.wait_for_timeout(600)
    phone.reload()
    phone.get_by_role("button", name="Discard the draft").click()
    phone.locator("[data-entry-form][data-ready]").wait_for()
    phone.wait_for_timeout(300)
    assert phone.get_by_label("Insights").input_value() == ""
