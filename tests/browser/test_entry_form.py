"""The entry form says what is wrong, keeps every character, and lets a refused copy go."""
import re

from tests.browser.conftest import (PHONE, WAIT, assert_accessible, assert_no_horizontal_scroll, entries_in_db,
                                    register_in_browser, sync_status, wait_for_service_worker, write_entry)


LIMIT = 20_000


def words(length):
    """Text of exactly ``length`` characters, ending in a full stop."""
    return ("river " * length)[:length - 1] + "."


def test_a_refusal_while_online_says_what_to_fix(live_server, phone):
    page = phone
    register_in_browser(page, live_server.url, "no-mood@example.org")
    write_entry(page, "I forgot to choose a mood.", mood=None)
    summary = page.locator("[data-form-problem]")
    summary.wait_for()
    assert "saved on this device" not in summary.inner_text()
    assert "server" not in summary.inner_text()
    assert "Choose your mood from 1 to 10." in summary.inner_text()
    # The status line too calls it what it is, not a fault of the sync.
    sync_status(page).filter(has_text="Not saved yet: an entry needs your attention").wait_for()
    assert_accessible(page, "entry form refused online")
    page.get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Save entry").click()
    page.get_by_text("Entry saved.").wait_for()
    assert [e.mood for e in entries_in_db()] == [4]


def test_a_refused_entry_can_be_discarded_after_a_confirmation(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "discard@example.org")
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    write_entry(page, "Half a thought, no mood.", mood=None)
    sync_status(page).filter(has_text="1 waiting").wait_for()
    context.set_offline(False)
    page.locator("[data-sync-status][data-state='problem']").wait_for(timeout=WAIT)

    page.locator("[data-outbox-item]").filter(has_text="Half a thought").get_by_role("link").click()
    page.locator("[data-entry-form][data-ready]").wait_for()
    page.get_by_text("Choose your mood from 1 to 10.").first.wait_for()
    page.get_by_role("button", name="Discard this entry").click()
    confirm = page.get_by_role("group", name=re.compile("Discard this entry for good"))
    confirm.wait_for()
    assert page.get_by_role("button", name="Discard this entry").count() == 0
    assert_accessible(page, "discard confirmation")
    assert_no_horizontal_scroll(page)

    # Changing one's mind keeps it.
    confirm.get_by_role("button", name="Keep it").click()
    assert confirm.count() == 0
    assert page.get_by_label("Insights").input_value() == "Half a thought, no mood."

    page.get_by_role("button", name="Discard this entry").click()
    page.get_by_role("button", name="Yes, discard it").click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_text("Discarded").first.wait_for()
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    assert page.locator("[data-outbox-item]").count() == 0
    assert page.get_by_text("Half a thought").count() == 0
    assert entries_in_db() == []


def test_pasting_past_the_limit_keeps_every_character_and_says_so(live_server, phone):
    page = phone
    register_in_browser(page, live_server.url, "long@example.org")
    page.get_by_role("link", name="New entry", exact=True).first.click()
    page.locator("[data-entry-form][data-ready]").wait_for()
    insights = page.get_by_label("Insights")
    insights.focus()
    page.keyboard.insert_text(words(LIMIT + 500))  # what a paste does
    assert len(insights.input_value()) == LIMIT + 500
    page.get_by_text("500 characters too many").wait_for()
    # Said to screen readers once typing pauses, not at every key.
    page.locator(".char-count + [aria-live]").filter(has_text="500 characters too many").wait_for()
    assert_accessible(page, "entry form over the limit")
    assert_no_horizontal_scroll(page)

    page.get_by_label("6", exact=True).check()
    page.get_by_role("button", name="Save entry").click()
    page.locator("[data-form-problem]").get_by_text(re.compile("Keep an entry under 20,000 characters")).wait_for()
    assert len(insights.input_value()) == LIMIT + 500
    assert entries_in_db() == []

    # Shortened to the limit, it saves, every character of it.
    insights.fill(words(LIMIT))
    page.get_by_text("0 characters left").wait_for()
    page.get_by_role("button", name="Save entry").click()
    page.get_by_text("Entry saved.").wait_for()
    assert [len(e.insights) for e in entries_in_db()] == [LIMIT]
