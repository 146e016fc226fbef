"""What makes the journal feel like an app: one date format for entries on the device and
on the server, an honest title offline, and the logged-out page after logout, offline."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser.conftest import (PHONE, WAIT, assert_accessible, entries_in_db, log_in, sync_status,
                                    wait_for_service_worker, write_entry)

SERVER_FORMAT = re.compile(r"^[A-Z][a-z]{2} \d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d$")


def test_entries_waiting_on_the_device_show_the_servers_date_format_in_the_patients_zone(
        live_server, new_context, make_user):
    patient = make_user(display_name="Robin", timezone="America/New_York")
    # The phone's clock is set to another zone than the patient's account.
    context = new_context(PHONE, timezone_id="Asia/Tokyo", locale="en-US")
    page = context.new_page()
    log_in(page, live_server.url, patient.email)
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    write_entry(page, "Written in the waiting room.")
    card = page.locator("[data-outbox-item]").first
    card.wait_for()
    waiting = card.locator(".card-title").inner_text()
    assert SERVER_FORMAT.match(waiting), waiting
    now = datetime.now(ZoneInfo("America/New_York"))
    assert waiting in {(now - timedelta(minutes=m)).strftime("%a %d %b %Y, %H:%M") for m in range(3)}

    context.set_offline(False)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    page.goto(f"{live_server.url}/")
    assert page.locator(".entry-list .card-title").first.inner_text() == waiting


def test_an_entry_edited_offline_is_titled_edit_entry(live_server, new_context, make_user):
    patient = make_user(display_name="Robin")
    context = new_context(PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.email)
    wait_for_service_worker(page)
    write_entry(page, "Written online.")
    page.get_by_text("Entry saved.").wait_for()
    [entry] = entries_in_db()
    context.set_offline(True)
    page.goto(f"{live_server.url}/entries/{entry.id}/edit")
    page.locator("[data-entry-form][data-ready]").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Edit entry"
    assert page.title().startswith("Edit entry")
    assert page.get_by_label("Insights").input_value() == "Written online."


def test_after_logout_offline_the_journal_address_shows_the_logged_out_page(live_server, new_context, make_user):
    patient = make_user(display_name="Robin")
    context = new_context(PHONE)
    page = context.new_page()
    log_in(page, live_server.url, patient.email)
    wait_for_service_worker(page)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))
    context.set_offline(True)
    page.goto(f"{live_server.url}/")
    page.get_by_text("You are logged out").wait_for()
    assert page.get_by_role("link", name="Write a new entry").count() == 0
    assert page.get_by_role("navigation", name="Tabs").count() == 0 or not page.get_by_role(
        "navigation", name="Tabs").is_visible()
    for name in ("Journal", "New entry", "Account"):
        assert not page.get_by_role("link", name=name, exact=True).is_visible(), name
    assert not page.locator("[data-sync-status]").is_visible() or page.locator("[data-sync-text]").inner_text() == ""
    assert "All synced" not in page.locator("body").inner_text()
    assert page.get_by_role("link", name="Log in").is_visible()
    assert_accessible(page, "offline, logged out")


def _edit_offline(context, page, base_url, entry_id, text):
    context.set_offline(True)
    page.goto(f"{base_url}/entries/{entry_id}/edit")
    page.locator("[data-entry-form][data-ready]").wait_for()
    page.get_by_label("Insights").fill(text)
    page.get_by_role("button", name="Save entry").click()
    sync_status(page).filter(has_text="1 waiting").wait_for()


def _conflict_on_two_phones(live_server, new_context, make_user):
    """Two phones of one patient edit an entry offline; the first syncs, the second is refused."""
    patient = make_user(display_name="Robin")
    first_context, second_context = new_context(PHONE), new_context(PHONE)
    first, second = first_context.new_page(), second_context.new_page()
    for page in (first, second):
        log_in(page, live_server.url, patient.email)
        wait_for_service_worker(page)
    write_entry(first, "Written before the weekend.")
    first.get_by_text("Entry saved.").wait_for()
    [entry] = entries_in_db()
    second.goto(f"{live_server.url}/")
    sync_status(second).filter(has_text="All synced").wait_for(timeout=WAIT)

    _edit_offline(first_context, first, live_server.url, entry.id, "Edited on the phone.")
    _edit_offline(second_context, second, live_server.url, entry.id, "Edited on the tablet.")
    first_context.set_offline(False)
    sync_status(first).filter(has_text="All synced").wait_for(timeout=WAIT)
    second_context.set_offline(False)
    second.goto(f"{live_server.url}/")
    second.locator("[data-conflict]").wait_for(timeout=WAIT)
    assert entries_in_db()[0].insights == "Edited on the phone."
    return first, second, entry


def test_the_device_that_synced_first_is_told_the_entry_changed_elsewhere_and_where_to_compare(
        live_server, new_context, make_user):
    first, second, entry = _conflict_on_two_phones(live_server, new_context, make_user)

    # The first device saved without trouble; the next time it opens the journal, it says so.
    first.goto(f"{live_server.url}/")
    card = first.locator(".entry-card").filter(has_text="Edited on the phone.")
    card.get_by_text("Changed on another device").wait_for()
    first.goto(f"{live_server.url}/entries/{entry.id}")
    first.get_by_text("This entry was changed on another device").wait_for()
    first.get_by_role("link", name="Compare both versions").click()
    first.get_by_role("heading", name="Changed on two devices").wait_for()
    assert first.get_by_text("Edited on the phone.").count() == 1
    assert first.get_by_text("Edited on the tablet.").count() == 1
    assert_accessible(first, "conflict seen from the device that synced first")

    # The second device merges by hand: both devices stop showing the conflict.
    second.locator("[data-conflict]").get_by_role("link", name=re.compile("Merge copy 1")).click()
    second.locator("[data-entry-form][data-ready]").wait_for()
    second.get_by_label("Insights").fill("Edited on the phone. Edited on the tablet.")
    second.get_by_role("button", name="Save entry").click()
    second.get_by_text("Entry updated.").wait_for(timeout=WAIT)
    first.goto(f"{live_server.url}/entries/{entry.id}")
    first.get_by_text("Edited on the tablet.").wait_for()
    assert first.get_by_text("This entry was changed on another device").count() == 0


def test_keeping_the_server_version_on_the_second_device_ends_the_notice_on_the_first(
        live_server, new_context, make_user):
    first, second, entry = _conflict_on_two_phones(live_server, new_context, make_user)
    first.goto(f"{live_server.url}/entries/{entry.id}")
    first.get_by_text("This entry was changed on another device").wait_for()

    with second.expect_response(lambda r: r.url.endswith(f"/api/v1/entries/{entry.id}/conflict")) as settled:
        second.get_by_role("button", name="Keep the server version 1").click()
    assert settled.value.status == 204
    first.reload()
    first.get_by_role("heading", level=1).wait_for()
    assert first.get_by_text("This entry was changed on another device").count() == 0
    assert first.get_by_text("Edited on the phone.").count() == 1
