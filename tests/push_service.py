"""A Web Push service on loopback, strict as a real one: it takes the RFC 8030 request,
verifies the VAPID JWT (RFC 8292) and decrypts the aes128gcm payload (RFC 8291) with the
browser's private key, and keeps what a phone would display."""
import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One browser's subscription: its key pair and auth secret, as a browser keeps them."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: uuid.uuid4().bytes)
    #: What the push service answers for this subscription (201, or 404/410 once gone).
    answer: int = 201
    shown: list = field(default_factory=list)

    def subscription_json(self) -> dict:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}


class PushService:
    def __init__(self):
        self.browsers: dict[str, Browser] = {}
        self.problems: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = service.receive(self.path, dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def new_browser(self) -> Browser:
        browser = Browser(endpoint=f"{self.origin}/push/{uuid.uuid4().hex}")
        self.browsers[browser.endpoint.rsplit("/", 1)[1]] = browser
        return browser

    def stop(self):
        self.server.shutdown()

    def receive(self, path: str, headers: dict, body: bytes) -> int:
        browser = self.browsers.get(path.rsplit("/", 1)[-1])
        if browser is None:
            return 404
        try:
            self.check_request(headers)
            plain = http_ece.decrypt(body, private_key=browser.private_key, auth_secret=browser.auth,
                                     version="aes128gcm")
        except Exception as error:  # recorded for the test to show
            self.problems.append(f"{type(error).__name__}: {error}")
            return 400
        if browser.answer == 201:
            browser.shown.append(json.loads(plain))
        return browser.answer

    def check_request(self, headers: dict) -> None:
        headers = {name.lower(): value for name, value in headers.items()}
        assert int(headers["ttl"]) > 0, "TTL header missing"
        assert headers["content-encoding"] == "aes128gcm"
        assert headers.get("urgency") in ("very-low", "low", "normal", "high")
        scheme, _, params = headers["authorization"].partition(" ")
        assert scheme == "vapid", headers["authorization"]
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        token, public_text = fields["t"], fields["k"]
        head_b64, claims_b64, signature_b64 = token.split(".")
        assert json.loads(unb64url(head_b64)) == {"typ": "JWT", "alg": "ES256"}
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_text))
        raw = unb64url(signature_b64)
        signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(signature, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(unb64url(claims_b64))
        assert claims["aud"] == self.origin, claims
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
        assert claims["sub"].startswith(("mailto:", "https:")), claims
        self.server_public_key = public_text
