"""The owner sees their account's security activity; the log names no secrets."""
import logging
import re

import sqlalchemy as sa

from journal.extensions import db
from journal.security_log.models import SecurityEvent
from tests.conftest import PASSWORD

NEW = "a slow tide under the pier"


def kinds(user) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(SecurityEvent.kind).where(SecurityEvent.user_id == user.id)
                                   .order_by(SecurityEvent.at)))


def test_log_ins_failures_password_changes_and_ended_logins_are_recorded(app, patient, make_user, caplog):
    phone, laptop = app.test_client(), app.test_client()
    with caplog.at_level(logging.INFO, logger="journal.security"):
        laptop.login(patient.email, "wrong password here")
        laptop.login(patient.email)
        phone.login(patient.email)
        laptop.submit("/account/password", {"current": PASSWORD, "password": NEW, "confirm": NEW})
        laptop.submit("/account/logins/end-others")
        laptop.logout()
    assert kinds(patient) == ["login-failed", "login", "login", "password-changed", "logout-everywhere",
                              "logout"]
    logged = caplog.text
    assert str(patient.id) in logged
    for secret in (patient.email, PASSWORD, NEW, "wrong password here"):
        assert secret not in logged


def test_the_account_page_shows_my_recent_activity_and_no_one_elses(app, patient, make_user):
    other = make_user()
    client = app.test_client()
    client.login(other.email, "wrong password here")
    client.login(patient.email, "wrong password here")
    client.submit("/login", {"email": patient.email, "password": PASSWORD},
                  headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"})
    page = client.get("/account").get_data(as_text=True)
    activity = page[page.index("Recent security activity"):]
    assert "Wrong password entered" in activity and "Logged in" in activity
    assert "Firefox on Linux" in activity
    assert len(re.findall("Wrong password entered", activity)) == 1  # the other account's is not here


def test_reset_and_idle_logoff_are_recorded(app, patient, mailbox):
    from datetime import timedelta

    from journal.logins.models import LoginSession
    from journal.timeutil import utcnow

    client = app.test_client()
    client.login(patient.email)
    db.session.execute(sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    client.get("/")
    client.submit("/password/forgot", {"email": patient.email})
    body = mailbox.wait_for(1)[0].get_content()
    client.get(re.search(r"http://localhost(/password/reset/\S+)", body).group(1))
    client.submit("/password/new", {"password": NEW, "confirm": NEW})
    assert kinds(patient) == ["login", "idle-logoff", "reset-requested", "password-reset"]


def test_unknown_addresses_leave_no_event(client):
    client.login("nobody@example.org", "wrong password here")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SecurityEvent)) == 0
