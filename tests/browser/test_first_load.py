"""A first visit downloads what its page uses and nothing more: the journal page, opened
most, has no form and (online, nothing waiting) no list drawn from the device, so that
code waits for the pages and moments that need it."""
from tests.browser.conftest import log_in, wait_until

NOT_ON_THE_JOURNAL = {"/static/js/entry-form.js", "/static/js/measure-form.js", "/static/js/draft.js",
                      "/static/js/discard.js", "/static/js/char-count.js", "/static/js/offline-views.js",
                      "/static/js/dates.js"}
LOADED = "performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname)"


def loaded_paths(page) -> set[str]:
    page.wait_for_load_state("networkidle")
    return set(page.evaluate(LOADED))


def test_the_journal_page_loads_no_form_code_and_no_device_lists(live_server, new_context, make_user):
    patient = make_user()
    page = new_context(service_workers="block").new_page()
    log_in(page, live_server.url, patient.email)
    page.wait_for_url(f"{live_server.url}/")
    loaded = loaded_paths(page)
    assert "/static/js/outbox.js" in loaded
    assert not loaded & NOT_ON_THE_JOURNAL


def test_a_page_with_a_form_loads_that_form_s_code(live_server, new_context, make_user):
    patient = make_user()
    page = new_context(service_workers="block").new_page()
    log_in(page, live_server.url, patient.email)
    page.goto(f"{live_server.url}/entries/new")
    assert {"/static/js/entry-form.js", "/static/js/draft.js"} <= loaded_paths(page)
    page.goto(f"{live_server.url}/measures/phq9/new")
    loaded = loaded_paths(page)
    assert "/static/js/measure-form.js" in loaded
    assert "/static/js/entry-form.js" not in loaded


def wait_for_request_to(page, path: str) -> None:
    wait_until(page, f"({LOADED}).includes({path!r})")


def test_a_browser_that_allows_notifications_asks_for_its_subscription_back(live_server, new_context, make_user):
    """push.js loads on a page open only where notifications are allowed; there it gives a
    dropped subscription back (it asks for the server's key to subscribe again)."""
    patient = make_user()
    context = new_context()
    page = context.new_page()
    log_in(page, live_server.url, patient.email)
    page.evaluate("localStorage.setItem('journal-push-on', '1')")
    page.reload()
    assert "/static/js/push.js" not in loaded_paths(page)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page.reload()
    wait_for_request_to(page, "/reminders/push-key")
