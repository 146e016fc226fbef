"""Password change, and reset by mail through a real SMTP server, end to end."""
import re
import stat
import time
from datetime import timedelta

import sqlalchemy as sa

from journal.auth.models import PasswordReset
from journal.extensions import db
from journal.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.test_logins import cookies_of, device_with

NEW = "a slow tide under the pier"
SENT = "If an account uses that address"


def reset_link(mailbox, index: int = 0) -> str:
    body = mailbox.wait_for(index + 1)[index].get_content()
    return re.search(r"http://localhost(/password/reset/\S+)", body).group(1)


def ask_for_link(client, email):
    return client.submit("/password/forgot", {"email": email}, follow_redirects=True)


def choose(client, password=NEW, confirm=None):
    return client.submit("/password/new", {"password": password, "confirm": confirm or password})


def test_change_password_needs_the_current_one_and_logs_out_other_devices(app, patient):
    laptop, phone = app.test_client(), app.test_client()
    laptop.login(patient.email)
    phone.login(patient.email, remember="y")
    phone_cookies = cookies_of(phone)
    wrong = laptop.submit("/account/password", {"current": "not my password", "password": NEW, "confirm": NEW})
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    weak = laptop.submit("/account/password", {"current": PASSWORD, "password": "short", "confirm": "short"})
    assert weak.status_code == 400 and "at least 10" in weak.get_data(as_text=True)
    done = laptop.submit("/account/password", {"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert device_with(app, phone_cookies).get("/").status_code == 302
    laptop.logout()
    assert laptop.login(patient.email, PASSWORD).status_code == 400
    assert laptop.login(patient.email, NEW).status_code == 302


def test_reset_by_mail_end_to_end_ends_every_login(app, client, patient, mailbox):
    phone = app.test_client()
    phone.login(patient.email, remember="y")
    stolen = cookies_of(phone)
    page = ask_for_link(client, patient.email.upper())
    assert SENT in page.get_data(as_text=True)
    [message] = mailbox.wait_for(1)
    assert message["To"] == patient.email and "Reset your" in message["Subject"]
    link = reset_link(mailbox)
    opened = client.get(link)
    assert opened.location == "/password/new"  # the token leaves the address bar
    assert "Choose a new password" in client.get("/password/new").get_data(as_text=True)
    assert choose(client).location == "/login"
    assert phone.get("/").status_code == 302
    assert device_with(app, stolen).get("/").status_code == 302
    assert client.login(patient.email, PASSWORD).status_code == 400
    assert client.login(patient.email, NEW).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(client, patient, mailbox):
    known = ask_for_link(client, patient.email)
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert SENT in unknown.get_data(as_text=True)
    mailbox.wait_for(1)
    assert len(mailbox.messages) == 1
    invalid = client.submit("/password/forgot", {"email": "not an address"})
    assert invalid.status_code == 400


def test_a_reset_link_works_once(client, patient, mailbox):
    ask_for_link(client, patient.email)
    link = reset_link(mailbox)
    client.get(link)
    assert choose(client).status_code == 302
    reused = client.get(link)
    assert reused.status_code == 400 and "cannot be used" in reused.get_data(as_text=True)
    assert choose(client, "another new passphrase").status_code == 400


def test_a_newer_reset_spends_older_links_too(client, patient, mailbox):
    ask_for_link(client, patient.email)
    ask_for_link(client, patient.email)
    first, second = reset_link(mailbox, 0), reset_link(mailbox, 1)
    client.get(second)
    choose(client)
    assert client.get(first).status_code == 400


def test_an_expired_or_made_up_link_is_refused_with_a_message(client, patient, mailbox):
    ask_for_link(client, patient.email)
    link = reset_link(mailbox)
    db.session.execute(sa.update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(link).status_code == 400
    for made_up in ("/password/reset/guess", "/password/reset/" + "A" * 43, "/password/reset/%00"):
        assert client.get(made_up).status_code == 400
    assert client.get("/password/new").status_code == 400  # no link opened
    assert choose(client).status_code == 400


def test_reset_refuses_a_weak_new_password_and_keeps_the_link(client, patient, mailbox):
    ask_for_link(client, patient.email)
    client.get(reset_link(mailbox))
    weak = choose(client, patient.email)
    assert weak.status_code == 400 and "email address as your password" in weak.get_data(as_text=True)
    mismatch = choose(client, NEW, "something else entirely")
    assert mismatch.status_code == 400
    assert choose(client).status_code == 302


def test_reset_tokens_are_stored_only_as_digests(client, patient, mailbox):
    ask_for_link(client, patient.email)
    token = reset_link(mailbox).rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(PasswordReset.token_hash))
    assert token not in stored and len(stored) == 64


def test_without_smtp_mail_is_written_to_a_private_file_and_its_path_logged(app, client, patient, tmp_path,
                                                                           caplog):
    app.config.update(SMTP_URL=None, MAIL_DIR=str(tmp_path / "mail"))
    with caplog.at_level("WARNING", logger="journal.mail"):
        ask_for_link(client, patient.email)
        for _ in range(250):  # the mail leaves from a background thread
            if any("mail written" in record.getMessage() for record in caplog.records):
                break
            time.sleep(0.02)
    [path] = (tmp_path / "mail").glob("*.eml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "/password/reset/" in path.read_text()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert str(path) in logged and patient.email not in logged and "/password/reset/" not in logged


def test_the_reset_link_is_one_unbroken_line_in_the_raw_mail(client, patient, tmp_path, app):
    app.config.update(SMTP_URL=None, MAIL_DIR=str(tmp_path / "mail"))
    ask_for_link(client, patient.email)
    for _ in range(250):
        if list((tmp_path / "mail").glob("*.eml")):
            break
        time.sleep(0.02)
    raw = next((tmp_path / "mail").glob("*.eml")).read_text()
    link = re.search(r"http://localhost/password/reset/\S+", raw).group(0)
    assert client.get(link.replace("http://localhost", "")).status_code == 302
