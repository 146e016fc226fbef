"""Nothing on the journal page moves after it is drawn: no layout shift (CLS 0)."""
import time

from tests.browser.conftest import PHONE, register_in_browser

LAYOUT_SHIFT = """
() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
  setTimeout(() => resolve(total), 500);
})
"""


def slow_scripts(route):
    """A slow phone: the page paints well before its script runs."""
    time.sleep(0.6)
    route.continue_()


def test_the_journal_page_does_not_shift_when_the_sync_line_fills_in(live_server, new_context):
    # No service worker: it would answer from its cache, where the delay cannot reach.
    phone = new_context(PHONE, service_workers="block").new_page()
    register_in_browser(phone, live_server.url, "steady@example.org")
    phone.route("**/static/js/app.js*", slow_scripts)
    phone.goto(f"{live_server.url}/")
    phone.locator("[data-sync-status]:not([hidden])").wait_for()
    phone.wait_for_function("document.querySelector('[data-sync-text]').textContent.length > 0")
    assert phone.evaluate(LAYOUT_SHIFT) == 0


def test_the_new_entry_form_does_not_shift_when_the_character_count_starts(live_server, new_context):
    phone = new_context(PHONE, service_workers="block").new_page()
    register_in_browser(phone, live_server.url, "steady-form@example.org")
    phone.route("**/static/js/app.js*", slow_scripts)
    phone.goto(f"{live_server.url}/entries/new")
    phone.locator("#insights-count").filter(has_text="characters left").wait_for()
    assert phone.evaluate(LAYOUT_SHIFT) == 0
