"""What the device keeps for offline use, and for how long."""
import re
from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import PHONE, WAIT, log_in, sync_status, wait_until
from tests.factories import create_entry


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
ON_DEVICE = ("import('/static/js/db.js').then((db) => db.cachedEntries())"
             ".then((entries) => entries.map((e) => e.insights))")
