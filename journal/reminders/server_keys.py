"""The server's VAPID key pair (RFC 8292): from ``JOURNAL_VAPID_PRIVATE_KEY``, or generated
once into ``instance/vapid_private_key.pem`` like the secret key."""
import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid02


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def server_key() -> Vapid02:
    """The key that signs each push request's JWT. Raises ``ValueError`` on a bad setting."""
    configured = current_app.config.get("VAPID_PRIVATE_KEY")
    if configured:
        return Vapid02.from_string(configured) if "BEGIN" not in configured else \
            Vapid02.from_pem(configured.encode())
    return Vapid02.from_pem(_instance_key(Path(current_app.instance_path)))


def application_server_key() -> str:
    """The public key as browsers want it for ``pushManager.subscribe``: the uncompressed
    P-256 point, base64url."""
    public = server_key().public_key
    return b64url(public.public_bytes(serialization.Encoding.X962,
                                      serialization.PublicFormat.UncompressedPoint))


def _instance_key(instance: Path) -> bytes:
    """``O_EXCL``: processes starting together agree on one key."""
    path = instance / "vapid_private_key.pem"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return pem


def _read_when_written(path: Path) -> bytes:
    import time

    for _ in range(50):
        pem = path.read_bytes()
        if pem.strip().endswith(b"-----"):
            return pem
        time.sleep(0.02)
    raise RuntimeError(f"{path} is incomplete; delete it or set JOURNAL_VAPID_PRIVATE_KEY")
