"""A live server and Debian's headless Chromium, driven by Playwright.

The server runs the real app in a thread on a free loopback port, against the
test's own fresh database, so a test can check the database after a journey.
"""
import os
import re
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from journal.entries.models import Entry
from journal.extensions import db

CHROMIUM = "/usr/bin/chromium"
#: Flags for a closed network: no background calls home, no GPU in CI.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
PHONE = {"viewport": {"width": 360, "height": 780}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "a quiet walk by the river"
#: How long a sync may take to settle (milliseconds).
WAIT = 15_000
#: The page's own db.js module (the URL it loaded, with its content hash), so a test reads
#: the same module instance, and the same account, as the page.
DB_MODULE = ("import(performance.getEntriesByType('resource').map((entry) => entry.name)"
             ".find((name) => name.includes('/static/js/db.js')))")
#: The page's own outbox.js module, the same way.
OUTBOX_MODULE = DB_MODULE.replace("/static/js/db.js", "/static/js/outbox.js")


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        # CI (.ci/run) installs it and never skips; on a laptop, say what is missing.
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Opens browser contexts (separate devices) and closes them after the test."""
    contexts = []

    def open_context(device: dict = PHONE, **options):
        context = browser.new_context(**device, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_context):
    """A page in a fresh phone-sized browser context."""
    return new_context(PHONE).new_page()


def assert_accessible(page, label: str = "") -> None:
    """axe-core finds no WCAG 2.2 A/AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                       "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"{label or page.url}:\n{results.generate_report()}"


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def register_in_browser(page, base_url: str, email: str, password: str = PASSWORD,
                        name: str = "Robin") -> None:
    page.goto(f"{base_url}/register")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/$"))


def log_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def wait_until(page, script, timeout_ms=WAIT):
    """Poll ``script`` with page.evaluate (wait_for_function would need eval, which our
    Content-Security-Policy forbids)."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")


def wait_for_service_worker(page):
    """The service worker controls the page and has the entry form saved for offline use."""
    wait_until(page, "navigator.serviceWorker.controller !== null")
    wait_until(page, "caches.match('/entries/new').then(Boolean)")


#: The text of a page saved for offline use for this page's account ('' when none is).
SAVED_PAGE = """async (path) => {
  const account = document.querySelector('meta[name="journal-user"]')?.content;
  for (const name of await caches.keys()) {
    const saved = account && name.includes(account) && await (await caches.open(name)).match(path);
    if (saved) return saved.text();
  }
  return '';
}"""


#: The text of a page saved for offline use, in every cache that has it.
SAVED_ANYWHERE = """async (path) => {
  const texts = [];
  for (const name of await caches.keys()) {
    const saved = await (await caches.open(name)).match(path);
    if (saved) texts.push(await saved.text());
  }
  return texts.join('\\n');
}"""


def sync_status(page):
    return page.locator("[data-sync-text]")


def entries_in_db():
    db.session.expire_all()
    return db.session.scalars(sa.select(Entry)).all()


def write_entry(page, text, mood="6"):
    """Write an entry through the enhanced form (online or off)."""
    page.get_by_role("link", name="New entry", exact=True).first.click()
    page.locator("[data-entry-form][data-ready]").wait_for()
    page.get_by_label("Insights").fill(text)
    if mood:
        page.get_by_label(mood, exact=True).check()
    page.get_by_role("button", name="Save entry").click()


#: Everything this site keeps on the device, as text: every IndexedDB database's records
#: and every cached response. What a next user of the browser could read.
DEVICE_TEXT = """async () => {
  const result = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const texts = [];
  for (const { name } of await indexedDB.databases()) {
    const idb = await result(indexedDB.open(name));
    for (const store of idb.objectStoreNames) {
      texts.push(JSON.stringify(await result(idb.transaction(store).objectStore(store).getAll())));
    }
    idb.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);  // gone since keys(), as the app forgot it
      if (response) texts.push(request.url, await response.text());
    }
  }
  return texts.join('\\n');
}"""


def device_text(page) -> str:
    return page.evaluate(DEVICE_TEXT)


def wait_until_forgotten(page, text: str, timeout_ms=WAIT) -> None:
    """Nothing this site keeps on the device holds ``text`` any more."""
    for _ in range(timeout_ms // 100):
        if text not in device_text(page):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the device still holds {text!r}")


def open_page(page, name: str) -> None:
    """Follow the link ``name`` from the main navigation: on a phone, pages without a tab of
    their own (Sessions, Care team, Account …) are one tap further, under More."""
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        page.get_by_role("navigation", name="Tabs").get_by_role("link", name="More").click()
        link = page.get_by_role("main").get_by_role("link", name=re.compile(f"^{re.escape(name)}"))
    link.first.click()
