"""What the therapist sees of a patient's questionnaires: outcomes per instrument with change
since baseline and reliable change, session results, and safety flags in plain words.

Every response comes through ``journal.care.visibility`` (the one rule); nothing here
decides on its own what a therapist may read.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa

from journal.auth.models import User
from journal.care.measure_service import open_safety_flags
from journal.care.visibility import visible_entries, visible_responses
from journal.dosing.models import DosingSession
from journal.entries.models import Entry
from journal.extensions import db
from journal.measures.instruments import Instrument, instruments
from journal.measures.models import MeasureResponse
from journal.measures.protocol import TIMEPOINTS
from journal.measures.scoring import Change, reliable_changes
from journal.therapist.outcome_chart import OutcomeChart, outcome_chart

#: Instruments about one dosing session (the acute experience, the day after), not a trend.
SESSION_SPECIFIC = frozenset(i for tp in TIMEPOINTS if tp.key in ("evening", "next_day") for i in tp.default)
METHOD_NAMES = {"nhs_talking_therapies": "NHS Talking Therapies", "jacobson_truax": "Jacobson–Truax",
                "published_threshold": "Published threshold"}
#: Trend measures first, in the order clinicians read them; session questionnaires last.
PREFERRED_ORDER = ("phq9", "gad7", "who5", "pcl5")
DIRECTION_WORDS = {"improved": "reliable improvement", "deteriorated": "reliable deterioration",
                   "no reliable change": "no reliable change"}


def signed(number) -> str:
    """+3, −7 (a true minus sign), 0."""
    text = f"{abs(number):g}"
    return f"+{text}" if number > 0 else f"−{text}" if number < 0 else "0"


def words(identifier: str) -> str:
    """``positive_mood`` → "Positive mood"."""
    text = identifier.replace("_", " ")
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class JudgedChange:
    """One reliable-change rule's verdict, with what the page says about it."""

    change: Change
    caseness: float | None

    @property
    def rule_name(self) -> str:
        return self.change.label or METHOD_NAMES.get(self.change.method, words(self.change.method))

    @property
    def method_name(self) -> str:
        return METHOD_NAMES.get(self.change.method, words(self.change.method))

    @property
    def threshold_text(self) -> str:
        comparison = ">" if self.change.method == "jacobson_truax" else "≥"
        return f"{comparison} {self.change.threshold:.3g} points"

    @property
    def verdict(self) -> str:
        return DIRECTION_WORDS.get(self.change.direction, self.change.direction)


@dataclass
class Outcome:
    """One instrument's visible responses, oldest first, and how the total moved."""

    instrument: Instrument
    responses: list[MeasureResponse]
    chart: OutcomeChart | None = None

    @property
    def baseline(self) -> MeasureResponse:
        return self.responses[0]

    @property
    def latest(self) -> MeasureResponse:
        return self.responses[-1]

    @property
    def difference(self) -> str:
        return signed(self.latest.total - self.baseline.total)

    @property
    def changes(self) -> list[JudgedChange]:
        if len(self.responses) < 2:
            return []
        rules = self.instrument.reliable_change
        found = reliable_changes(self.instrument, self.baseline.total, self.latest.total)
        return [JudgedChange(change, rule.get("caseness")) for change, rule in zip(found, rules)]


@dataclass(frozen=True)
class FlagNote:
    """A safety flag said plainly: which item, and the answer the patient chose."""

    response: MeasureResponse
    instrument: Instrument
    sentences: list[str]
    patient: User | None = None


def describe_flag(response: MeasureResponse, patient: User | None = None) -> FlagNote:
    """'PHQ-9 item 9 answered above 0: "Several days"', from the instrument's flag rules."""
    instrument = instruments()[response.instrument]
    raised = set(response.score.get("flags", ()))
    sentences = []
    for rule in instrument.safety_rules:
        if rule["id"] not in raised:
            continue
        if rule["rule"] == "item_at_least":
            item = instrument.item(rule["item"])
            value = response.answers[item.number - 1]
            label = next((o.label for o in item.options if o.value == value), str(value))
            sentences.append(f"{instrument.short_title} item {item.number} (“{item.text}”) answered above 0: "
                             f"“{label}”.")
        else:
            sentences.append(rule.get("note") or words(rule["id"]))
    return FlagNote(response, instrument, sentences, patient)


def flags_for_dashboard(therapist: User) -> list[FlagNote]:
    """Open safety flags of every linked patient, newest first, each with its patient."""
    flagged = open_safety_flags(therapist)
    owners = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_({r.owner_id for r in flagged})))} if flagged else {}
    return [describe_flag(r, owners.get(r.owner_id)) for r in flagged]


def open_flags(therapist: User, patient: User) -> list[FlagNote]:
    return [describe_flag(r, patient) for r in open_safety_flags(therapist, patient.id)]


def visible(therapist: User, patient: User) -> list[MeasureResponse]:
    """The patient's responses this therapist may read, oldest first."""
    return list(db.session.scalars(visible_responses(therapist.id, patient.id)).unique())


def by_instrument(responses: list[MeasureResponse]) -> list[Outcome]:
    """One Outcome per instrument: trend measures first (PHQ-9, GAD-7 …), session ones last."""
    known = instruments()
    grouped: dict[str, list[MeasureResponse]] = {}
    for response in responses:
        grouped.setdefault(response.instrument, []).append(response)
    order = sorted((key for key in grouped if key in known), key=lambda key: (
        key in SESSION_SPECIFIC, PREFERRED_ORDER.index(key) if key in PREFERRED_ORDER else len(PREFERRED_ORDER), key))
    return [Outcome(known[key], grouped[key]) for key in order]


def visible_sessions(therapist: User, patient: User, responses: list[MeasureResponse]) -> list[DosingSession]:
    """Sessions the therapist knows of: those of visible responses or shared entries."""
    ids = {r.dosing_session_id for r in responses if r.dosing_session_id}
    ids |= set(db.session.scalars(visible_entries(therapist.id, patient.id)
                                  .with_only_columns(Entry.dosing_session_id)
                                  .where(Entry.dosing_session_id.is_not(None))))
    if not ids:
        return []
    return list(db.session.scalars(sa.select(DosingSession).where(DosingSession.id.in_(ids))
                                   .order_by(DosingSession.date)))


def shared_moods(therapist: User, patient: User) -> list[tuple]:
    """(written_at, mood) of the entries shared with the therapist, oldest first."""
    query = visible_entries(therapist.id, patient.id).with_only_columns(Entry.written_at, Entry.mood) \
        .order_by(Entry.written_at)
    return [tuple(row) for row in db.session.execute(query)]


@dataclass
class Outcomes:
    """The patient page's outcomes section."""

    outcomes: list[Outcome]
    responses: list[MeasureResponse] = field(default_factory=list)


def outcomes(therapist: User, patient: User) -> Outcomes:
    """A chart per instrument the therapist can see, with sessions and shared mood beside it."""
    responses = visible(therapist, patient)
    sessions = [(s.date, f"{s.substance_label} {s.date.strftime('%d %b')}")
                for s in visible_sessions(therapist, patient, responses)]
    moods = shared_moods(therapist, patient)
    found = by_instrument(responses)
    for outcome in found:
        scoring = outcome.instrument.scoring
        scale = (scoring["range"]["min"], scoring["range"]["max"])
        outcome.chart = outcome_chart(scale, scoring.get("bands", ()),
                                      [(r.completed_at, r.total) for r in outcome.responses], sessions, moods)
    return Outcomes(found, responses)
