"""What the device keeps for offline use, and for how long."""
import re
from urllib.parse import parse_qs, urlsplit

from journal.entries.writes import purge_entries
from journal.extensions import db
from journal.pwa.routes import OFFLINE_PAGES
from tests.browser.conftest import (DB_MODULE, PHONE, SAVED_ANYWHERE, WAIT, entries_in_db, log_in, register_in_browser,
                                    sync_status, wait_for_service_worker, wait_until, wait_until_forgotten,
                                    write_entry)
from tests.factories import create_entry


CACHED_URLS = ("caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n)"
               ".then((c) => c.keys())))).then((all) => all.flat().map((r) => r.url))")


def test_only_the_pages_offline_use_needs_are_kept(live_server, new_context):
    base = live_server.url
    page = new_context(PHONE).new_page()
    register_in_browser(page, base, "kept@example.org")
    wait_for_service_worker(page)
    write_entry(page, "A page that should not be kept.")
    page.get_by_text("Entry saved.").wait_for()
    entry_url = page.url
    page.get_by_role("link", name="Edit").click()
    page.locator("[data-entry-form][data-ready]").wait_for()
    for path in ("/trash", "/account", "/?q=kept", "/steps"):
        page.goto(f"{base}{path}")
    page.goto(f"{base}/")
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    page.wait_for_load_state("networkidle")

    cached = page.evaluate(CACHED_URLS)
    pages = {url.removeprefix(base) for url in cached if not url.startswith(f"{base}/static/")}
    # (and the worker's note of whose saved pages open offline; the questionnaires and the
    # safety plan, which a crisis may need with no network)
    kept = {"/", "/entries/new", "/offline", "/manifest.webmanifest", "/device/current-account", *OFFLINE_PAGES}
    assert pages <= kept, pages
    assert entry_url not in cached and f"{entry_url}/edit" not in cached
    # The journal's cache is this account's, and goes with the next release.
    account = page.evaluate("document.querySelector('meta[name=\"journal-user\"]').content")
    version = re.search(r'const VERSION = "([0-9a-f]+)"', page.request.get(f"{base}/sw.js").text()).group(1)
    assert f"journal-pages-{account}-{version}" in page.evaluate("caches.keys()")


def _a_phone_whose_saved_journal_shows(new_context, base: str, email: str, words: str):
    """A new patient's phone with one entry, its journal page saved for offline use:
    (context, page, the entry's URL)."""
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, base, email)
    wait_for_service_worker(page)
    write_entry(page, words)
    page.get_by_text("Entry saved.").wait_for()
    entry_url = page.url
    page.get_by_role("link", name="Journal", exact=True).click()
    wait_until(page, f"({SAVED_ANYWHERE})('/').then((html) => html.includes({words!r}))")
    return context, page, entry_url


def _delete_the_only_entry_for_good() -> None:
    """As another device would: this phone hears it from the changes feed."""
    [entry] = entries_in_db()
    entry.deleted_at = entry.written_at
    purge_entries(entry.owner_id, [entry])
    db.session.commit()


def test_an_entry_deleted_for_good_elsewhere_is_not_readable_offline(live_server, new_context):
    base = live_server.url
    context, page, entry_url = _a_phone_whose_saved_journal_shows(
        new_context, base, "let-go@example.org", "Words I will let go of for good.")
    _delete_the_only_entry_for_good()
    page.goto(f"{base}/steps")
    wait_until_forgotten(page, "let go of for good")

    context.set_offline(True)
    for url in (entry_url, f"{base}/"):
        page.goto(url)
        page.locator("main").wait_for()
        assert page.get_by_text("let go of for good").count() == 0, url


def test_a_journal_page_fetched_before_an_entry_was_deleted_for_good_is_not_kept_after(live_server, new_context):
    """The service worker refreshes the saved journal page in the background. A copy it
    fetched just before the entry was deleted for good, arriving after the device forgot
    the entry, must not put the words back."""
    base = live_server.url
    context, page, _entry_url = _a_phone_whose_saved_journal_shows(
        new_context, base, "in-flight@example.org", "Words on their way back from the server.")

    held = []

    def hold_the_first_background_refresh(route):
        if held or route.request.headers.get("x-journal-background") != "1":
            route.continue_()
            return
        held.append((route, route.fetch()))  # the page as it was before the deletion

    context.route(f"{base}/", hold_the_first_background_refresh)
    page.evaluate("navigator.serviceWorker.controller.postMessage('cache-personal-pages')")
    for _ in range(WAIT // 100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the service worker did not refresh the journal page"

    _delete_the_only_entry_for_good()
    page.goto(f"{base}/steps")
    wait_until(page, f"({SAVED_ANYWHERE})('/').then((html) => !html.includes('on their way back'))")

    route, stale = held[0]
    route.fulfill(response=stale)
    # The worker may store the copy for a moment, until the page's word reaches it; what
    # matters is that it does not stay.
    page.wait_for_timeout(1500)
    assert "on their way back" not in page.evaluate(f"({SAVED_ANYWHERE})('/')")
    context.unroute(f"{base}/")


def test_a_cursor_the_server_no_longer_reads_is_dropped_and_the_feed_read_from_the_start(
        live_server, new_context, make_user):
    """A release changes the feed's cursor format: cursors made before it get a 400."""
    base = live_server.url
    patient = make_user()
    create_entry(patient, insights="Already on the phone.")
    context = new_context(PHONE)
    page = context.new_page()
    sent = []
    release = {"done": False, "cursors": set()}

    def feed(route):
        since = parse_qs(urlsplit(route.request.url).query).get("since", [""])[0]
        sent.append(since)
        if release["done"] and since and since not in release["cursors"]:
            route.fulfill(status=400, json={"error": "That request could not be understood", "status": 400,
                                            "message": "That since cursor is not valid; start again without it."})
            return
        response = route.fetch()
        if release["done"]:
            release["cursors"].add(response.json()["next"])
        route.fulfill(response=response)

    context.route(re.compile(r".*/api/v1/entries\?.*"), feed)
    log_in(page, base, patient.email)
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    wait_until(page, f"{ON_DEVICE}.then((texts) => texts.includes('Already on the phone.'))")
    page.reload()
    sync_status(page).filter(has_text="All synced").wait_for(timeout=WAIT)
    page.wait_for_load_state("networkidle")
    assert [since for since in sent if since], "the phone pulls with its cursor"

    release["done"] = True
    create_entry(patient, insights="Written after the release.")
    page.goto(f"{base}/steps")
    wait_until(page, f"{ON_DEVICE}.then((texts) => texts.includes('Written after the release.'))")
    assert "Already on the phone." in page.evaluate(ON_DEVICE)


#: The insights of the entries this device keeps for offline reading.
ON_DEVICE = (f"{DB_MODULE}.then((db) => db.cachedEntries())"
             ".then((entries) => entries.map((e) => e.insights))")
