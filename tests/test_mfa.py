"""Second factors: authenticator app and recovery codes; therapists must have one when required."""
import re
import time

import pyotp
import sqlalchemy as sa

from journal.extensions import db
from journal.mfa.models import RecoveryCode, TotpCredential
from tests.conftest import PASSWORD


def secret_shown(client) -> str:
    assert client.submit("/account/security/totp/start").location == "/account/security/totp"
    page = client.get("/account/security/totp").get_data(as_text=True)
    assert "<svg" in page
    return re.search(r"data-totp-secret>([A-Z2-7]+)<", page).group(1)


def code_for(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def enrol_totp(client) -> tuple[str, list[str]]:
    """Switch the app on; the secret and the ten recovery codes shown once."""
    secret = secret_shown(client)
    response = client.submit("/account/security/totp", {"code": code_for(secret)})
    assert response.location == "/account/security/recovery-codes"
    page = client.get("/account/security/recovery-codes").get_data(as_text=True)
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)
    assert len(codes) == 10
    return secret, codes


def forget_last_step():
    """Let the next code from the same 30-second step count again (tests run fast)."""
    db.session.execute(sa.update(TotpCredential).values(last_step=None))
    db.session.commit()


def test_totp_enrolment_shows_a_server_drawn_qr_code_and_needs_a_right_code(patient_client, patient):
    secret = secret_shown(patient_client)
    wrong = patient_client.submit("/account/security/totp", {"code": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    assert secret_shown(patient_client) == secret  # the same unfinished set-up
    enrol_totp(patient_client)
    assert patient_client.get("/account/security/recovery-codes").location == "/account/security"  # shown once
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    from journal.security_log.models import SecurityEvent

    events = db.session.scalars(sa.select(SecurityEvent.kind).where(SecurityEvent.user_id == patient.id)).all()
    assert {"totp-enabled", "recovery-codes-renewed"} <= set(events)


def test_login_with_totp_asks_for_the_code_before_anything_opens(app, patient_client, patient):
    secret, _ = enrol_totp(patient_client)
    patient_client.logout()
    forget_last_step()
    client = app.test_client()
    assert client.login(patient.email).location == "/login/verify"
    assert client.get("/").status_code == 302  # half logged in is not logged in
    assert client.get("/api/v1/session").status_code == 401
    wrong = client.submit("/login/verify", {"code": "123456"})
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    assert client.submit("/login/verify", {"code": code_for(secret)}).location == "/"
    assert client.get("/").status_code == 200


def test_a_totp_code_works_once(app, patient_client, patient):
    secret, _ = enrol_totp(patient_client)
    patient_client.logout()
    first, second = app.test_client(), app.test_client()
    first.login(patient.email)
    second.login(patient.email)
    code = code_for(secret, offset_steps=1)  # a step not used by the enrolment
    assert first.submit("/login/verify", {"code": code}).status_code == 302
    assert second.submit("/login/verify", {"code": code}).status_code == 400


def test_recovery_codes_work_once_each(app, patient_client, patient):
    _, codes = enrol_totp(patient_client)
    patient_client.logout()
    client = app.test_client()
    client.login(patient.email)
    response = client.submit("/login/verify", {"code": codes[0].lower().replace("-", " ")}, follow_redirects=True)
    assert "9 left" in response.get_data(as_text=True)
    client.logout()
    client.login(patient.email)
    assert client.submit("/login/verify", {"code": codes[0]}).status_code == 400
    assert client.submit("/login/verify", {"code": "ZZZZZ-ZZZZZ"}).status_code == 400


def test_second_factor_guessing_is_slowed_and_success_clears_it(app, patient_client, patient):
    secret, _ = enrol_totp(patient_client)
    patient_client.logout()
    forget_last_step()
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    attacker.login(patient.email)  # knows the password: one attempt
    answers = [attacker.submit("/login/verify", {"code": f"{n:06d}"}).status_code for n in range(5)]
    assert answers == [400, 400, 400, 400, 429]
    # The owner on their own device (it logged in before) is not held up.
    assert patient_client.login(patient.email).location == "/login/verify"
    assert patient_client.submit("/login/verify", {"code": code_for(secret)}).status_code == 302


def test_the_second_step_expires_and_needs_the_password_again(app, patient_client, patient):
    enrol_totp(patient_client)
    patient_client.logout()
    client = app.test_client()
    client.login(patient.email)
    with client.session_transaction() as session:
        session["second_factor_pending"] = {**session["second_factor_pending"], "until": time.time() - 1}
    assert client.get("/login/verify").location == "/login"
    assert client.submit("/login/verify", {"code": "123456"}).location == "/login"


def test_removing_the_app_needs_the_password_and_drops_recovery_codes(patient_client, patient):
    enrol_totp(patient_client)
    patient_client.submit("/account/security/totp/remove", {"password": "wrong password here"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TotpCredential)) == 1
    patient_client.submit("/account/security/totp/remove", {"password": PASSWORD})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TotpCredential)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    patient_client.logout()
    assert patient_client.login(patient.email).location == "/"


def test_new_recovery_codes_replace_the_old_ones(patient_client, patient):
    _, old = enrol_totp(patient_client)
    assert patient_client.submit("/account/security/recovery-codes", {"password": PASSWORD}).status_code == 302
    page = patient_client.get("/account/security/recovery-codes").get_data(as_text=True)
    new = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)


def test_therapists_must_set_up_a_second_factor_when_required(app, therapist):
    app.config["THERAPIST_MFA"] = "required"
    client = app.test_client()
    assert client.login(therapist.email).status_code == 302
    assert client.get("/therapist/").location == "/account/security"
    assert client.get("/account").location == "/account/security"
    assert client.get("/api/v1/session").status_code == 403
    assert "As a therapist you need a second factor" in client.get("/account/security").get_data(as_text=True)
    secret, _ = enrol_totp(client)
    assert client.get("/therapist/").status_code == 200
    client.logout()
    forget_last_step()
    assert client.login(therapist.email).location == "/login/verify"
    assert client.submit("/login/verify", {"code": code_for(secret)}).location == "/therapist/"


def test_passkey_endpoints_refuse_bad_input_with_4xx(app, patient_client, patient):
    headers = {"X-CSRFToken": patient_client.csrf_token()}
    assert patient_client.post("/account/security/passkeys", data="nope", headers=headers).status_code == 400
    bad = patient_client.post("/account/security/passkeys", json={"response": {"clientDataJSON": "!!"}},
                              headers=headers)
    assert bad.status_code == 400 and "could not be read" in bad.get_json()["error"]
    assert patient_client.post("/account/security/passkeys/options").status_code == 400  # no CSRF token
    anonymous = app.test_client()
    token = {"X-CSRFToken": anonymous.csrf_token()}
    assert anonymous.post("/login/passkey/options", headers=token).status_code == 400
    assert anonymous.post("/login/passkey", json={}, headers=token).status_code == 400


def test_someone_elses_passkey_cannot_be_removed(app, patient_client, make_user):
    from journal.mfa.models import Passkey

    other = make_user()
    passkey = Passkey(user_id=other.id, credential_id=b"x" * 16, public_key=b"k", name="Chrome on Android")
    db.session.add(passkey)
    db.session.commit()
    response = patient_client.submit(f"/account/security/passkeys/{passkey.id}/remove", {"password": PASSWORD})
    assert response.status_code == 404


def test_a_failed_passkey_answer_spends_its_challenge(app, patient):
    import base64
    import json

    from journal.mfa.models import Passkey

    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    db.session.add(Passkey(user_id=patient.id, credential_id=b"k" * 16, public_key=b"not a key",
                           name="Chrome on Android"))
    db.session.commit()
    client = app.test_client()
    assert client.login(patient.email).location == "/login/verify"
    headers = {"X-CSRFToken": client.csrf_token()}
    options = client.post("/login/passkey/options", headers=headers).get_json()
    client_data = {"type": "webauthn.get", "challenge": options["challenge"], "origin": "http://localhost"}
    forged = {"id": b64url(b"k" * 16), "rawId": b64url(b"k" * 16), "type": "public-key",
              "response": {"clientDataJSON": b64url(json.dumps(client_data).encode()),
                           "authenticatorData": b64url(b"\0" * 37), "signature": b64url(b"sig")}}
    first = client.post("/login/passkey", json=forged, headers=headers)
    assert first.status_code == 400 and "could not be verified" in first.get_json()["error"]
    again = client.post("/login/passkey", json=forged, headers=headers)
    assert again.status_code == 400 and "already used" in again.get_json()["error"]
    assert client.get("/").status_code == 302
