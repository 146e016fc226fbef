"""First load of the journal page: the bytes Chromium transfers for the page, its scripts and
its stylesheet on a cold cache, as a patient who just logged in on a new browser (no HTTP
cache, no service worker yet). The app runs under gunicorn on SQLite; with
``BENCH_BASELINE=<rev>`` that revision is measured first, on its own database, and the
ratio printed. Counts come from the page's Resource Timing (``transferSize``: headers and
body as sent, compressed or not); the service worker's own fetches, made after the page
loaded to fill its offline cache, are not the page's and are not counted."""
import contextlib
import os
import sys

from baseline import baseline_checkout
from databases import fresh_database
from offline_sync import CHROMIUM, code_of, log_in, serving

BASELINE = os.environ.get("BENCH_BASELINE", "")
SIZES = """() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
  .map((entry) => [entry.name, entry.initiatorType, entry.transferSize, entry.decodedBodySize])"""


def logged_in_state(browser, base_url: str, email: str) -> dict:
    """Cookies of a fresh login, to open the journal in a context with nothing cached."""
    context = browser.new_context(service_workers="block")
    log_in(context, base_url, email)
    state = context.storage_state()
    context.close()
    return state


def first_load(browser, base_url: str, email: str) -> list[tuple[str, str, int, int]]:
    """(url, kind, bytes transferred, bytes decoded) of each response the journal page loaded."""
    context = browser.new_context(storage_state=logged_in_state(browser, base_url, email))
    page = context.new_page()
    page.goto(f"{base_url}/", wait_until="load")
    page.wait_for_load_state("networkidle")
    sizes = [tuple(row) for row in page.evaluate(SIZES)]
    context.close()
    return sizes


def is_page_code(url: str, kind: str) -> bool:
    """The page itself, a script or a stylesheet: what the first-load target counts (not the
    API calls the scripts make, nor the icon)."""
    path = url.split("?")[0]
    return kind == "navigation" or path.endswith((".js", ".css"))


def measure(browser, checkout) -> tuple[str, int, int]:
    """(code, bytes transferred, bytes decoded) of the journal page's first load: the HTML,
    its scripts and its stylesheet."""
    code = code_of(checkout)
    with serving(fresh_database("sqlite"), checkout) as (base_url, _url, _owner_id, email):
        sizes = first_load(browser, base_url, email)
    for url, kind, sent, decoded in sizes:
        print(f"<!-- {code}: {kind:<10} {sent:>7,} B sent, {decoded:>7,} B decoded  {url.split('/', 3)[-1]} -->")
    counted = [row for row in sizes if is_page_code(row[0], row[1])]
    sent, decoded = sum(row[2] for row in counted), sum(row[3] for row in counted)
    print(f"{code}: journal page first load, HTML + {len(counted) - 1} scripts and stylesheets: "
          f"{sent:,} bytes transferred ({decoded:,} bytes decoded); with the API calls and the icon, "
          f"{len(sizes)} responses, {sum(row[2] for row in sizes):,} bytes", flush=True)
    return code, sent, decoded


def main() -> int:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, \
            (baseline_checkout(BASELINE) if BASELINE else contextlib.nullcontext()) as baseline:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        before = measure(browser, baseline) if baseline is not None else None
        after = measure(browser, None)
        browser.close()
    if before is not None:
        print(f"{after[0]} transfers {after[1] / before[1]:.0%} of {before[0]}'s bytes for the page, its scripts "
              f"and its stylesheet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
