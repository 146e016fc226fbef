"""The one way to load a dosing session for the current user."""
import uuid
from functools import cache

import sqlalchemy as sa
from flask import abort, request

from journal.dosing.models import DosingSession
from journal.extensions import db
from journal.fields import is_uuid


def get_session_for_owner(session_id: uuid.UUID, owner_id: uuid.UUID) -> DosingSession:
    """The owner's dosing session.

    :raise 404: when it does not exist or belongs to someone else.
    """
    found = db.session.scalar(
        sa.select(DosingSession).where(DosingSession.id == session_id,
                                       DosingSession.owner_id == owner_id)
    )
    if found is None:
        abort(404)
    return found


def sessions_of(owner_id: uuid.UUID, only: list[str] | None = None) -> list[DosingSession]:
    """The owner's dosing sessions, most recent first; with ``only``, just those of these
    ids that are the owner's (what a form needs to check the one it was sent)."""
    if only is None:
        return list(db.session.scalars(_all_sessions_query(), {"owner_id": owner_id}))
    wanted = [uuid.UUID(value) for value in only if is_uuid(value)]
    if not wanted:
        return []
    return list(db.session.scalars(_all_sessions_query().where(DosingSession.id.in_(wanted)), {"owner_id": owner_id}))


@cache
def _all_sessions_query() -> sa.Select:
    """``sessions_of``' query, built once (every journal page and entry form asks it); the
    owner is bound per call."""
    return (sa.select(DosingSession).where(DosingSession.owner_id == sa.bindparam("owner_id"))
            .order_by(DosingSession.date.desc(), DosingSession.created_at.desc()))


def session_filter_arg() -> uuid.UUID | None:
    """The ``?session=`` filter of a list page, or None when there is none.

    :raise 400: when it is not a dosing-session id.
    """
    raw = request.args.get("session")
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        abort(400, "That dosing session filter is not valid.")
