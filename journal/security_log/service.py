"""Record security events (not committed) and read an account's recent ones."""
import logging
import uuid

import sqlalchemy as sa
from flask import has_request_context, request

from journal.extensions import db
from journal.user_agents import describe_device
from journal.security_log.models import DESCRIPTIONS, SecurityEvent

log = logging.getLogger("journal.security")
RECENT = 20


def record(user_id: uuid.UUID, kind: str, detail: str | None = None) -> SecurityEvent:
    """Add an event for ``user_id`` (not committed) and log its kind and the account id."""
    if kind not in DESCRIPTIONS:
        raise ValueError(f"unknown security event {kind!r}")
    device = describe_device(request.user_agent.string) if has_request_context() else "Command line"
    event = SecurityEvent(user_id=user_id, kind=kind, device=device, detail=detail)
    db.session.add(event)
    log.info("security event %s for account %s", kind, user_id)
    return event


def recent_events(user_id: uuid.UUID, limit: int = RECENT) -> list[SecurityEvent]:
    return list(db.session.scalars(sa.select(SecurityEvent).where(SecurityEvent.user_id == user_id)
                                   .order_by(SecurityEvent.at.desc()).limit(limit)))
