"""A dosing session: the experience that integration entries refer back to."""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow

#: (value, label) pairs offered in the form; "other" asks for free text.
SUBSTANCES = [
    ("psilocybin", "Psilocybin"),
    ("mdma", "MDMA"),
    ("ayahuasca", "Ayahuasca"),
    ("ketamine", "Ketamine"),
    ("lsd", "LSD"),
    ("other", "Other"),
]
SUBSTANCE_LABELS = dict(SUBSTANCES)


class DosingSession(db.Model):
    __tablename__ = "dosing_sessions"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: The calendar day of the session, in the patient's own time zone.
    date: Mapped[date] = mapped_column(sa.Date)
    substance: Mapped[str] = mapped_column(sa.String(32))
    #: Free text, only when ``substance`` is ``other``.
    substance_other: Mapped[str | None] = mapped_column(sa.String(80))
    dose: Mapped[str | None] = mapped_column(sa.String(80))
    setting: Mapped[str | None] = mapped_column(sa.String(500))
    intention: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def substance_label(self) -> str:
        if self.substance == "other" and self.substance_other:
            return self.substance_other
        return SUBSTANCE_LABELS.get(self.substance, self.substance)

    @property
    def title(self) -> str:
        return f"{self.substance_label} — {self.date.isoformat()}"
