"""A mood line drawn on the server as inline SVG: no script, no style attributes.

Both axes are labelled (mood 1–10; dates in the therapist's zone), and the patient's
dosing sessions that shared entries refer to are marked, so a dip after a session reads
as one.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from journal.dosing.models import DosingSession
from journal.entries.models import MOOD_MAX, MOOD_MIN, Entry

WIDTH, HEIGHT = 640, 230
#: Room for the mood labels (left), the date labels (bottom) and the session labels (top).
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 30, 44
DATE_TICKS = 4
#: How long before the first entry a session is still marked.
SESSION_LOOKBACK = timedelta(days=14)


@dataclass
class MoodPoint:
    x: float
    y: float
    mood: int
    entry: Entry


@dataclass
class Tick:
    x: float
    label: str
    iso: str


@dataclass
class SessionMark:
    x: float
    label: str
    day: date


@dataclass
class MoodChart:
    points: list[MoodPoint]
    dates: list[Tick] = field(default_factory=list)
    sessions: list[SessionMark] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        return [(mood, _y(mood)) for mood in (MOOD_MIN, 5, MOOD_MAX)]

    @property
    def centre_x(self) -> float:
        return (self.left + self.right) / 2


def _y(mood: int) -> float:
    span = HEIGHT - TOP - BOTTOM
    return HEIGHT - BOTTOM - (mood - MOOD_MIN) / (MOOD_MAX - MOOD_MIN) * span


def mood_chart(entries: list[Entry], sessions: list[DosingSession] = (), tz: tzinfo | None = None) -> MoodChart | None:
    """Points for the entries in time order, spaced by date, with dated ticks and the
    given dosing sessions marked where they fall; None when there are no entries."""
    ordered = sorted(entries, key=lambda e: e.written_at)
    if not ordered:
        return None
    tz = tz or ordered[0].written_at.tzinfo
    # Sessions near these entries: the one they follow, not every session there ever was.
    window_start = ordered[0].written_at - SESSION_LOOKBACK
    session_moments = [(s, moment) for s in sessions
                       if window_start <= (moment := datetime.combine(s.date, time(12), tz)) <= ordered[-1].written_at]
    moments = [e.written_at for e in ordered] + [m for _, m in session_moments]
    first, last = min(moments), max(moments)
    if last - first < timedelta(days=1):  # one day: centre it in a day's width
        first, last = first - timedelta(hours=12), last + timedelta(hours=12)
    span = (last - first).total_seconds()
    usable = WIDTH - LEFT - RIGHT

    def x(moment: datetime) -> float:
        return LEFT + (moment - first).total_seconds() / span * usable

    points = [MoodPoint(x(e.written_at), _y(e.mood), e.mood, e) for e in ordered]
    ticks = []
    for n in range(DATE_TICKS):
        moment = first + (last - first) * n / (DATE_TICKS - 1)
        local = moment.astimezone(tz)
        ticks.append(Tick(x(moment), local.strftime("%d %b"), local.date().isoformat()))
    marks = [SessionMark(x(moment), f"{s.substance_label} session", s.date) for s, moment in sorted(session_moments, key=lambda p: p[1])]
    return MoodChart(points, ticks, marks)
