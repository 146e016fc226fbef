"""Guessing is slowed per account and per client, atomically and across processes,
without locking the owner out."""
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from journal.extensions import db
from tests.conftest import PASSWORD
from tests.live_gunicorn import Browserless, Gunicorn

WRONG = "not the right password"


def attacker(app, address="203.0.113.9"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_wrong_passwords_slow_an_unknown_browser_down_step_by_step(app, patient):
    client = attacker(app)
    for _ in range(5):
        assert client.login(patient.email, WRONG).status_code == 400
    paused = client.login(patient.email)  # even the right password waits, from a stranger's browser
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) <= 60
    assert "Too many tries. Wait a minute" in paused.get_data(as_text=True)


def test_the_owner_still_logs_in_on_their_own_device_while_an_attacker_is_slowed(app, patient):
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert owner.login(patient.email).status_code == 302
    owner.logout()
    thief = attacker(app)
    for _ in range(12):
        thief.login(patient.email, WRONG)
    assert thief.login(patient.email).status_code == 429
    assert owner.login(patient.email).status_code == 302


def test_unknown_addresses_are_slowed_the_same_way(app):
    client = attacker(app)
    answers = [client.login("ghost@example.org", WRONG).status_code for _ in range(6)]
    assert answers == [400] * 5 + [429]


def test_spraying_many_addresses_from_one_client_is_limited(app):
    app.config["LOGIN_LIMITS_PER_ADDRESS"] = "8 per 15 minutes"
    client = attacker(app)
    answers = [client.login(f"user{n}@example.org", WRONG).status_code for n in range(9)]
    assert answers == [400] * 8 + [429]
    assert attacker(app, "192.0.2.1").login("user1@example.org", WRONG).status_code == 400


def test_successful_logins_do_not_use_up_the_clients_budget(app, make_user):
    app.config["LOGIN_LIMITS_PER_ADDRESS"] = "3 per 15 minutes"
    client = attacker(app, "10.0.0.5")  # a clinic behind one address
    for _ in range(5):
        user = make_user()
        assert client.login(user.email).status_code == 302
        client.logout()


def test_a_password_reset_lifts_the_wait(app, patient, mailbox):
    client = attacker(app)
    for _ in range(6):
        client.login(patient.email, WRONG)
    assert client.login(patient.email).status_code == 429
    client.submit("/password/forgot", {"email": patient.email})
    body = mailbox.wait_for(1)[0].get_content()
    client.get(re.search(r"http://localhost(/password/reset/\S+)", body).group(1))
    new = "a new tide, a new pier"
    assert client.submit("/password/new", {"password": new, "confirm": new}).status_code == 302
    assert client.login(patient.email, new).status_code == 302


def test_counters_never_hold_an_address_in_clear(app, patient):
    from journal.throttle.models import RateLimitCounter

    attacker(app).login(patient.email, WRONG)
    keys = " ".join(db.session.scalars(sa.select(RateLimitCounter.key)))
    assert keys and patient.email not in keys and patient.email.split("@")[0] not in keys


def test_registration_is_limited_per_client(app):
    app.config["REGISTER_LIMITS"] = "2 per hour"
    client = attacker(app)
    for n in range(2):
        response = client.submit("/register", {"display_name": "R", "email": f"r{n}@example.org",
                                               "password": PASSWORD, "confirm": PASSWORD, "timezone": "UTC"})
        assert response.status_code == 302
        client.logout()
    third = client.submit("/register", {"display_name": "R", "email": "r3@example.org",
                                        "password": PASSWORD, "confirm": PASSWORD, "timezone": "UTC"})
    assert third.status_code == 429 and "Too many attempts" in third.get_data(as_text=True)
    assert client.get("/register").status_code == 200  # only sending is limited


def test_reset_requests_are_limited_per_client_and_per_address(app, patient, mailbox):
    client = attacker(app)
    for _ in range(5):
        assert client.submit("/password/forgot", {"email": patient.email}).status_code == 302
    mailbox.wait_for(3)
    assert len(mailbox.messages) == 3  # three mails an hour for one address, same answer after
    assert client.submit("/password/forgot", {"email": patient.email}).status_code == 429


@pytest.mark.parametrize("storage", ["database", "redis"])
def test_parallel_wrong_passwords_across_two_workers_never_exceed_the_limit(app, patient, tmp_path, storage):
    environment = {"JOURNAL_PROXY_HOPS": "1"}
    if storage == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("no Redis on 127.0.0.1:6379")
        environment["JOURNAL_REDIS_URL"] = "redis://127.0.0.1:6379/15"
        patient.email = f"parallel-{uuid.uuid4().hex[:8]}@example.org"  # Redis outlives the test
        db.session.commit()
    email = patient.email
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, **environment) as server:
        def guess(n):
            return Browserless(server.url, address=f"198.51.100.{n}").login(email, WRONG)[0]

        with ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(pool.map(guess, range(24)))
        assert sorted(answers) == [400] * 5 + [429] * 19
        owner = Browserless(server.url, address="192.0.2.50")
        assert owner.login(email, PASSWORD)[0] == 429  # a new browser waits like anyone


def test_database_counters_restart_after_their_window_and_are_purged_daily(app, runner):
    from journal.throttle.models import RateLimitCounter
    from journal.throttle.storage import DatabaseStorage

    storage = DatabaseStorage()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    db.session.execute(sa.update(RateLimitCounter).values(expires_at=0))
    db.session.commit()
    assert storage.get("k") == 0 and storage.incr("k", 60) == 1
    storage.incr("old", 60)
    db.session.execute(sa.update(RateLimitCounter).where(RateLimitCounter.key == "old").values(expires_at=0))
    db.session.commit()
    assert "Dropped 1 expired rate-limit counters" in runner.invoke(args=["purge-trash"]).output
