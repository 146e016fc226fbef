"""Second factors in Chromium: an authenticator app, and a passkey through a virtual authenticator."""
import json
import re
import time

import pyotp
import sqlalchemy as sa

from journal.extensions import db
from journal.mfa.models import Passkey, TotpCredential
from tests.browser.conftest import DESKTOP, assert_accessible, register_in_browser

PASSWORD = "a quiet walk by the river"


def passkey_ready_page(new_context):
    """A page whose browser has a platform authenticator that says yes (CDP WebAuthn domain)."""
    context = new_context(DESKTOP)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}})
    return page


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login$"))


def log_in_with_password(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/login/verify$"))


def test_passkey_enrolment_and_login_and_a_replayed_assertion_is_refused(live_server, new_context):
    base = live_server.url.replace("127.0.0.1", "localhost")  # WebAuthn needs a domain, not an IP
    page = passkey_ready_page(new_context)
    register_in_browser(page, base, "passkey@example.org")
    page.goto(f"{base}/account/security")
    assert_accessible(page, "security page")
    page.get_by_role("button", name="Add a passkey on this device").click()
    page.wait_for_url(re.compile(r"/account/security/recovery-codes$"))
    assert page.locator("[data-recovery-codes] li").count() == 10
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Passkey)) == 1

    log_out(page)
    log_in_with_password(page, base, "passkey@example.org")
    assert_accessible(page, "second step")
    answers = []
    page.on("request", lambda request: answers.append(request.post_data)
            if request.url.endswith("/login/passkey") else None)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(re.compile(r"/$"))
    assert len(answers) == 1

    # The same signed answer sent again, after a fresh password step: its challenge is spent.
    log_out(page)
    log_in_with_password(page, base, "passkey@example.org")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    replay = page.request.post(f"{base}/login/passkey", data=answers[0],
                               headers={"Content-Type": "application/json", "X-CSRFToken": token})
    assert replay.status == 400 and "already used" in json.loads(replay.text())["error"]
    page.goto(f"{base}/")
    assert "/login" in page.url  # still only half logged in


def test_authenticator_app_enrolment_and_login(live_server, new_context):
    page = new_context(DESKTOP).new_page()
    base = live_server.url
    register_in_browser(page, base, "totp@example.org")
    page.goto(f"{base}/account/security")
    page.get_by_role("button", name="Set up an authenticator app").click()
    assert_accessible(page, "authenticator set-up")
    secret = page.locator("[data-totp-secret]").text_content()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Switch it on").click()
    page.wait_for_url(re.compile(r"/account/security/recovery-codes$"))
    assert_accessible(page, "recovery codes")
    log_out(page)
    db.session.execute(sa.update(TotpCredential).values(last_step=None))
    db.session.commit()
    log_in_with_password(page, base, "totp@example.org")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time()))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/$"))
