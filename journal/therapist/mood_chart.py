"""A mood line drawn on the server as inline SVG: no script, no style attributes."""
from dataclasses import dataclass

from journal.entries.models import MOOD_MAX, MOOD_MIN, Entry

WIDTH, HEIGHT, PAD = 600, 180, 28


@dataclass
class MoodPoint:
    x: float
    y: float
    mood: int
    entry: Entry


@dataclass
class MoodChart:
    points: list[MoodPoint]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        return [(mood, _y(mood)) for mood in (MOOD_MIN, 5, MOOD_MAX)]

    @property
    def left(self) -> int:
        return PAD

    @property
    def right(self) -> int:
        return WIDTH - PAD // 2


def _y(mood: int) -> float:
    span = HEIGHT - 2 * PAD
    return HEIGHT - PAD - (mood - MOOD_MIN) / (MOOD_MAX - MOOD_MIN) * span


def mood_chart(entries: list[Entry]) -> MoodChart | None:
    """Points for the entries in time order, spaced by date; None when there are none."""
    ordered = sorted(entries, key=lambda e: e.written_at)
    if not ordered:
        return None
    first, last = ordered[0].written_at, ordered[-1].written_at
    span = (last - first).total_seconds() or 1.0
    usable = WIDTH - PAD - PAD // 2
    points = []
    for entry in ordered:
        share = (entry.written_at - first).total_seconds() / span if len(ordered) > 1 else 0.5
        points.append(MoodPoint(PAD + share * usable, _y(entry.mood), entry.mood, entry))
    return MoodChart(points)
