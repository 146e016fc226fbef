"""The installed app on a phone: offline writing, sync exactly once, conflicts, logout."""
import re
import uuid

from journal.entries.models import Entry
from journal.extensions import db
from tests.browser.conftest import (DB_MODULE, PHONE, WAIT, assert_accessible, device_text, entries_in_db, register_in_browser,
                                    sync_status, wait_for_service_worker, wait_until, write_entry)


def test_chromium_finds_the_app_installable(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "install@example.org")
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    # Pages sent with no-store (the care team, therapists' views) and API answers are
    # never kept by the service worker.
    care = page.goto(f"{live_server.url}/care/")
    assert care.status == 200 and "no-store" in care.headers["cache-control"]
    page.goto(f"{live_server.url}/")
    cached = page.evaluate("caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n)"
                           ".then((c) => c.keys())))).then((all) => all.flat().map((r) => r.url))")
    assert f"{live_server.url}/" in cached
    assert not [url for url in cached if url.startswith(f"{live_server.url}/care") or "/api/" in url]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito profiles, where Chromium never offers to
    # install; every other check (manifest, icons, service worker) must pass.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []


def test_write_offline_then_sync_exactly_once(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "offline@example.org")
    wait_for_service_worker(page)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)

    context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Your journal").wait_for()

    page.get_by_role("link", name="New entry", exact=True).first.click()
    page.get_by_label("Insights").fill("Written on the mountain, no signal.")
    page.get_by_label("7", exact=True).check()
    page.get_by_text("Emotions, action steps and session").click()
    page.get_by_role("button", name="Add an action step").click()
    page.get_by_label("Step 1").fill("Tell my therapist about the eagle")
    assert_accessible(page, "entry form offline")
    page.get_by_role("button", name="Save entry").click()

    page.get_by_text("Saved on this device, not yet synced.").first.wait_for()
    sync_status(page).filter(has_text="1 waiting to sync").wait_for()
    assert page.get_by_text("Written on the mountain, no signal.").count() == 1
    assert_accessible(page, "journal with a waiting entry")
    assert entries_in_db() == []

    # A page never visited: the offline page, with its banner.
    page.goto(f"{live_server.url}/entries/{uuid.uuid4()}")
    page.get_by_text("You are offline.", exact=False).first.wait_for()
    assert_accessible(page, "offline page")

    context.set_offline(False)
    page.goto(f"{live_server.url}/")
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    [entry] = entries_in_db()
    assert entry.insights == "Written on the mountain, no signal." and entry.mood == 7
    assert [s.text for s in entry.action_steps] == ["Tell my therapist about the eagle"]

    context.set_offline(True)
    page.goto(f"{live_server.url}/entries/{entry.id}")
    page.locator(".insights").filter(has_text="Written on the mountain, no signal.").wait_for()
    page.get_by_text("Tell my therapist about the eagle").wait_for()
    assert page.locator("[data-conflict]").count() == 0

    # Its edit page was never visited: the saved entry form opens, filled from the device.
    page.get_by_role("link", name="Edit").click()
    page.locator("[data-entry-form][data-ready]").wait_for()
    assert page.get_by_label("Insights").input_value() == "Written on the mountain, no signal."
    assert page.get_by_label("Step 1").input_value() == "Tell my therapist about the eagle"
    page.get_by_label("Insights").fill("Written on the mountain, no signal. Edited in the valley.")
    page.get_by_role("button", name="Save entry").click()
    sync_status(page).filter(has_text="1 waiting").wait_for()
    context.set_offline(False)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    [entry] = entries_in_db()
    assert entry.insights == "Written on the mountain, no signal. Edited in the valley."
    assert entry.version == 2 and len(entry.action_steps) == 1
    assert len(entries_in_db()) == 1


def test_two_entries_and_an_edit_offline_reach_a_second_device_once_each(live_server, new_context):
    phone_context = new_context(PHONE)
    phone = phone_context.new_page()
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    register_in_browser(phone, live_server.url, "twice@example.org")
    wait_for_service_worker(phone)
    phone_context.set_offline(True)
    phone.reload()

    write_entry(phone, "First, on the train.")
    sync_status(phone).filter(has_text="1 waiting").wait_for()
    write_entry(phone, "Second, in the tunnel.", mood="4")
    sync_status(phone).filter(has_text="2 waiting").wait_for()
    # Open the first one from the journal and change it, still offline.
    phone.locator("[data-outbox-item]").filter(has_text="First, on the train.").get_by_role("link").click()
    phone.locator("[data-entry-form][data-ready]").wait_for()
    phone.get_by_label("Insights").fill("First, on the train, edited at the station.")
    phone.get_by_role("button", name="Save entry").click()
    sync_status(phone).filter(has_text="2 waiting").wait_for()
    assert entries_in_db() == []

    phone_context.set_offline(False)
    sync_status(phone).filter(has_text="All synced").wait_for(timeout=WAIT)
    texts = sorted(e.insights for e in entries_in_db())
    assert texts == ["First, on the train, edited at the station.", "Second, in the tunnel."]

    laptop = new_context().new_page()
    laptop.goto(f"{live_server.url}/login")
    laptop.get_by_label("Email").fill("twice@example.org")
    laptop.get_by_label("Password").fill("a quiet walk by the river")
    laptop.get_by_role("button", name="Log in").click()
    laptop.get_by_role("heading", name="Your journal").wait_for()
    assert laptop.locator(".entry-list .entry-card").count() == 2
    assert laptop.get_by_text("edited at the station").count() == 1
    assert errors == []


def test_an_edit_conflict_between_two_devices_keeps_both_versions(live_server, new_context):
    phone_context = new_context(PHONE)
    phone = phone_context.new_page()
    register_in_browser(phone, live_server.url, "conflict@example.org")
    wait_for_service_worker(phone)
    write_entry(phone, "The original text.")
    phone.get_by_text("Entry saved.").wait_for()
    [entry] = entries_in_db()

    phone.get_by_role("link", name="Edit").click()
    phone_context.set_offline(True)
    phone.get_by_label("Insights").fill("Phone version, written offline.")
    phone.get_by_role("button", name="Save entry").click()
    sync_status(phone).filter(has_text="1 waiting").wait_for()

    laptop = new_context().new_page()
    laptop.goto(f"{live_server.url}/login")
    laptop.get_by_label("Email").fill("conflict@example.org")
    laptop.get_by_label("Password").fill("a quiet walk by the river")
    laptop.get_by_role("button", name="Log in").click()
    laptop.goto(f"{live_server.url}/entries/{entry.id}/edit")
    laptop.get_by_label("Insights").fill("Laptop version, written online.")
    laptop.get_by_role("button", name="Save entry").click()
    laptop.get_by_text("Entry updated.").wait_for()

    phone_context.set_offline(False)
    phone.goto(f"{live_server.url}/")
    conflict = phone.locator("[data-conflict]")
    conflict.wait_for(timeout=WAIT)
    assert conflict.get_by_text("Laptop version, written online.").count() == 1
    assert conflict.get_by_text("Phone version, written offline.").count() == 1
    assert entries_in_db()[0].insights == "Laptop version, written online."
    assert_accessible(phone, "conflict to compare")

    conflict.get_by_role("link", name=re.compile("Merge copy 1")).click()
    phone.locator("[data-entry-form][data-ready]").wait_for()
    phone.get_by_label("Insights").fill("Laptop version, written online. Phone version, written offline.")
    phone.get_by_role("button", name="Save entry").click()
    phone.get_by_text("Entry updated.").wait_for(timeout=WAIT)
    [merged] = entries_in_db()
    assert merged.insights == "Laptop version, written online. Phone version, written offline."
    assert merged.version == 3
    assert phone.locator("[data-conflict]").count() == 0


def test_logout_warns_about_unsynced_entries_then_wipes_the_device(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "shared-phone@example.org")
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    write_entry(page, "Not for the next person who uses this phone.")
    sync_status(page).filter(has_text="1 waiting").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("alert").filter(has_text="Log out when the network is back").wait_for()
    # Online, but the sync server cannot be reached: the entry still waits.
    context.route("**/api/v1/**", lambda route: route.abort())
    context.set_offline(False)
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("alert").filter(has_text="1 entry has not synced yet").wait_for()
    assert_accessible(page, "logout warning")
    context.unroute("**/api/v1/**")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # rather than wait for the backoff

    # The server answers again: the entry syncs (the journal redraws), nothing is left to lose.
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    account = page.evaluate("document.querySelector('meta[name=\"journal-user\"]').content")
    assert [n for n in page.evaluate("caches.keys()") if account in n]
    page.get_by_role("button", name=re.compile("^Log out")).click()
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_text("You are logged out.").wait_for()
    assert page.evaluate("indexedDB.databases()") == []
    assert [n for n in page.evaluate("caches.keys()") if account in n] == []
    assert "shared phone" not in device_text(page)
    assert len(entries_in_db()) == 1


def test_sync_problems_are_shown_and_nothing_is_dropped(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "problems@example.org")
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()

    # No mood: the device cannot know, the server's form rules say so on sync.
    page.get_by_role("link", name="New entry", exact=True).first.click()
    page.locator("[data-entry-form][data-ready]").wait_for()
    page.get_by_label("Insights").fill("Forgot the mood.")
    page.get_by_role("button", name="Save entry").click()
    sync_status(page).filter(has_text="1 waiting").wait_for()
    context.set_offline(False)
    sync_status(page).filter(has_text="Not saved yet: an entry needs your attention").wait_for(timeout=WAIT)
    card = page.locator("[data-outbox-item]").filter(has_text="Forgot the mood.")
    card.get_by_text("Needs your attention").wait_for()
    assert_accessible(page, "journal with a sync problem")
    card.get_by_role("link").click()
    page.locator("[data-entry-form][data-ready]").wait_for()
    page.get_by_text("Choose your mood from 1 to 10.").first.wait_for()
    assert_accessible(page, "entry form with the server's errors")
    page.get_by_label("5", exact=True).check()
    page.get_by_role("button", name="Save entry").click()
    page.get_by_text("Entry saved.").wait_for(timeout=WAIT)
    [entry] = entries_in_db()
    assert entry.insights == "Forgot the mood." and entry.mood == 5

    # The login expires while an entry waits: it stays until the patient logs in again.
    context.set_offline(True)
    write_entry(page, "Written while my login expired.")
    sync_status(page).filter(has_text="1 waiting").wait_for()
    context.clear_cookies()
    context.set_offline(False)
    sync_status(page).filter(has_text="Sync problem: log in again").wait_for(timeout=WAIT)
    assert len(entries_in_db()) == 1
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill("problems@example.org")
    page.get_by_label("Password").fill("a quiet walk by the river")
    page.get_by_role("button", name="Log in").click()
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    assert len(entries_in_db()) == 2

    # Offline, "Move to Trash" on a saved page waits in the outbox too.
    page.goto(f"{live_server.url}/entries/{entry.id}")
    context.set_offline(True)
    page.reload()
    page.get_by_role("button", name="Move to Trash").click()
    page.get_by_text("Moved to Trash on this device.").wait_for()
    sync_status(page).filter(has_text="1 waiting").wait_for()
    context.set_offline(False)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).deleted_at is not None


def test_an_entry_deleted_for_good_leaves_every_device(live_server, new_context, make_user):
    """Purged on the server (the Trash emptied elsewhere): the next pull removes the copy
    this device kept for offline reading."""
    from tests.conftest import PASSWORD
    from tests.factories import create_entry

    from journal.entries.writes import purge_entries

    patient = make_user()
    entry = create_entry(patient, insights="To be let go of for good.")
    page = new_context(PHONE).new_page()
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    on_device = f"{DB_MODULE}.then((db) => db.get('entries', '{entry.id}')).then(Boolean)"
    wait_until(page, on_device)

    entry.deleted_at = entry.written_at
    purge_entries(entry.owner_id, [entry])
    db.session.commit()
    page.reload()
    wait_until(page, f"{on_device}.then((kept) => !kept)")
