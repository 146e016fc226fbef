"""Whether the browser promises to keep the journal on the device, said plainly."""
from tests.browser.conftest import (open_page, PHONE, assert_accessible, assert_no_horizontal_scroll, register_in_browser,
                                    write_entry)

#: Counts the page's requests for persistent storage, across page loads.
COUNT_PERSIST_REQUESTS = """
const ask = StorageManager.prototype.persist;
StorageManager.prototype.persist = function () {
  sessionStorage.setItem('persist-asked', String(Number(sessionStorage.getItem('persist-asked') || 0) + 1));
  return ask.call(this);
};
"""
GRANTED = "StorageManager.prototype.persisted = async () => true;"


def test_the_account_page_says_whether_the_browser_keeps_the_journal(live_server, new_context):
    context = new_context(PHONE)
    context.add_init_script(COUNT_PERSIST_REQUESTS)
    page = context.new_page()
    register_in_browser(page, live_server.url, "persist@example.org")
    # Asked once there is something to lose: after the first save on this device.
    write_entry(page, "Keep me.")
    page.get_by_text("Entry saved.").wait_for()
    assert int(page.evaluate("sessionStorage.getItem('persist-asked') || 0")) >= 1

    open_page(page, "Account")
    line = page.locator("[data-storage-persistence]")
    # Playwright's profiles are incognito, where Chromium never grants it.
    assert page.evaluate("navigator.storage.persisted()") is False
    line.filter(has_text="has not promised").wait_for()
    assert "unknown" not in line.inner_text()
    assert_accessible(page, "account page")
    assert_no_horizontal_scroll(page)


def test_the_account_page_says_so_when_the_browser_promised(live_server, new_context):
    context = new_context(PHONE)
    context.add_init_script(GRANTED)
    page = context.new_page()
    register_in_browser(page, live_server.url, "persisted@example.org")
    open_page(page, "Account")
    page.locator("[data-storage-persistence]").filter(has_text="has promised").wait_for()
