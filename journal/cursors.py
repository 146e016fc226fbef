"""Opaque pagination cursors: a few text parts, packed so clients cannot read into them."""
import base64
import binascii


class BadCursor(ValueError):
    """A pagination cursor that was not made by us."""


def pack(*parts: str) -> str:
    """The parts joined and base64url-encoded, without padding."""
    raw = "|".join(parts).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unpack(cursor: str, count: int) -> list[str]:
    """The ``count`` parts packed into ``cursor``.

    :raise BadCursor: when it does not decode into exactly that many parts.
    """
    try:
        parts = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise BadCursor(str(error)) from error
    if len(parts) != count:
        raise BadCursor(f"expected {count} parts")
    return parts
