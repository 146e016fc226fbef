"""The geometry of one outcomes chart, drawn on the server as inline SVG.

An instrument's totals over time on its published scale, with its severity bands shaded
behind them, each dosing session as a marked vertical line, and journal mood (1–10) in a
small panel below on the same date axis. Only numbers and class names leave this module:
the template draws them, the stylesheet colours them (no style attributes under the CSP).
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from journal.entries.models import MOOD_MAX, MOOD_MIN

WIDTH, LEFT, RIGHT = 640, 44, 520
TOP, MAIN_BOTTOM = 30, 210
MOOD_TOP, MOOD_BOTTOM = 232, 282
HEIGHT = 312
#: Spacing of date ticks, in days: the first that keeps the axis to a few labels.
TICK_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)
MAX_TICKS = 6
#: Spacing of score ticks: the first that keeps the y axis to five gaps or fewer.
VALUE_STEPS = (1, 2, 4, 5, 10, 20, 25, 50, 100)
#: A lone response still gets a readable axis around it.
PADDING = timedelta(days=3)


@dataclass(frozen=True)
class Band:
    label: str
    y_top: float
    y_bottom: float
    css: str

    @property
    def height(self) -> float:
        return self.y_bottom - self.y_top

    @property
    def label_y(self) -> float:
        return (self.y_top + self.y_bottom) / 2 + 4


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    when: datetime


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class SessionMark:
    x: float
    label: str
    day: date

    @property
    def label_x(self) -> float:
        """Centred on the line, but kept inside the drawing near either edge."""
        return min(max(self.x, LEFT + 40), RIGHT - 40)


@dataclass
class OutcomeChart:
    """Everything the template needs to draw one instrument's chart."""

    scale_min: float
    scale_max: float
    bands: list[Band]
    points: list[Point]
    ticks: list[Tick]
    sessions: list[SessionMark]
    moods: list[Point] = field(default_factory=list)
    y_ticks: list[tuple[float, float]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = MAIN_BOTTOM
    mood_top: int = MOOD_TOP
    mood_bottom: int = MOOD_BOTTOM

    @staticmethod
    def _line(points: list[Point]) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)

    @property
    def polyline(self) -> str:
        return self._line(self.points)

    @property
    def mood_polyline(self) -> str:
        return self._line(self.moods)

    @property
    def band_label_x(self) -> int:
        return self.right + 6


def _moment(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(12), tzinfo=timezone.utc)


class _Axis:
    """Maps moments to x and values to y."""

    def __init__(self, start: datetime, end: datetime, low: float, high: float):
        self.start, self.end, self.low, self.high = start, end, low, high
        self.span = (end - start).total_seconds() or 1.0

    def x(self, when: datetime | date) -> float:
        share = (_moment(when) - self.start).total_seconds() / self.span
        return LEFT + share * (RIGHT - LEFT)

    def y(self, value: float) -> float:
        share = (value - self.low) / ((self.high - self.low) or 1)
        return MAIN_BOTTOM - share * (MAIN_BOTTOM - TOP)

    def contains(self, when: datetime | date) -> bool:
        return self.start <= _moment(when) <= self.end


def _tidy(number: float) -> int | float:
    return int(number) if float(number).is_integer() else round(number, 1)


def _mood_y(mood: int) -> float:
    share = (mood - MOOD_MIN) / (MOOD_MAX - MOOD_MIN)
    return MOOD_BOTTOM - share * (MOOD_BOTTOM - MOOD_TOP)


def _ticks(axis: _Axis) -> list[Tick]:
    days = max(1, (axis.end - axis.start).days)
    step = next((s for s in TICK_STEPS if days / s <= MAX_TICKS), TICK_STEPS[-1])
    day = axis.start.date() + timedelta(days=1)
    ticks = []
    while _moment(day) <= axis.end:
        ticks.append(Tick(axis.x(day), day.strftime("%d %b %Y" if step >= 91 else "%d %b")))
        day += timedelta(days=step)
    return ticks


def _bands(axis: _Axis, raw_bands) -> list[Band]:
    """Shaded regions from each band's lower edge to the next band's (the last to the top)."""
    bands = []
    ordered = sorted(raw_bands, key=lambda b: b["min"])
    for index, band in enumerate(ordered):
        upper = ordered[index + 1]["min"] if index + 1 < len(ordered) else axis.high
        bands.append(Band(band["label"], axis.y(upper), axis.y(max(band["min"], axis.low)), f"band band-{index}"))
    return bands


def outcome_chart(scale: tuple[float, float], raw_bands, totals: list[tuple[datetime, float]],
                  sessions: list[tuple[date, str]], moods: list[tuple[datetime, int]]) -> OutcomeChart:
    """The chart of ``totals`` (oldest first, at least one) on the instrument's ``scale``.

    Sessions and moods outside the dates of the totals (padded by a few days) are left out,
    so every chart's axis is the span its own scores cover.
    """
    start = min(when for when, _ in totals) - PADDING
    end = max(when for when, _ in totals) + PADDING
    low, high = scale
    axis = _Axis(start, end, low, high)
    step = next((s for s in VALUE_STEPS if (high - low) / s <= 5), (high - low) / 4)
    values = [low + i * step for i in range(int((high - low) / step) + 1)]
    return OutcomeChart(
        scale_min=low, scale_max=high,
        bands=_bands(axis, raw_bands),
        points=[Point(axis.x(when), axis.y(total), total, when) for when, total in totals],
        ticks=_ticks(axis),
        sessions=[SessionMark(axis.x(day), label, day) for day, label in sessions if axis.contains(day)],
        moods=[Point(axis.x(when), _mood_y(mood), mood, when) for when, mood in moods if axis.contains(when)],
        y_ticks=[(_tidy(value), axis.y(value)) for value in values],
    )
