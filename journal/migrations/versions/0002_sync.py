"""sync: offline sync support (placeholder; filled in by the offline-sync work)

Revision ID: 0002_sync
Revises: 1e980c29c892
Create Date: 2026-11-25
"""

revision = "0002_sync"
down_revision = "1e980c29c892"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
