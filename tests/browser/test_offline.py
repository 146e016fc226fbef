"""The installed app on a phone: offline writing, sync exactly once, conflicts, logout."""
import re
import uuid

import sqlalchemy as sa

from journal.entries.models import Entry
from journal.extensions import db
from tests.browser.conftest import PHONE, assert_accessible, register_in_browser

WAIT = 15_000


def wait_for_service_worker(page):
    """The service worker controls the page and has the personal pages for offline use."""
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=WAIT)
    page.wait_for_function(
        "caches.open('journal-pages').then((c) => c.match('/entries/new')).then(Boolean)", timeout=WAIT)


def sync_status(page):
    return page.locator("[data-sync-text]")


def entries_in_db():
    db.session.expire_all()
    return db.session.scalars(sa.select(Entry)).all()


def test_chromium_finds_the_app_installable(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "install@example.org")
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
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
    page.get_by_text("Written on the mountain, no signal.").wait_for()
    page.get_by_text("Tell my therapist about the eagle").wait_for()
    assert len(entries_in_db()) == 1
