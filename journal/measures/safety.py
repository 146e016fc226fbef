"""The one write path of the safety plan."""
import uuid

import sqlalchemy as sa

from journal.database import insert_ignoring_conflict
from journal.extensions import db
from journal.measures.models import SAFETY_PLAN_SECTIONS, SafetyPlan
from journal.timeutil import utcnow


def save_safety_plan(owner_id: uuid.UUID, texts: dict[str, str], shared: bool) -> None:
    """Write the patient's plan (not committed). The row is made with ``ON CONFLICT DO
    NOTHING`` first, so two tabs saving a first plan at once do not collide."""
    db.session.execute(insert_ignoring_conflict(SafetyPlan).values(owner_id=owner_id, shared=False,
                                                                   updated_at=utcnow()))
    values = {field: (texts.get(field) or "").strip() for field, _, _ in SAFETY_PLAN_SECTIONS}
    db.session.execute(sa.update(SafetyPlan).where(SafetyPlan.owner_id == owner_id)
                       .values(**values, shared=shared, updated_at=utcnow()))
