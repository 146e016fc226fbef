"""Answers to standard questionnaires, the schedule that asks for them, and the safety plan.

A response has a UUID made on the device, so a questionnaire filled in offline reaches the
server exactly once however often the outbox sends it. Responses are never edited: a
patient who answers again fills the questionnaire again.
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journal.dosing.models import DosingSession
from journal.extensions import db
from journal.timeutil import UTCDateTime, utcnow


class MeasureResponse(db.Model):
    """One completed questionnaire, with the score the server computed from its answers."""

    __tablename__ = "measure_responses"
    __table_args__ = (
        #: The outcomes chart and the export: a patient's responses in time order.
        sa.Index("ix_measure_responses_owner_completed", "owner_id", "completed_at"),
        #: What is still due: a protocol timepoint of a session is answered once per instrument.
        sa.Index("ix_measure_responses_session", "dosing_session_id", "timepoint", "instrument"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: The instrument's id in ``journal/measures/instruments/`` (``phq9``, ``meq30`` …).
    instrument: Mapped[str] = mapped_column(sa.String(16))
    #: The answers' values in item order, as the instrument's options define them.
    answers: Mapped[list[int]] = mapped_column(sa.JSON)
    #: When the patient finished it (the device's clock; may be hours before it synced).
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dosing_session_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("dosing_sessions.id", ondelete="SET NULL"))
    #: The protocol timepoint it answered (``baseline``, ``week4`` …); None when the patient
    #: started it of their own accord, which keeps it private until they share it.
    timepoint: Mapped[str | None] = mapped_column(sa.String(16))
    total: Mapped[float] = mapped_column(sa.Float)
    band: Mapped[str | None] = mapped_column(sa.String(40))
    #: The whole score as the API answers it: total, band, subscales, flags.
    score: Mapped[dict] = mapped_column(sa.JSON)
    #: True when a flag asks for the care team's attention (PHQ-9 item 9 above 0).
    safety_flag: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: A digest of what the device sent: a resend of the same response is a replay.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dosing_session: Mapped[DosingSession | None] = relationship(lazy="joined")

    @property
    def scheduled(self) -> bool:
        """Asked for by the care team's protocol (not started by the patient alone)."""
        return self.timepoint is not None


class MeasureProtocol(db.Model):
    """A therapist's change to the default protocol for one patient."""

    __tablename__ = "measure_protocols"

    patient_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                                  primary_key=True)
    #: ``{timepoint: [instrument id, …]}``; a timepoint with no instruments is not asked.
    plan: Mapped[dict] = mapped_column(sa.JSON)
    set_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


#: The safety plan's sections, in order: (field, heading, prompt). Our own wording.
SAFETY_PLAN_SECTIONS = [
    ("warning_signs", "My warning signs",
     "Thoughts, feelings, situations or behaviour that tell me a crisis may be coming."),
    ("self_care", "Things I can do myself",
     "What helps me feel calmer or safer, without contacting anyone."),
    ("people_places", "People and places that take my mind off things",
     "Who I can be with, and where I can go, to feel less alone."),
    ("ask_for_help", "People I can ask for help",
     "Names and numbers of people I trust to tell that I am struggling."),
    ("professionals", "Professionals and crisis lines",
     "My therapist, my doctor, and crisis lines I can call or text at any hour."),
    ("safer_surroundings", "Making my surroundings safer",
     "What I can remove, lock away or give to someone, so that I am safer."),
]
SAFETY_PLAN_SECTION_MAX = 2_000


class SafetyPlan(db.Model):
    """The patient's own plan for a crisis, written in their own words."""

    __tablename__ = "safety_plans"

    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                                primary_key=True)
    warning_signs: Mapped[str] = mapped_column(sa.Text, default="")
    self_care: Mapped[str] = mapped_column(sa.Text, default="")
    people_places: Mapped[str] = mapped_column(sa.Text, default="")
    ask_for_help: Mapped[str] = mapped_column(sa.Text, default="")
    professionals: Mapped[str] = mapped_column(sa.Text, default="")
    safer_surroundings: Mapped[str] = mapped_column(sa.Text, default="")
    #: Shared with every therapist on the care team while the link lasts.
    shared: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def sections(self) -> list[tuple[str, str, str]]:
        """(heading, prompt, text) of every section, in order."""
        return [(heading, prompt, getattr(self, field) or "") for field, heading, prompt in SAFETY_PLAN_SECTIONS]

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, field) for field, _, _ in SAFETY_PLAN_SECTIONS)
