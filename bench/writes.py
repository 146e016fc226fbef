"""The entries the load benchmark writes, and the check that each acknowledged one was
stored exactly once (in any revision's ``entries`` table: only its ``id`` is read)."""
import uuid

import sqlalchemy as sa

from client import Patient


class Writes:
    """Ids of the entries the benchmark PUT, and which of them were answered 201."""

    def __init__(self):
        self.sent: list[uuid.UUID] = []
        self.acknowledged: list[uuid.UUID] = []

    def put(self, patient: Patient, index: int) -> int:
        status, entry_id = patient.put_new_entry(f"bench write {index}: " + "a calmer morning. " * 20)
        self.sent.append(entry_id)
        if status == 201:
            self.acknowledged.append(entry_id)
        return status


def exactly_once(acknowledged: list[uuid.UUID], stored: dict[uuid.UUID, int]) -> tuple[list, list]:
    """(missing, duplicated): acknowledged ids stored no time, and ids stored more than once."""
    missing = [entry_id for entry_id in acknowledged if stored.get(entry_id, 0) == 0]
    duplicated = [entry_id for entry_id, count in stored.items() if count > 1]
    return missing, duplicated


#: Just the entries' ids, which every revision has stored the same way.
ENTRY_IDS = sa.table("entries", sa.column("id", sa.Uuid()))


def stored_counts(engine: sa.Engine, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many times each id is stored in ``entries`` (absent: none)."""
    counts: dict[uuid.UUID, int] = {}
    with engine.connect() as connection:
        for start in range(0, len(ids), 500):
            rows = connection.execute(sa.select(ENTRY_IDS.c.id, sa.func.count())
                                      .where(ENTRY_IDS.c.id.in_(ids[start:start + 500])).group_by(ENTRY_IDS.c.id))
            counts.update({entry_id: count for entry_id, count in rows})
    return counts


def check_writes(label: str, engine: sa.Engine, writes: Writes) -> bool:
    """Print the exactly-once check of the writes; False when one was lost or stored twice."""
    stored = stored_counts(engine, writes.sent)
    missing, duplicated = exactly_once(writes.acknowledged, stored)
    unacknowledged = len(set(stored) - set(writes.acknowledged))
    print(f"<!-- {label}: {len(writes.acknowledged):,} writes acknowledged (201): {len(missing)} missing, "
          f"{len(duplicated)} stored twice; {unacknowledged} stored without a 201 -->", flush=True)
    return not missing and not duplicated
