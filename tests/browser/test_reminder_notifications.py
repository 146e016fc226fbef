"""A delivered push becomes a visible, content-free notification, and a tap opens the page."""
import json

from journal.reminders.messages import notice_for
from journal.reminders.push import payload
from tests.browser.conftest import log_in, wait_for_service_worker, wait_until

SHOWN = ("self.registration.getNotifications().then((shown) => shown.map("
         "(n) => ({title: n.title, body: n.body, path: n.data.path})))")


def registration_id(cdp, scope: str) -> str:
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: found.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]}))
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        if scope in found:
            return found[scope]
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets the events arrive
    raise AssertionError(f"no service worker registration for {scope}: {found}")


def test_a_pushed_reminder_shows_a_notification_whose_tap_opens_the_entry(
        live_server, new_context, patient):
    base = live_server.url
    context = new_context()
    context.grant_permissions(["notifications"], origin=base)
    page = context.new_page()
    log_in(page, base, patient.email)
    page.goto(f"{base}/reminders/")
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    registration = registration_id(cdp, f"{base}/")

    data = payload(notice_for("care", "/steps/"), "https://elsewhere.example/steps/", "a-tag")
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": base, "registrationId": registration,
                                                  "data": data})
    [worker] = context.service_workers
    for _ in range(100):
        shown = worker.evaluate(SHOWN)
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [{"title": "Integration Journal", "body": "You have a new note in your journal.",
                      "path": "/steps/"}]  # the push's own origin is ignored: never leave the app

    # A tap: the worker's click handler focuses the open window and sends it to the page.
    worker.evaluate("""self.registration.getNotifications().then(([shown]) =>
        self.dispatchEvent(new NotificationEvent('notificationclick', { notification: shown })))""")
    page.wait_for_url(f"{base}/steps/")
    assert worker.evaluate("self.registration.getNotifications().then((shown) => shown.length)") == 0


def test_a_push_without_readable_data_still_shows_a_notification(live_server, new_context, patient):
    base = live_server.url
    context = new_context()
    context.grant_permissions(["notifications"], origin=base)
    page = context.new_page()
    log_in(page, base, patient.email)
    page.goto(f"{base}/reminders/")
    wait_for_service_worker(page)
    cdp = context.new_cdp_session(page)
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": base, "registrationId": registration_id(cdp, f"{base}/"),
                                                  "data": "not json"})
    [worker] = context.service_workers
    for _ in range(100):
        shown = worker.evaluate(SHOWN)
        if shown:
            break
        page.wait_for_timeout(100)
    assert shown == [{"title": "Integration Journal", "body": "You have a new note in your journal.", "path": "/"}]
    assert json.loads(payload(notice_for("daily", "/"), "x", "t"))["web_push"] == 8030


def test_the_reminders_page_is_accessible_and_offers_notifications_after_a_tap(live_server, phone, patient):
    from tests.browser.conftest import assert_accessible

    log_in(phone, live_server.url, patient.email)
    phone.goto(f"{live_server.url}/reminders/")
    wait_until(phone, "!document.querySelector('[data-push-panel]').hidden")
    # Nothing was asked yet: the browser's permission prompt waits for the person's tap.
    assert phone.evaluate("Notification.permission") == "default"
    assert phone.get_by_role("button", name="Turn on notifications on this device").is_visible()
    assert_accessible(phone, "reminders")


def test_on_an_iphone_outside_the_home_screen_the_page_explains_adding_it_first(live_server, new_context, patient):
    iphone = new_context(user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 "
                                    "(KHTML, like Gecko) Version/18.4 Mobile/15E148 Safari/604.1").new_page()
    log_in(iphone, live_server.url, patient.email)
    iphone.goto(f"{live_server.url}/reminders/")
    wait_until(iphone, "!document.querySelector('[data-push-panel]').hidden")
    assert iphone.get_by_text("Add to Home Screen").is_visible()
    assert not iphone.get_by_role("button", name="Turn on notifications on this device").is_visible()
