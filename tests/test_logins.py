"""Server-side logins: logout, "log out everywhere", remember-me and idle logoff end them for real."""
import re
from datetime import timedelta

import sqlalchemy as sa

from journal.extensions import db
from journal.user_agents import describe_device
from journal.logins.models import LoginSession
from journal.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.sync_client import SyncApi, new_id

ENTRY = {"insights": "written on a copied cookie", "mood": 5}
ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0 Mobile Safari/537.36")


def cookies_of(client) -> dict:
    return {name: client.get_cookie(name).value for name in ("session", "journal_remember")
            if client.get_cookie(name)}


def device_with(app, cookies: dict):
    """Another browser holding copies of these cookies (as a thief or a shared PC would)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def logins_of(user) -> list[LoginSession]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == user.id)))


def test_old_session_cookie_is_refused_after_logout_for_pages_and_api_writes(app, patient_client):
    api = SyncApi(patient_client)
    copied = cookies_of(patient_client)
    patient_client.logout()
    thief = device_with(app, copied)
    assert thief.get("/").status_code == 302
    assert thief.get("/api/v1/session").status_code == 401
    write = thief.put(f"/api/v1/entries/{new_id()}", json=ENTRY, headers=api.headers())
    assert write.status_code == 401 and write.get_json()["error"] == "Please log in"


def test_logout_records_why_the_login_ended(app, patient, patient_client):
    patient_client.logout()
    assert [login.ended_reason for login in logins_of(patient)] == ["logged-out"]


def test_remember_me_cookie_is_refused_after_logout(app, client, patient):
    client.login(patient.email, remember="y")
    remember = cookies_of(client)["journal_remember"]
    client.logout()
    assert device_with(app, {"journal_remember": remember}).get("/").status_code == 302


def test_remember_me_resumes_a_closed_browser_and_rotates_its_token(app, client, patient):
    client.login(patient.email, remember="y")
    first = cookies_of(client)["journal_remember"]
    reopened = device_with(app, {"journal_remember": first})  # session cookie gone with the browser
    assert reopened.get("/").status_code == 200
    second = cookies_of(reopened)["journal_remember"]
    assert second != first and second.split(".")[0] == first.split(".")[0]
    assert device_with(app, {"journal_remember": first}).get("/").status_code == 302  # used up
    assert device_with(app, {"journal_remember": second}).get("/").status_code == 200
    assert len(logins_of(patient)) == 1  # the same login, resumed


def test_remember_me_is_refused_after_its_30_days(app, client, patient):
    client.login(patient.email, remember="y")
    remember = cookies_of(client)["journal_remember"]
    db.session.execute(sa.update(LoginSession).values(remember_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert device_with(app, {"journal_remember": remember}).get("/").status_code == 302


def test_a_forged_or_garbled_remember_cookie_is_just_not_logged_in(app, client, patient):
    client.login(patient.email, remember="y")
    login_id = cookies_of(client)["journal_remember"].split(".")[0]
    for value in (f"{login_id}.guess", "not-a-uuid.x", "", "...", f"{patient.id}|signature"):
        assert device_with(app, {"journal_remember": value}).get("/").status_code == 302
    # Flask-Login's old cookie (user id + signature) is ignored altogether.
    assert device_with(app, {"remember_token": f"{patient.id}|abc"}).get("/").status_code == 302


def test_log_out_everywhere_else_ends_other_devices_and_keeps_this_one(app, make_user):
    patient = make_user()
    phone, laptop = app.test_client(), app.test_client()
    phone.login(patient.email, remember="y")
    laptop.login(patient.email)
    phone_cookies = cookies_of(phone)
    assert laptop.submit("/account/logins/end-others").status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert device_with(app, {"journal_remember": phone_cookies["journal_remember"]}).get("/").status_code == 302


def test_account_page_lists_logins_and_ends_one(app, make_user):
    patient = make_user()
    phone = app.test_client()
    phone.submit("/login", {"email": patient.email, "password": PASSWORD},
                 headers={"User-Agent": ANDROID_CHROME})
    laptop = app.test_client()
    laptop.login(patient.email)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Chrome on Android" in page and "This device" in page
    phone_login = next(login for login in logins_of(patient) if login.device == "Chrome on Android")
    assert laptop.submit(f"/account/logins/{phone_login.id}/end").status_code == 302
    assert phone.get("/").status_code == 302
    assert "Log out Chrome on Android" not in laptop.get("/account").get_data(as_text=True)


def test_another_users_login_cannot_be_ended(app, make_user):
    owner, other = make_user(), make_user()
    owner_client, other_client = app.test_client(), app.test_client()
    owner_client.login(owner.email)
    other_client.login(other.email)
    owner_login = logins_of(owner)[0]
    assert other_client.submit(f"/account/logins/{owner_login.id}/end").status_code == 404
    assert other_client.submit("/account/logins/not-a-uuid/end").status_code == 404
    assert owner_client.get("/").status_code == 200


def test_ending_logins_needs_a_csrf_token(app, patient_client, patient):
    assert patient_client.post("/account/logins/end-others").status_code == 400
    login = logins_of(patient)[0]
    assert patient_client.post(f"/account/logins/{login.id}/end").status_code == 400
    assert patient_client.get("/").status_code == 200


def test_ending_this_login_from_the_list_logs_out_here(patient_client, patient):
    login = logins_of(patient)[0]
    assert patient_client.submit(f"/account/logins/{login.id}/end").location == "/login"
    assert patient_client.get("/").status_code == 302


def test_device_names_are_short_and_approximate():
    assert describe_device(ANDROID_CHROME) == "Chrome on Android"
    assert describe_device("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0") \
        == "Firefox on Windows"
    assert describe_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                           "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1") == "Safari on iPhone"
    assert describe_device(None) == "Unknown device" and describe_device("curl/8.0") == "Unknown device"


# Automatic logoff -------------------------------------------------------------------------

def idle_for(user, minutes: float) -> None:
    db.session.execute(sa.update(LoginSession).where(LoginSession.user_id == user.id)
                       .values(last_seen_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def last_seen(user):
    return logins_of(user)[0].last_seen_at


def test_therapist_is_logged_out_after_30_idle_minutes_with_a_message(app, therapist):
    client = app.test_client()
    client.login(therapist.email)
    idle_for(therapist, 29)
    assert client.get("/therapist/").status_code == 200
    idle_for(therapist, 31)
    response = client.get("/therapist/", follow_redirects=True)
    assert response.request.path == "/login"
    assert "logged out after 30 minutes without activity" in response.get_data(as_text=True)
    assert logins_of(therapist)[0].ended_reason == "idle"
    idle_for(therapist, 0)  # the login stays ended: activity cannot revive it
    assert client.get("/therapist/").status_code == 302


def test_patients_get_a_longer_idle_limit(app, patient, patient_client):
    idle_for(patient, 31)
    assert patient_client.get("/").status_code == 200
    idle_for(patient, 12 * 60 + 1)
    assert patient_client.get("/").status_code == 302


def test_idle_limits_come_from_the_environment(monkeypatch, database, tmp_path):
    from journal import create_app

    monkeypatch.setenv("JOURNAL_IDLE_MINUTES_THERAPIST", "15")
    monkeypatch.setenv("JOURNAL_IDLE_MINUTES_PATIENT", "120")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database(tmp_path), "SECRET_KEY": "x"})
    assert app.config["LOGIN_IDLE_MINUTES_THERAPIST"] == "15"
    assert app.config["LOGIN_IDLE_MINUTES_PATIENT"] == "120"


def test_background_sync_does_not_keep_an_idle_login_alive(app, patient, patient_client):
    api = SyncApi(patient_client)
    idle_for(patient, 10)
    before = last_seen(patient)
    assert api.put(new_id(), ENTRY).status_code == 201
    assert api.changes(since=None).status_code == 200
    assert patient_client.get("/api/v1/session").status_code == 200
    assert patient_client.get("/entries/new", headers={"X-Journal-Background": "1"}).status_code == 200
    assert patient_client.get("/sw.js", headers={"Service-Worker": "script"}).status_code == 200
    assert last_seen(patient) == before
    patient_client.get("/")
    assert last_seen(patient) > before


def test_an_idle_logoff_answers_the_api_with_401_json_so_the_outbox_waits(app, patient, patient_client):
    api = SyncApi(patient_client)
    idle_for(patient, 12 * 60 + 1)
    write = api.put(new_id(), ENTRY)
    assert write.status_code == 401 and write.is_json  # the outbox keeps the entry until a new login
    assert patient_client.get("/api/v1/session").status_code == 401


def test_remember_me_does_not_outlast_the_idle_limit(app, client, therapist):
    client.login(therapist.email, remember="y")
    remember = cookies_of(client)["journal_remember"]
    idle_for(therapist, 31)
    assert device_with(app, {"journal_remember": remember}).get("/therapist/").status_code == 302


def test_a_logged_out_cookie_is_refused_by_every_gunicorn_worker(app, patient, tmp_path):
    from tests.live_gunicorn import Browserless, Gunicorn

    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as server:
        browser = Browserless(server.url)
        assert browser.login(patient.email, PASSWORD, remember="y")[0] == 302
        copied = "; ".join(f"{c.name}={c.value}" for c in browser.cookies
                           if c.name in ("session", "journal_remember"))
        thief = Browserless(server.url)
        assert thief.get("/", headers={"Cookie": copied})[0] == 200
        assert browser.submit("/logout", {})[0] == 302
        answers = {thief.get("/", headers={"Cookie": copied})[0] for _ in range(12)}  # both workers answer
        assert answers == {302}


def test_pages_fetched_together_after_login_keep_the_logout_token_valid(app, patient):
    # After login the page, the service worker (saving the journal and the entry form) and
    # the sync all ask at once with the new cookie. Whichever answer the browser keeps last,
    # the page's Log out form must still be accepted: one CSRF secret, made at login.
    client = app.test_client()
    assert client.login(patient.email).status_code == 302
    page_load, worker = client, device_with(app, cookies_of(client))
    journal = page_load.get("/").get_data(as_text=True)
    worker.get("/entries/new")
    worker.get("/api/v1/session")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', journal).group(1)
    last_cookie = device_with(app, cookies_of(worker))
    assert last_cookie.post("/logout", data={"csrf_token": token}).location == "/login"
