"""A dosing session: the experience that integration entries refer back to."""
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from journal.extensions import db
from journal.timeutil import UTCDateTime, local_date, utcnow

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


def substance_label(substance: str, substance_other: str | None) -> str:
    """How a session's substance is named: the patient's own word when it is "other"."""
    if substance == "other" and substance_other:
        return substance_other
    return SUBSTANCE_LABELS.get(substance, substance)


def days_after(session_date: date, moment: datetime, tz_name: str) -> int:
    """Whole days from the session to ``moment`` on the patient's calendar (negative: before it)."""
    return (local_date(moment, tz_name) - session_date).days


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
        return substance_label(self.substance, self.substance_other)

    @property
    def title(self) -> str:
        return f"{self.substance_label} — {self.date.isoformat()}"
