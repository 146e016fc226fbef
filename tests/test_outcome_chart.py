"""The outcomes chart's geometry, without HTTP: bands fill the scale, axes are readable."""
from datetime import date, datetime, timedelta, timezone

from journal.measures.instruments import instrument
from journal.therapist.outcome_chart import LEFT, MAIN_BOTTOM, RIGHT, TOP, outcome_chart

START = datetime(2026, 10, 1, 9, tzinfo=timezone.utc)


def phq9_chart(totals, sessions=(), moods=()):
    scoring = instrument("phq9").scoring
    return outcome_chart((0, 27), scoring["bands"], totals, list(sessions), list(moods))


def test_bands_stack_from_the_bottom_of_the_scale_to_the_top():
    chart = phq9_chart([(START, 15), (START + timedelta(days=30), 8)])
    assert [b.label for b in chart.bands] == ["Minimal", "Mild", "Moderate", "Moderately severe", "Severe"]
    assert chart.bands[0].y_bottom == MAIN_BOTTOM and chart.bands[-1].y_top == TOP
    for lower, upper in zip(chart.bands, chart.bands[1:]):
        assert lower.y_top == upper.y_bottom, "no gap and no overlap between bands"


def test_points_run_left_to_right_in_time_and_higher_scores_sit_higher():
    chart = phq9_chart([(START, 15), (START + timedelta(days=30), 8)])
    first, last = chart.points
    assert LEFT < first.x < last.x < RIGHT
    assert first.y < last.y  # 15 is drawn above 8


def test_score_ticks_are_whole_numbers_and_date_ticks_are_few():
    chart = phq9_chart([(START, 15), (START + timedelta(days=90), 8)])
    assert all(isinstance(value, int) for value, _ in chart.y_ticks)
    assert chart.y_ticks[0][0] == 0 and chart.y_ticks[-1][0] <= 27
    assert 2 <= len(chart.ticks) <= 6


def test_sessions_and_moods_outside_the_scores_dates_are_left_out():
    chart = phq9_chart([(START, 15), (START + timedelta(days=10), 8)],
                       sessions=[(date(2026, 10, 3), "psilocybin"), (date(2025, 1, 1), "long ago")],
                       moods=[(START + timedelta(days=2), 6), (START - timedelta(days=100), 2)])
    assert [s.label for s in chart.sessions] == ["psilocybin"]
    assert [m.value for m in chart.moods] == [6]


def test_a_single_response_still_gets_a_date_axis():
    chart = phq9_chart([(START, 12)])
    assert chart.ticks and LEFT < chart.points[0].x < RIGHT
