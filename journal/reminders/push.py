"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291).

The payload is Declarative Web Push (Safari on iOS 18.4+ shows it without running the
service worker); other browsers hand it to the service worker's push handler, which
shows the same notification.
"""
import hashlib
import ipaddress
import json
import logging
import socket
import uuid
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from pywebpush import WebPushException, webpush

from journal.extensions import db
from journal.reminders.messages import Notice
from journal.reminders.models import PushSubscription
from journal.reminders.server_keys import b64url_decode, server_key

log = logging.getLogger("journal.reminders")
#: A reminder nobody saw within a day is no use any more.
TTL = 24 * 60 * 60
ENDPOINT_MAX = 1024


class BadSubscription(ValueError):
    """A subscription the browser could not have made, or one pointing somewhere we do not post."""


def check_subscription(data) -> tuple[str, str, str]:
    """``(endpoint, p256dh, auth)`` from a ``PushSubscription.toJSON()``; raises ``BadSubscription``."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise BadSubscription("Send the subscription as the browser gives it: endpoint and keys.")
    endpoint, keys = data.get("endpoint"), data["keys"]
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not all(isinstance(value, str) for value in (endpoint, p256dh, auth)):
        raise BadSubscription("The endpoint and both keys must be strings.")
    try:
        point, secret = b64url_decode(p256dh), b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, TypeError):
        raise BadSubscription("The subscription's p256dh key is not a P-256 public key.") from None
    if len(point) != 65 or len(secret) != 16 or len(p256dh) > 128 or len(auth) > 64:
        raise BadSubscription("The subscription's keys have the wrong length.")
    check_endpoint(endpoint)  # last: it may ask DNS
    return endpoint, p256dh, auth


def check_endpoint(endpoint: str) -> None:
    """HTTPS only, and never a private, loopback or link-local host (unless configured, as
    the tests do for their push service on loopback); raises ``BadSubscription``."""
    if len(endpoint) > ENDPOINT_MAX:
        raise BadSubscription("The endpoint is too long.")
    try:
        url = urlsplit(endpoint)
        url.port
    except ValueError:
        raise BadSubscription("The endpoint is not a URL.") from None
    allow_local = current_app.config["PUSH_ALLOW_PRIVATE_HOSTS"]
    if url.scheme != "https" and not (allow_local and url.scheme == "http"):
        raise BadSubscription("The endpoint must be an https:// URL.")
    if not url.hostname or url.username or url.password:
        raise BadSubscription("The endpoint must name a host, and nothing else before it.")
    if not allow_local and not _public_host(url.hostname, url.port or 443):
        raise BadSubscription("The endpoint's host is not a public internet address.")


def _public_host(host: str, port: int) -> bool:
    """Every address the name resolves to is a public one (no SSRF to the inside)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not address.is_global or address.is_multicast:
            return False
    return bool(infos)


def subscribe(user_id: uuid.UUID, endpoint: str, p256dh: str, auth: str) -> None:
    """Store (or move to this person, with fresh keys) a browser's subscription. Not committed."""
    digest = hashlib.sha256(endpoint.encode()).hexdigest()
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(PushSubscription).values(
        id=uuid.uuid4(), user_id=user_id, endpoint=endpoint, endpoint_hash=digest, p256dh=p256dh,
        auth=auth, created_at=sa.func.now())
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["endpoint_hash"],
        set_={"user_id": user_id, "p256dh": p256dh, "auth": auth}))


def unsubscribe(user_id: uuid.UUID, endpoint: str) -> None:
    """Not committed."""
    digest = hashlib.sha256(endpoint.encode()).hexdigest()
    db.session.execute(sa.delete(PushSubscription).where(PushSubscription.user_id == user_id,
                                                         PushSubscription.endpoint_hash == digest))


def payload(notice: Notice, url: str, tag: str) -> str:
    """Declarative Web Push (``web_push: 8030``); the service worker reads the same fields."""
    return json.dumps({"web_push": 8030, "notification": {
        "title": notice.title, "body": notice.body, "navigate": url, "tag": tag, "silent": False}})


def send_push(subscription: PushSubscription, notice: Notice, url: str, key: str) -> bool:
    """Post one notification; true when the push service took it. A subscription the push
    service answers 404 or 410 for is deleted (not committed). Other failures: false."""
    try:
        check_endpoint(subscription.endpoint)
    except BadSubscription:
        log.warning("Push endpoint refused at send time")
        return False
    topic = hashlib.sha256(key.encode()).hexdigest()[:32]  # a retried duplicate replaces the first
    session = requests.Session()
    session.max_redirects = 0  # a redirect could lead inside; push services do not redirect
    claims = {"sub": current_app.config["VAPID_SUBJECT"]}
    try:
        webpush({"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh,
                                                             "auth": subscription.auth}},
                data=payload(notice, url, topic), vapid_private_key=server_key(), vapid_claims=claims,
                ttl=TTL, timeout=10, headers={"Topic": topic, "Urgency": "normal"},
                requests_session=session)
        return True
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            db.session.delete(subscription)
        log.warning("Push not delivered: %s", status or type(error).__name__)
        return False
    except (requests.RequestException, ValueError) as error:
        log.warning("Push not delivered: %s", type(error).__name__)
        return False
