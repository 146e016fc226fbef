"""The clinical instruments load from their data files and score by their published rules."""
import dataclasses

import pytest

from journal.measures.instruments import Instrument, instrument, instruments
from journal.measures.scoring import (AnswerError, check_answers, reliable_change, reliable_changes,
                                      score)


def answers_totalling(instrument_id, total):
    """Answers to every item adding up to ``total``, filled from item 1 onwards."""
    items = instrument(instrument_id).items
    answers = []
    for item in items:
        value = min(item.max_value(), total)
        answers.append(value)
        total -= value
    assert total == 0, "total out of range"
    return answers


# --- loading -------------------------------------------------------------------------

@pytest.mark.parametrize("instrument_id, count", [
    ("phq9", 9), ("gad7", 7), ("who5", 5), ("pcl5", 20), ("meq30", 30),
])
def test_every_instrument_loads_with_its_published_number_of_items(instrument_id, count):
    loaded = instrument(instrument_id)
    assert loaded.id == instrument_id
    assert [item.number for item in loaded.items] == list(range(1, count + 1))
    assert all(item.text and item.options for item in loaded.items)


def test_only_instruments_with_verbatim_sources_are_shipped():
    assert set(instruments()) == {"phq9", "gad7", "who5", "pcl5", "meq30"}


@pytest.mark.parametrize("loaded", list(instruments().values()), ids=lambda i: i.id)
def test_every_instrument_cites_its_source_and_licence(loaded):
    assert loaded.source.strip()
    assert loaded.licence.strip()
    assert loaded.instructions.strip()
    assert loaded.recall_period.strip()


def test_instruments_are_read_only():
    phq9 = instrument("phq9")
    with pytest.raises(dataclasses.FrozenInstanceError):
        phq9.title = "changed"
    with pytest.raises(TypeError):
        phq9.scoring["method"] = "mean"


def test_unknown_instrument_is_a_key_error():
    with pytest.raises(KeyError, match="No instrument called 'bdi2'"):
        instrument("bdi2")


def test_loinc_codes_for_phq9_and_gad7():
    assert instrument("phq9").loinc["total"] == "44261-6"
    assert instrument("gad7").loinc["total"] == "70274-6"


# --- bands ---------------------------------------------------------------------------

@pytest.mark.parametrize("total, band", [
    (0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"),
    (15, "Moderately severe"), (19, "Moderately severe"), (20, "Severe"), (27, "Severe"),
])
def test_phq9_severity_bands(total, band):
    result = score(instrument("phq9"), answers_totalling("phq9", total))
    assert result.total == total
    assert result.band == band


@pytest.mark.parametrize("total, band", [
    (0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"),
    (15, "Severe"), (21, "Severe"),
])
def test_gad7_severity_bands(total, band):
    result = score(instrument("gad7"), answers_totalling("gad7", total))
    assert (result.total, result.band) == (total, band)


def test_phq9_item9_flag_is_raised_by_any_answer_above_not_at_all():
    phq9 = instrument("phq9")
    assert "phq9_item9" not in score(phq9, [3] * 8 + [0]).flags
    assert score(phq9, [0] * 8 + [1]).flags == ["phq9_item9"]


# --- WHO-5 ---------------------------------------------------------------------------

def test_who5_raw_sum_times_four_is_the_percentage_score():
    who5 = instrument("who5")
    result = score(who5, [5, 4, 3, 2, 1])
    assert (result.raw_total, result.total, result.percent_of_max) == (15, 60, 60)
    assert score(who5, [5] * 5).total == 100
    assert score(who5, [0] * 5).total == 0


@pytest.mark.parametrize("raw, flags", [
    (13, []),                                                  # 52
    (12, ["who5_poor_wellbeing"]),                             # 48 (50 is not reachable)
    (8, ["who5_poor_wellbeing"]),                              # 32
    (7, ["who5_poor_wellbeing", "who5_likely_depression"]),    # 28
])
def test_who5_wellbeing_cut_offs(raw, flags):
    assert score(instrument("who5"), answers_totalling("who5", raw)).flags == flags


# --- PCL-5 ---------------------------------------------------------------------------

def test_pcl5_cluster_sums_and_total():
    answers = [1, 2, 3, 4, 0,  1, 2,  0, 1, 2, 3, 4, 0, 1,  2, 3, 4, 0, 1, 2]
    result = score(instrument("pcl5"), answers)
    assert result.subscales == {"B": 10, "C": 3, "D": 11, "E": 12}
    assert result.total == 36


def pcl5_endorsing(b, c, d, e, rating=2):
    """PCL-5 answers endorsing the first b/c/d/e items of each cluster at ``rating``."""
    clusters = [(b, 5), (c, 2), (d, 7), (e, 6)]
    answers = []
    for endorsed, size in clusters:
        answers += [rating] * endorsed + [1] * (size - endorsed)
    return answers


def test_pcl5_provisional_diagnosis_at_the_minimum_of_every_cluster():
    assert score(instrument("pcl5"), pcl5_endorsing(1, 1, 2, 2)).flags == ["provisional_ptsd"]


@pytest.mark.parametrize("b, c, d, e", [(0, 1, 2, 2), (1, 0, 2, 2), (1, 1, 1, 2), (1, 1, 2, 1)])
def test_pcl5_no_provisional_diagnosis_when_one_cluster_falls_short(b, c, d, e):
    assert score(instrument("pcl5"), pcl5_endorsing(b, c, d, e)).flags == []


def test_pcl5_a_little_bit_is_not_an_endorsed_symptom():
    assert score(instrument("pcl5"), [1] * 20).flags == []
    assert score(instrument("pcl5"), pcl5_endorsing(5, 2, 7, 6, rating=1)).flags == []


# --- MEQ-30 --------------------------------------------------------------------------

MYSTICAL = [4, 5, 6, 9, 14, 15, 16, 18, 20, 21, 23, 24, 25, 26, 28]
POSITIVE_MOOD = [2, 8, 12, 17, 27, 30]
TRANSCENDENCE = [1, 7, 11, 13, 19, 22]
INEFFABILITY = [3, 10, 29]


def meq30_answers(mystical, positive_mood, transcendence, ineffability):
    """MEQ-30 answers from one list of ratings per subscale, in the subscale's item order."""
    by_number = {}
    for numbers, ratings in [(MYSTICAL, mystical), (POSITIVE_MOOD, positive_mood),
                             (TRANSCENDENCE, transcendence), (INEFFABILITY, ineffability)]:
        by_number.update(zip(numbers, ratings))
    return [by_number[n] for n in range(1, 31)]


def test_meq30_subscales_have_the_published_sizes():
    subscales = instrument("meq30").scoring["subscales"]
    assert {name: len(s["items"]) for name, s in subscales.items()} == {
        "mystical": 15, "positive_mood": 6, "transcendence_of_time_and_space": 6, "ineffability": 3}


def test_meq30_subscale_means_and_percent_of_maximum():
    answers = meq30_answers([5] * 15, [4] * 6, [3, 3, 3, 3, 2, 2], [0, 1, 2])
    result = score(instrument("meq30"), answers)
    assert result.subscales["mystical"] == 5
    assert result.subscales["positive_mood"] == 4
    assert result.subscales["transcendence_of_time_and_space"] == pytest.approx(16 / 6)
    assert result.subscales["ineffability"] == 1
    assert result.subscale_percent["mystical"] == 100
    assert result.subscale_percent["ineffability"] == pytest.approx(20)
    assert result.total == pytest.approx((75 + 24 + 16 + 3) / 30)
    assert result.percent_of_max == pytest.approx(100 * 118 / 150)


def test_meq30_complete_mystical_experience_at_exactly_sixty_percent_on_every_subscale():
    # 60% of 5 is a mean of 3 on every subscale
    answers = meq30_answers([3] * 15, [3] * 6, [3] * 6, [3] * 3)
    assert score(instrument("meq30"), answers).flags == ["complete_mystical_experience"]


def test_meq30_no_complete_mystical_experience_just_below_sixty_percent_on_one_subscale():
    # ineffability 8/15 = 53.3%; every other subscale far above
    answers = meq30_answers([5] * 15, [5] * 6, [5] * 6, [3, 3, 2])
    result = score(instrument("meq30"), answers)
    assert result.subscale_percent["ineffability"] == pytest.approx(100 * 8 / 15)
    assert result.flags == []


def test_meq30_complete_mystical_experience_just_above_sixty_percent():
    # mystical 46/75 = 61.3%, ineffability 10/15 = 66.7%
    answers = meq30_answers([3] * 14 + [4], [3] * 5 + [4], [3] * 5 + [4], [3, 3, 4])
    assert score(instrument("meq30"), answers).flags == ["complete_mystical_experience"]


def test_meq30_mystical_just_below_sixty_percent():
    # mystical 44/75 = 58.7%
    answers = meq30_answers([3] * 14 + [2], [5] * 6, [5] * 6, [5] * 3)
    assert score(instrument("meq30"), answers).flags == []


# --- answers that cannot be scored -------------------------------------------------

def test_wrong_number_of_answers():
    with pytest.raises(AnswerError, match=r"^PHQ-9 has 9 items; 8 answers were sent\.$"):
        check_answers(instrument("phq9"), [0] * 8)
    with pytest.raises(AnswerError, match=r"^GAD-7 has 7 items; 1 answer was sent\.$"):
        score(instrument("gad7"), [0])


def test_answer_outside_the_items_options_names_the_item_and_the_allowed_values():
    with pytest.raises(AnswerError, match=r"^PHQ-9 item 3: 4 is not allowed; the allowed values are 0, 1, 2, 3\.$"):
        check_answers(instrument("phq9"), [0, 0, 4, 0, 0, 0, 0, 0, 0])
    with pytest.raises(AnswerError, match=r"PCL-5 item 1: -1 is not allowed"):
        check_answers(instrument("pcl5"), [-1] + [0] * 19)
    with pytest.raises(AnswerError, match=r"WHO-5 item 5: 6 is not allowed; the allowed values are 0, 1, 2, 3, 4, 5\."):
        check_answers(instrument("who5"), [0, 0, 0, 0, 6])


@pytest.mark.parametrize("bad", ["2", 2.0, 1.5, None])
def test_non_integer_answer(bad):
    with pytest.raises(AnswerError, match=r"^GAD-7 item 2: the answer must be a whole number"):
        check_answers(instrument("gad7"), [0, bad, 0, 0, 0, 0, 0])


def test_boolean_answer_is_not_a_number():
    with pytest.raises(AnswerError, match=r"^PHQ-9 item 1: the answer must be a whole number, not True\.$"):
        check_answers(instrument("phq9"), [True] + [0] * 8)


def test_answers_must_be_a_list():
    with pytest.raises(AnswerError, match="must be a list"):
        check_answers(instrument("phq9"), "000000000")


def test_range_items_accept_whole_numbers_within_the_range():
    # No shipped instrument uses a 0-100 line yet; the rule is exercised on a built one.
    phq9 = instrument("phq9")
    line = dataclasses.replace(phq9.items[0], options=(), value_range=(0, 100))
    scale = dataclasses.replace(phq9, short_title="Line", items=(line,))
    assert check_answers(scale, [0]) == [0]
    assert check_answers(scale, [100]) == [100]
    with pytest.raises(AnswerError, match=r"^Line item 1: 101 is not allowed; answers are whole numbers from 0 to 100\.$"):
        check_answers(scale, [101])


# --- reliable change ---------------------------------------------------------------

@pytest.mark.parametrize("baseline, current, reliable, direction", [
    (15, 10, False, "no reliable change"),
    (15, 9, True, "improved"),
    (9, 14, False, "no reliable change"),
    (9, 15, True, "deteriorated"),
])
def test_phq9_reliable_change_is_six_points(baseline, current, reliable, direction):
    change = reliable_change(instrument("phq9"), baseline, current)
    assert (change.reliable, change.direction) == (reliable, direction)
    assert change.difference == current - baseline


@pytest.mark.parametrize("baseline, current, reliable, direction", [
    (12, 9, False, "no reliable change"),
    (12, 8, True, "improved"),
    (5, 8, False, "no reliable change"),
    (5, 9, True, "deteriorated"),
])
def test_gad7_reliable_change_is_four_points(baseline, current, reliable, direction):
    change = reliable_change(instrument("gad7"), baseline, current)
    assert (change.reliable, change.direction) == (reliable, direction)


@pytest.mark.parametrize("instrument_id, below, at", [("phq9", 9, 10), ("gad7", 7, 8)])
def test_caseness_cut_offs(instrument_id, below, at):
    change = reliable_change(instrument(instrument_id), at, below)
    assert change.case_at_baseline is True
    assert change.case_now is False


def test_phq9_reliable_recovery_needs_case_then_not_case_and_reliable_improvement():
    phq9 = instrument("phq9")
    assert reliable_change(phq9, 15, 9).reliable_recovery is True
    assert reliable_change(phq9, 14, 9).reliable_recovery is False     # only 5 points better
    assert reliable_change(phq9, 20, 10).reliable_recovery is False    # still a case
    assert reliable_change(phq9, 9, 2).reliable_recovery is False      # not a case at baseline


def test_gad7_reliable_recovery():
    gad7 = instrument("gad7")
    assert reliable_change(gad7, 11, 7).reliable_recovery is True
    assert reliable_change(gad7, 10, 7).reliable_recovery is False


def test_instrument_without_published_figures_has_no_reliable_change():
    with pytest.raises(LookupError, match="MEQ-30 has no published reliable-change rule"):
        reliable_change(instrument("meq30"), 2, 4)
    assert reliable_changes(instrument("meq30"), 2, 4) == []


@pytest.mark.parametrize("instrument_id, rules", [
    ("phq9", [("nhs_talking_therapies", 6)]),
    ("gad7", [("nhs_talking_therapies", 4), ("published_threshold", 6)]),
    ("who5", [("published_threshold", 10)]),
    ("pcl5", [("published_threshold", 15), ("published_threshold", 18)]),
    ("meq30", []),
])
def test_reliable_changes_gives_one_change_per_rule_in_file_order(instrument_id, rules):
    changes = reliable_changes(instrument(instrument_id), 10, 10)
    assert [(c.method, c.threshold) for c in changes] == rules
    assert all(c.source and c.source.strip() for c in changes)


@pytest.mark.parametrize("loaded", list(instruments().values()), ids=lambda i: i.id)
def test_every_reliable_change_rule_cites_a_source(loaded):
    assert isinstance(loaded.reliable_change, tuple)
    for rule in loaded.reliable_change:
        assert rule["method"] in {"nhs_talking_therapies", "jacobson_truax", "published_threshold"}
        assert rule["source"].strip()


def test_reliable_change_is_the_first_rule_of_reliable_changes():
    gad7 = instrument("gad7")
    assert reliable_change(gad7, 12, 7) == reliable_changes(gad7, 12, 7)[0]
    assert reliable_change(gad7, 12, 7).method == "nhs_talking_therapies"


def _by_label(instrument_id, baseline, current, label):
    changes = reliable_changes(instrument(instrument_id), baseline, current)
    [change] = [c for c in changes if c.label == label]
    return change


# GAD-7, Bischoff et al. 2020: RCI 5.59, rounded to 6 points
@pytest.mark.parametrize("baseline, current, reliable, direction", [
    (15, 10, False, "no reliable change"),    # 5 better: below
    (15, 9, True, "improved"),                # 6 better: at
    (15, 8, True, "improved"),                # 7 better: above
    (5, 10, False, "no reliable change"),     # 5 worse
    (5, 11, True, "deteriorated"),            # 6 worse
    (5, 12, True, "deteriorated"),            # 7 worse
])
def test_gad7_bischoff_reliable_change_is_six_points(baseline, current, reliable, direction):
    change = _by_label("gad7", baseline, current, "Bischoff et al. 2020")
    assert (change.method, change.threshold) == ("published_threshold", 6)
    assert (change.reliable, change.direction) == (reliable, direction)
    assert change.case_at_baseline is None and change.reliable_recovery is None
    assert "5.59" in change.source


def test_gad7_rules_can_disagree():
    # 5 points better: reliable by NHS Talking Therapies (4), not by Bischoff et al. (6)
    nhs, bischoff = reliable_changes(instrument("gad7"), 15, 10)
    assert (nhs.reliable, bischoff.reliable) == (True, False)


# WHO-5 (higher is better): a 10-point difference in the percentage score
@pytest.mark.parametrize("baseline, current, reliable, direction", [
    (40, 49, False, "no reliable change"),    # just below (totals as given, not only x4)
    (40, 50, True, "improved"),               # at
    (40, 51, True, "improved"),               # just above
    (60, 51, False, "no reliable change"),
    (60, 50, True, "deteriorated"),
    (60, 49, True, "deteriorated"),
    (40, 48, False, "no reliable change"),    # 2 raw points: the largest step below 10
    (40, 52, True, "improved"),               # 3 raw points: the smallest reachable step above
    (52, 40, True, "deteriorated"),
])
def test_who5_ten_point_change_higher_is_better(baseline, current, reliable, direction):
    [change] = reliable_changes(instrument("who5"), baseline, current)
    assert (change.method, change.threshold) == ("published_threshold", 10)
    assert (change.reliable, change.direction) == (reliable, direction)
    assert change.difference == current - baseline


def test_who5_change_from_scored_answers():
    who5 = instrument("who5")
    before = score(who5, answers_totalling("who5", 10)).total     # 40
    after = score(who5, answers_totalling("who5", 13)).total      # 52
    assert reliable_change(who5, before, after).direction == "improved"
    assert reliable_change(who5, after, before).direction == "deteriorated"


# PCL-5, Marx et al. 2022: 15 points (sample 1) and 18 points (sample 2)
@pytest.mark.parametrize("label, threshold", [
    ("Marx et al. 2022, sample 1", 15), ("Marx et al. 2022, sample 2", 18)])
@pytest.mark.parametrize("step, reliable", [(-1, False), (0, True), (1, True)])
def test_pcl5_published_thresholds_at_the_boundary(label, threshold, step, reliable):
    points = threshold + step
    better = _by_label("pcl5", 50, 50 - points, label)
    worse = _by_label("pcl5", 20, 20 + points, label)
    assert better.threshold == worse.threshold == threshold
    assert (better.reliable, worse.reliable) == (reliable, reliable)
    assert better.direction == ("improved" if reliable else "no reliable change")
    assert worse.direction == ("deteriorated" if reliable else "no reliable change")


def test_pcl5_first_rule_is_sample_one():
    change = reliable_change(instrument("pcl5"), 50, 34)
    assert (change.label, change.reliable, change.direction) == (
        "Marx et al. 2022, sample 1", True, "improved")


def built_jacobson_truax(higher_is_better):
    """A made-up instrument to exercise the formula: SD 10 and r 0.5 give 1.96 × 10 = 19.6."""
    base = instrument("who5")
    return dataclasses.replace(base, higher_is_better=higher_is_better, reliable_change=({
        "method": "jacobson_truax", "sd": 10, "reliability": 0.5, "source": "test figures"},))


def test_jacobson_truax_threshold_and_direction_when_higher_is_better():
    built = built_jacobson_truax(higher_is_better=True)
    assert reliable_change(built, 40, 59).reliable is False
    assert reliable_change(built, 40, 60).threshold == pytest.approx(19.6)
    assert reliable_change(built, 40, 60).direction == "improved"
    assert reliable_change(built, 60, 40).direction == "deteriorated"


def test_jacobson_truax_direction_when_lower_is_better():
    built = built_jacobson_truax(higher_is_better=False)
    assert reliable_change(built, 60, 40).direction == "improved"


@pytest.mark.parametrize("offset, reliable", [(-0.1, False), (0, False), (0.1, True)])
@pytest.mark.parametrize("higher_is_better", [True, False])
def test_jacobson_truax_boundary_is_strictly_greater_both_ways(offset, reliable, higher_is_better):
    built = built_jacobson_truax(higher_is_better=higher_is_better)
    threshold = reliable_changes(built, 0, 0)[0].threshold
    up, = reliable_changes(built, 0, threshold + offset)
    down, = reliable_changes(built, threshold + offset, 0)
    assert (up.reliable, down.reliable) == (reliable, reliable)
    if reliable:
        assert {up.direction, down.direction} == {"improved", "deteriorated"}
        assert (up.direction == "improved") is higher_is_better


def test_a_lone_rule_mapping_still_works():
    built = dataclasses.replace(instrument("who5"), reliable_change=instrument("who5").reliable_change[0])
    assert [c.threshold for c in reliable_changes(built, 40, 52)] == [10]


def test_unknown_method_is_an_error():
    built = dataclasses.replace(instrument("who5"), reliable_change=({"method": "guess", "source": "x"},))
    with pytest.raises(ValueError, match="Unknown reliable-change method 'guess'"):
        reliable_changes(built, 40, 60)


# --- output ------------------------------------------------------------------------

def test_score_as_json():
    result = score(instrument("phq9"), [1, 1, 1, 1, 1, 1, 1, 1, 1]).as_json()
    assert result == {"total": 9, "band": "Mild", "subscales": {}, "flags": ["phq9_item9"],
                      "raw_total": 9}
    assert isinstance(result["total"], int)


def test_instrument_is_the_shared_type():
    assert all(isinstance(i, Instrument) for i in instruments().values())
