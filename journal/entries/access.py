"""The one way to load an entry or an action step for its owner."""
import uuid

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from journal.entries.models import ActionStep, Entry
from journal.extensions import db


def get_entry_for_owner(entry_id: uuid.UUID, owner_id: uuid.UUID, *, in_trash: bool = False) -> Entry:
    """The owner's entry, outside the Trash (or inside it, with ``in_trash``).

    :raise 404: when it does not exist, belongs to someone else, or is on the other side
        of the Trash.
    """
    deleted = Entry.deleted_at.is_not(None) if in_trash else Entry.deleted_at.is_(None)
    entry = db.session.scalar(
        sa.select(Entry).options(joinedload(Entry.dosing_session))
        .where(Entry.id == entry_id, Entry.owner_id == owner_id, deleted)
    )
    if entry is None:
        abort(404)
    return entry


def get_step_for_owner(step_id: uuid.UUID, owner_id: uuid.UUID) -> ActionStep:
    """An action step of one of the owner's entries outside the Trash.

    :raise 404: when it does not exist or is not the owner's.
    """
    step = db.session.scalar(
        sa.select(ActionStep).join(ActionStep.entry)
        .options(sa.orm.contains_eager(ActionStep.entry))
        .where(ActionStep.id == step_id, Entry.owner_id == owner_id, Entry.deleted_at.is_(None))
    )
    if step is None:
        abort(404)
    return step
