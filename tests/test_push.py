"""Web Push: subscriptions, VAPID keys, delivery to a real push service on loopback."""
import json
from datetime import datetime, time, timezone

import pytest
import sqlalchemy as sa

from journal.extensions import db
from journal.reminders.models import PushSubscription, ReminderDelivery
from journal.reminders.send import send_due
from journal.reminders.server_keys import application_server_key, b64url_decode
from tests.push_service import PushService
from tests.test_reminders import turn_on

UTC = timezone.utc
EIGHT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def push_service():
    service = PushService()
    yield service
    service.stop()


@pytest.fixture
def push(app, push_service, tmp_path):
    """The push service on loopback, which only tests may post to."""
    app.config["PUSH_ALLOW_PRIVATE_HOSTS"] = True
    push_service.problems.clear()
    return push_service


def post_subscription(client, data):
    return client.post("/reminders/push-subscriptions", data=json.dumps(data),
                       headers={"Content-Type": "application/json", "X-CSRFToken": client.csrf_token()})


def subscriptions() -> list[PushSubscription]:
    return list(db.session.scalars(sa.select(PushSubscription)))


def test_a_daily_reminder_reaches_the_phone_as_a_content_free_notification(
        app, patient_client, patient, push, mailbox):
    browser = push.new_browser()
    assert post_subscription(patient_client, browser.subscription_json()).status_code == 201
    turn_on(patient, daily_at=time(8, 0))
    assert send_due(EIGHT) == 1
    assert push.problems == []
    [shown] = browser.shown
    assert shown == {"web_push": 8030, "notification": {
        "title": "Integration Journal", "body": "A moment to write in your journal?",
        "navigate": "http://127.0.0.1:5000/entries/new", "tag": shown["notification"]["tag"],
        "silent": False}}
    assert mailbox.messages == []  # the push reached the device: no mail
    assert db.session.scalar(sa.select(ReminderDelivery.channels)) == "push"


def test_always_email_sends_mail_besides_the_push(app, patient_client, patient, push, mailbox):
    browser = push.new_browser()
    post_subscription(patient_client, browser.subscription_json())
    turn_on(patient, daily_at=time(8, 0), always_email=True)
    send_due(EIGHT)
    assert len(browser.shown) == 1 and len(mailbox.wait_for(1)) == 1


@pytest.mark.parametrize("gone", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_removed_and_mail_takes_over(
        app, patient_client, patient, push, mailbox, gone):
    browser = push.new_browser()
    post_subscription(patient_client, browser.subscription_json())
    browser.answer = gone
    turn_on(patient, daily_at=time(8, 0))
    assert send_due(EIGHT) == 1
    assert subscriptions() == []
    assert "A moment to write" in mailbox.wait_for(1)[0].get_body().get_content()


def test_subscribing_again_from_the_same_browser_keeps_one_row(app, patient_client, push):
    browser = push.new_browser()
    for _ in range(2):
        assert post_subscription(patient_client, browser.subscription_json()).status_code == 201
    assert len(subscriptions()) == 1


def test_unsubscribing_forgets_the_browser(app, patient_client, push):
    browser = push.new_browser()
    post_subscription(patient_client, browser.subscription_json())
    answer = patient_client.post("/reminders/push-subscriptions/delete",
                                 data=json.dumps({"endpoint": browser.endpoint}),
                                 headers={"Content-Type": "application/json",
                                          "X-CSRFToken": patient_client.csrf_token()})
    assert answer.status_code == 204 and subscriptions() == []


def good_keys(push_service=None):
    from tests.push_service import Browser

    return Browser(endpoint="https://push.example.org/x").subscription_json()["keys"]


@pytest.mark.parametrize("subscription", [
    "not an object",
    {"endpoint": "https://fcm.googleapis.com/fcm/send/abc"},
    {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"p256dh": "AAAA", "auth": "AAAA"}},
    {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": good_keys() | {"auth": "c2hvcnQ"}},
    {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": good_keys() | {"p256dh": "B" * 87}},
    {"endpoint": "not a url at all", "keys": good_keys()},
    {"endpoint": "ftp://push.example.org/x", "keys": good_keys()},
    {"endpoint": "http://push.example.org/x", "keys": good_keys()},
    {"endpoint": "https://127.0.0.1/push", "keys": good_keys()},
    {"endpoint": "https://localhost:8443/push", "keys": good_keys()},
    {"endpoint": "https://10.1.2.3/push", "keys": good_keys()},
    {"endpoint": "https://169.254.169.254/latest/meta-data", "keys": good_keys()},
    {"endpoint": "https://[::1]/push", "keys": good_keys()},
    {"endpoint": "https://user:pw@push.example.org/x", "keys": good_keys()},
    {"endpoint": "https://push.example.org/" + "x" * 1100, "keys": good_keys()},
])
def test_a_malformed_or_inward_subscription_is_refused_and_nothing_stored(patient_client, subscription):
    answer = post_subscription(patient_client, subscription)
    assert answer.status_code == 400 and answer.json["error"]
    assert subscriptions() == []


def test_subscribing_needs_a_login_and_a_csrf_token(app, client, patient_client, push):
    browser = push.new_browser()
    assert post_subscription(client, browser.subscription_json()).status_code in (302, 401)
    assert patient_client.post("/reminders/push-subscriptions",
                               json=browser.subscription_json()).status_code == 400
    assert subscriptions() == []


def test_vapid_key_is_generated_once_into_the_instance_folder(app):
    key = application_server_key()
    assert len(b64url_decode(key)) == 65 and b64url_decode(key)[0] == 4
    assert application_server_key() == key
    from pathlib import Path

    path = Path(app.instance_path) / "vapid_private_key.pem"
    assert path.exists() and path.stat().st_mode & 0o077 == 0


def test_vapid_key_can_come_from_the_environment(app):
    from cryptography.hazmat.primitives.asymmetric import ec

    from journal.reminders.server_keys import b64url

    private = ec.generate_private_key(ec.SECP256R1())
    app.config["VAPID_PRIVATE_KEY"] = b64url(private.private_numbers().private_value.to_bytes(32, "big"))
    from cryptography.hazmat.primitives import serialization

    expected = private.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)
    assert b64url_decode(application_server_key()) == expected


def test_push_key_page_gives_the_public_key(patient_client):
    answer = patient_client.get("/reminders/push-key")
    assert len(b64url_decode(answer.json["publicKey"])) == 65
