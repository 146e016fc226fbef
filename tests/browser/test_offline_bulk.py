"""A thousand entries written offline reach the server once each when the network is back."""
import time
import uuid

import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError

from journal.entries.models import Entry
from journal.extensions import db
from tests.browser.conftest import OUTBOX_MODULE, PHONE, register_in_browser, wait_for_service_worker

COUNT = 1000
#: Generous: the figure itself is the bench's business (bench/offline_sync.py), not a test's.
SYNC_LIMIT = 180

#: Queue ``count`` new entries in the outbox through the page's own outbox.js.
QUEUE = """async ([ids]) => {
  const outbox = await %s;
  for (const [n, id] of ids.entries()) {
    await outbox.saveEntry(id, { insights: `Offline entry ${n}`, mood: 6 }, null);
  }
}""" % OUTBOX_MODULE


def ids_in_db() -> list[str]:
    db.session.expire_all()
    return [str(i) for i in db.session.scalars(sa.select(Entry.id))]


def wait_for_server(expected: int, limit: float = SYNC_LIMIT) -> float:
    """Seconds until the server holds ``expected`` entries (polling its database)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if len(ids_in_db()) >= expected:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"only {len(ids_in_db())} of {expected} entries reached the server")


def outbox_count(page) -> int | None:
    """Items in the page's outbox; None while the page reloads (it does once the sync has
    applied entries: until its app.js has run, its db.js has no account to read)."""
    try:
        return page.evaluate(f"{OUTBOX_MODULE.replace('outbox.js', 'db.js')}"
                             ".then((db) => (db.owner() ? db.count('outbox') : null))")
    except PlaywrightError:
        return None


def test_a_thousand_offline_entries_reach_the_server_exactly_once(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "bulk@example.org")
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    ids = [str(uuid.uuid4()) for _ in range(COUNT)]
    page.evaluate(QUEUE, [ids])
    assert ids_in_db() == []

    context.set_offline(False)
    seconds = wait_for_server(COUNT)
    print(f"\n{COUNT} offline entries reached the server in {seconds:.1f} s")
    # Once each, by id: nothing lost, nothing doubled; then the outbox empties.
    assert sorted(ids_in_db()) == sorted(ids)
    page.wait_for_timeout(100)
    for _ in range(SYNC_LIMIT * 10):
        if outbox_count(page) == 0:
            break
        page.wait_for_timeout(100)
    assert outbox_count(page) == 0
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.max(Entry.version))) == 1


def test_an_older_server_without_batches_gets_the_entries_one_by_one(live_server, new_context):
    context = new_context(PHONE)
    page = context.new_page()
    register_in_browser(page, live_server.url, "older-server@example.org")
    wait_for_service_worker(page)
    singles = []
    context.route("**/api/v1/batch", lambda route: route.fulfill(
        status=404, content_type="application/json", body='{"error": "Page not found", "status": 404}'))
    page.on("request", lambda request: singles.append(request.url) if request.method == "PUT" else None)
    context.set_offline(True)
    page.reload()
    ids = [str(uuid.uuid4()) for _ in range(30)]
    page.evaluate(QUEUE, [ids])

    context.set_offline(False)
    for _ in range(SYNC_LIMIT * 10):  # Playwright answers the route only while called
        if len(ids_in_db()) >= len(ids):
            break
        page.wait_for_timeout(100)
    assert sorted(ids_in_db()) == sorted(ids)
    assert {url.rsplit("/", 1)[-1] for url in singles if "/api/v1/entries/" in url} == set(ids)


def test_a_new_device_pulls_only_the_entries_it_keeps(live_server, new_context, make_user):
    from datetime import timedelta

    from journal.timeutil import utcnow
    from tests.conftest import PASSWORD
    from tests.factories import create_entry

    patient = make_user()
    start = utcnow() - timedelta(days=100)
    for day in range(60):
        create_entry(patient, insights=f"Day {day}", written_at=start + timedelta(days=day))
    create_entry(patient, insights="In the Trash", written_at=start + timedelta(days=61), deleted=True)
    page = new_context(PHONE).new_page()
    pulls = []
    page.on("request", lambda request: pulls.append(request.url) if "/api/v1/entries?" in request.url else None)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Your journal").wait_for()
    db_module = OUTBOX_MODULE.replace("outbox.js", "db.js")
    cached = f"{db_module}.then((db) => db.cachedEntries()).then((entries) => entries.map((e) => e.insights))"
    for _ in range(100):
        if len(page.evaluate(cached)) == 50:
            break
        page.wait_for_timeout(100)
    assert page.evaluate(cached) == [f"Day {day}" for day in range(59, 9, -1)]
    assert [url.split("?", 1)[1] for url in pulls[:1]] == ["latest=50"]

    # From then on, only what changes.
    create_entry(patient, insights="Written on the laptop", written_at=utcnow())
    pulls.clear()
    page.reload()
    page.get_by_role("heading", name="Your journal").wait_for()
    for _ in range(100):
        if "Written on the laptop" in page.evaluate(cached):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(cached)[0] == "Written on the laptop"
    assert pulls and all("since=" in url for url in pulls)
