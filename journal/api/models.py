"""Receipts of applied sync writes, so a replayed request is recognised, not re-applied."""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow


class SyncReceipt(db.Model):
    """One write the server applied for a device: "this request made version N".

    A phone that lost the response replays the identical request; the fingerprint
    finds this receipt and the server answers as before instead of applying it twice
    or calling it a conflict.
    """

    __tablename__ = "sync_receipts"
    __table_args__ = (sa.UniqueConstraint("entry_id", "fingerprint", name="uq_sync_receipts_entry_fingerprint"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    #: Receipts go with their entry when it is purged from the Trash.
    entry_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"))
    #: SHA-256 of the method, the base version and the canonical request body.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    #: The status the first answer had (201 created, 200 updated or deleted).
    status: Mapped[int] = mapped_column(sa.SmallInteger)
    #: The entry version that write produced.
    version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
