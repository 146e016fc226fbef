"""Measures since the last meeting, for Prepare for session: the last dosing session's own
questionnaires (MEQ-30 subscales, the complete-experience rule), trend measures against
baseline, and safety flags. Built from visible responses only (see care.visibility)."""
from dataclasses import dataclass, field
from datetime import datetime

from journal.auth.models import User
from journal.dosing.models import DosingSession
from journal.measures.instruments import Instrument, instruments
from journal.measures.models import MeasureResponse
from journal.therapist.outcomes import (SESSION_SPECIFIC, FlagNote, Outcome, by_instrument, describe_flag,
                                        visible, words)


@dataclass(frozen=True)
class Subscale:
    name: str
    mean: float
    percent: float | None


@dataclass(frozen=True)
class RuleResult:
    """A published rule the score met or did not (e.g. a complete mystical experience)."""

    name: str
    met: bool
    source: str | None


@dataclass
class SessionResult:
    """One session-specific questionnaire of the last dosing session."""

    response: MeasureResponse
    instrument: Instrument
    subscales: list[Subscale]
    rules: list[RuleResult]


def session_result(response: MeasureResponse) -> SessionResult:
    instrument = instruments()[response.instrument]
    score = response.score
    percents = score.get("subscale_percent") or {}
    subscales = [Subscale(words(name), mean, percents.get(name)) for name, mean in (score.get("subscales") or {}).items()]
    raised = set(score.get("flags", ()))
    rules = [RuleResult(words(rule["id"]), rule["id"] in raised, rule.get("source"))
             for rule in instrument.scoring.get("flags", ()) if not rule.get("safety")]
    return SessionResult(response, instrument, subscales, rules)


@dataclass
class MeasuresSince:
    last_session: DosingSession | None
    session_results: list[SessionResult]
    trends: list[Outcome]
    flags: list[FlagNote]
    since_last_meeting: list[MeasureResponse] = field(default_factory=list)

    @property
    def shown(self) -> list[MeasureResponse]:
        """Every response this section shows, once each (for the access log)."""
        seen: dict = {}
        for response in [r.response for r in self.session_results] + \
                [r for o in self.trends for r in (o.baseline, o.latest)] + \
                [f.response for f in self.flags] + self.since_last_meeting:
            seen.setdefault(response.id, response)
        return list(seen.values())

    @property
    def empty(self) -> bool:
        return not (self.session_results or self.trends or self.flags)


def measures_since(therapist: User, patient: User, since: datetime | None) -> MeasuresSince:
    """What Prepare for session shows of questionnaires; ``since`` is the last meeting's start."""
    responses = visible(therapist, patient)
    sessions = sorted({r.dosing_session.id: r.dosing_session for r in responses if r.dosing_session}.values(),
                      key=lambda s: (s.date, str(s.id)))
    last = sessions[-1] if sessions else None
    results = [session_result(r) for r in responses
               if last is not None and r.dosing_session_id == last.id and r.instrument in SESSION_SPECIFIC]
    trends = [o for o in by_instrument(responses) if o.instrument.id not in SESSION_SPECIFIC]
    recent = [r for r in responses if since is None or r.completed_at >= since]
    flags = [describe_flag(r, patient) for r in reversed(recent) if r.safety_flag]
    return MeasuresSince(last, results, trends, flags, recent)
