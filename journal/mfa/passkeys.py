"""Passkeys (WebAuthn) with py_webauthn: register one, answer a log-in with one. Nothing commits.

Each ceremony's challenge is stored on the server and deleted by the first answer that
uses it, so an assertion captured and sent again is refused.
"""
import hashlib
import json
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, request
from webauthn import (generate_authentication_options, generate_registration_options, options_to_json,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor,
                                      ResidentKeyRequirement, UserVerificationRequirement)

from journal.auth.models import User
from journal.extensions import db
from journal.mfa.models import Passkey, WebAuthnChallenge
from journal.timeutil import utcnow
from journal.user_agents import describe_device

RP_NAME = "Integration Journal"
CHALLENGE_LIFETIME = timedelta(minutes=5)


class PasskeyProblem(ValueError):
    """The browser's answer cannot be accepted; the message is safe to show."""


def _origin() -> str:
    return current_app.config.get("WEBAUTHN_ORIGIN") or request.host_url.rstrip("/")


def _rp_id() -> str:
    return current_app.config.get("WEBAUTHN_RP_ID") or urlsplit(_origin()).hostname


def _digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def _new_challenge(user: User, purpose: str) -> bytes:
    challenge = secrets.token_bytes(32)
    db.session.execute(sa.delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at < utcnow()))
    db.session.add(WebAuthnChallenge(challenge_hash=_digest(challenge), user_id=user.id, purpose=purpose,
                                     expires_at=utcnow() + CHALLENGE_LIFETIME))
    return challenge


def _spend_challenge(user: User, purpose: str, credential: dict) -> bytes:
    """The challenge this answer signed, deleted so it cannot be answered again.

    :raise PasskeyProblem: when it is unknown, expired, spent, or someone else's.
    """
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        challenge = base64url_to_bytes(client_data["challenge"])
    except (KeyError, TypeError, ValueError):
        raise PasskeyProblem("The passkey's answer could not be read. Try again.") from None
    spent = db.session.execute(sa.delete(WebAuthnChallenge).where(
        WebAuthnChallenge.challenge_hash == _digest(challenge), WebAuthnChallenge.user_id == user.id,
        WebAuthnChallenge.purpose == purpose, WebAuthnChallenge.expires_at > utcnow()))
    if spent.rowcount != 1:
        raise PasskeyProblem("This passkey request expired or was already used. Try again.")
    return challenge


def user_passkeys(user: User) -> list[Passkey]:
    return list(db.session.scalars(sa.select(Passkey).where(Passkey.user_id == user.id)
                                   .order_by(Passkey.created_at)))


def registration_options(user: User) -> str:
    """JSON for ``PublicKeyCredential.parseCreationOptionsFromJSON`` in the browser."""
    options = generate_registration_options(
        rp_id=_rp_id(), rp_name=RP_NAME, user_id=user.id.bytes, user_name=user.email,
        user_display_name=user.display_name, challenge=_new_challenge(user, "register"),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=p.credential_id) for p in user_passkeys(user)])
    return options_to_json(options)


def register(user: User, credential: dict) -> Passkey:
    """:raise PasskeyProblem: for an answer that does not verify."""
    challenge = _spend_challenge(user, "register", credential)
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=challenge,
                                                expected_rp_id=_rp_id(), expected_origin=_origin())
    except (InvalidRegistrationResponse, KeyError, TypeError, ValueError):
        raise PasskeyProblem("The passkey could not be verified. Try again.") from None
    if db.session.scalar(sa.select(Passkey.id).where(Passkey.credential_id == verified.credential_id)):
        raise PasskeyProblem("This passkey is registered already.")
    passkey = Passkey(user_id=user.id, credential_id=verified.credential_id,
                      public_key=verified.credential_public_key, sign_count=verified.sign_count,
                      name=describe_device(request.user_agent.string))
    db.session.add(passkey)
    return passkey


def authentication_options(user: User) -> str:
    """JSON for ``PublicKeyCredential.parseRequestOptionsFromJSON``: only this account's passkeys."""
    options = generate_authentication_options(
        rp_id=_rp_id(), challenge=_new_challenge(user, "login"),
        allow_credentials=[PublicKeyCredentialDescriptor(id=p.credential_id) for p in user_passkeys(user)],
        user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options)


def authenticate(user: User, credential: dict) -> Passkey:
    """The passkey that signed this fresh challenge. :raise PasskeyProblem: otherwise."""
    challenge = _spend_challenge(user, "login", credential)
    try:
        credential_id = base64url_to_bytes(credential["rawId"])
    except (KeyError, TypeError, ValueError):
        raise PasskeyProblem("The passkey's answer could not be read. Try again.") from None
    passkey = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == user.id,
                                                         Passkey.credential_id == credential_id))
    if passkey is None:
        raise PasskeyProblem("That passkey is not registered for this account.")
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=_rp_id(),
            expected_origin=_origin(), credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count)
    except (InvalidAuthenticationResponse, KeyError, TypeError, ValueError):
        raise PasskeyProblem("The passkey could not be verified. Try again.") from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    return passkey
