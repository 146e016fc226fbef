"""one write path: change numbers for the feed, receipts that keep their answer, one active link

Revision ID: 0006_one_write_path
Revises: 0005_login_throttle
Create Date: 2026-11-26
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa

revision = "0006_one_write_path"
down_revision = "0005_login_throttle"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_counters",
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False))
    with op.batch_alter_table("entries") as batch:
        batch.add_column(sa.Column("change_seq", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("purged_entries") as batch:
        batch.add_column(sa.Column("change_seq", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("sync_receipts") as batch:
        batch.add_column(sa.Column("answer", sa.JSON(), nullable=True))
    _number_existing_changes()
    with op.batch_alter_table("entries") as batch:
        batch.alter_column("change_seq", existing_type=sa.BigInteger(), nullable=False)
        batch.drop_index("ix_entries_owner_updated")
        batch.create_unique_constraint("uq_entries_owner_change_seq", ["owner_id", "change_seq"])
    with op.batch_alter_table("purged_entries") as batch:
        batch.alter_column("change_seq", existing_type=sa.BigInteger(), nullable=False)
        batch.drop_index("ix_purged_entries_owner_purged")
        batch.create_unique_constraint("uq_purged_entries_owner_change_seq", ["owner_id", "change_seq"])
    _end_duplicate_active_links()
    op.create_index("uq_care_links_active_pair", "care_links", ["patient_id", "therapist_id"], unique=True,
                    sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL"))


def _number_existing_changes():
    """Number each patient's entries and purges in their old feed order (time, then id)."""
    conn = op.get_bind()
    changes = defaultdict(list)
    for owner, entry_id, at in conn.execute(sa.text("SELECT owner_id, id, updated_at FROM entries")):
        changes[owner].append((at, str(entry_id), "entries", "id", entry_id))
    for owner, entry_id, at in conn.execute(sa.text("SELECT owner_id, entry_id, purged_at FROM purged_entries")):
        changes[owner].append((at, str(entry_id), "purged_entries", "entry_id", entry_id))
    for owner, rows in changes.items():
        rows.sort()
        for seq, (_, _, table, key, entry_id) in enumerate(rows, start=1):
            conn.execute(sa.text(f"UPDATE {table} SET change_seq = :seq WHERE {key} = :id"),
                         {"seq": seq, "id": entry_id})
        conn.execute(sa.text("INSERT INTO change_counters (owner_id, last_seq) VALUES (:owner, :seq)"),
                     {"owner": owner, "seq": len(rows)})


def _end_duplicate_active_links():
    """A double-accepted invitation may have left two active links: keep the oldest."""
    conn = op.get_bind()
    seen = set()
    rows = conn.execute(sa.text("SELECT id, patient_id, therapist_id FROM care_links "
                                "WHERE ended_at IS NULL ORDER BY created_at, id"))
    for link_id, patient_id, therapist_id in list(rows):
        pair = (str(patient_id), str(therapist_id))
        if pair in seen:
            conn.execute(sa.text("UPDATE care_links SET ended_at = CURRENT_TIMESTAMP WHERE id = :id"),
                         {"id": link_id})
        seen.add(pair)


def downgrade():
    op.drop_index("uq_care_links_active_pair", table_name="care_links")
    with op.batch_alter_table("purged_entries") as batch:
        batch.drop_constraint("uq_purged_entries_owner_change_seq", type_="unique")
        batch.create_index("ix_purged_entries_owner_purged", ["owner_id", "purged_at", "entry_id"])
        batch.drop_column("change_seq")
    with op.batch_alter_table("entries") as batch:
        batch.drop_constraint("uq_entries_owner_change_seq", type_="unique")
        batch.create_index("ix_entries_owner_updated", ["owner_id", "updated_at", "id"])
        batch.drop_column("change_seq")
    with op.batch_alter_table("sync_receipts") as batch:
        batch.drop_column("answer")
    op.drop_table("change_counters")
