"""One scorer for every instrument, driven by the scoring section of its JSON file.

Nothing here knows a particular questionnaire: totals, bands, subscales, flags and
reliable-change rules are all read from the data, where each number carries its source.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from .instruments import Instrument


class AnswerError(ValueError):
    """A set of answers the instrument cannot score; the message is fit to show a user."""


@dataclass(frozen=True)
class Score:
    """A scored questionnaire.

    ``total`` is on the instrument's published scale (WHO-5: the 0-100 percentage score);
    ``raw_total`` is the plain sum or mean before any multiplier.
    """

    total: int | float
    raw_total: int | float
    band: str | None
    subscales: dict[str, float] = field(default_factory=dict)
    subscale_percent: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    percent_of_max: float | None = None

    def as_json(self) -> dict[str, Any]:
        """The score as plain JSON-ready values."""
        result = {"total": self.total, "band": self.band, "subscales": dict(self.subscales),
                  "flags": list(self.flags), "raw_total": self.raw_total}
        if self.subscale_percent:
            result["subscale_percent"] = dict(self.subscale_percent)
        if self.percent_of_max is not None:
            result["percent_of_max"] = self.percent_of_max
        return result


@dataclass(frozen=True)
class Change:
    """How a total moved between a baseline and now, judged by the instrument's rule.

    ``direction`` is "improved", "deteriorated" or "no reliable change", already turned
    the right way round for instruments where a higher score is better.
    ``case_at_baseline``, ``case_now`` and ``reliable_recovery`` are None for rules
    without a published caseness cut-off. ``method`` and ``threshold`` say which rule judged
    the change; ``source`` is that rule's citation, ``label`` its short name where the file
    gives one (e.g. the study sample a published threshold comes from).
    """

    difference: int | float
    reliable: bool
    direction: str
    threshold: float
    method: str
    case_at_baseline: bool | None = None
    case_now: bool | None = None
    reliable_recovery: bool | None = None
    source: str | None = None
    label: str | None = None


def _tidy(number: float) -> int | float:
    """An integral number as int (27, not 27.0); others unchanged."""
    return int(number) if float(number).is_integer() else number


def check_answers(instrument: Instrument, answers: list) -> list[int]:
    """The answers as whole numbers, one per item, each allowed by its item.

    :raise AnswerError: wrong number of answers, an answer that is not a whole number
        (true/false included), or one the item does not offer.
    """
    name = instrument.short_title
    if not isinstance(answers, (list, tuple)):
        raise AnswerError(f"{name} answers must be a list of numbers.")
    expected = len(instrument.items)
    if len(answers) != expected:
        sent = "1 answer was" if len(answers) == 1 else f"{len(answers)} answers were"
        raise AnswerError(f"{name} has {expected} items; {sent} sent.")
    checked = []
    for item, answer in zip(instrument.items, answers):
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise AnswerError(f"{name} item {item.number}: the answer must be a whole number, "
                              f"not {answer!r}.")
        if item.value_range is not None:
            low, high = item.value_range
            if not low <= answer <= high:
                raise AnswerError(f"{name} item {item.number}: {answer} is not allowed; "
                                  f"answers are whole numbers from {low} to {high}.")
        elif answer not in item.allowed_values():
            allowed = ", ".join(str(v) for v in sorted(item.allowed_values()))
            raise AnswerError(f"{name} item {item.number}: {answer} is not allowed; "
                              f"the allowed values are {allowed}.")
        checked.append(answer)
    return checked


def _combine(values: list[int], method: str) -> float:
    if method == "sum":
        return sum(values)
    if method == "mean":
        return sum(values) / len(values)
    raise ValueError(f"Unknown scoring method {method!r}")


def _band(bands, total) -> str | None:
    for band in bands:
        if band["min"] <= total <= band["max"]:
            return band["label"]
    return None


def _flag_raised(rule, by_number: dict[int, int], total, subscale_percent) -> bool:
    kind = rule["rule"]
    if kind == "item_at_least":
        return by_number[rule["item"]] >= rule["value"]
    if kind == "total_at_most":
        return total <= rule["value"]
    if kind == "items_at_least_in_groups":
        return all(sum(by_number[n] >= rule["value"] for n in group["items"]) >= group["count"]
                   for group in rule["groups"])
    if kind == "every_subscale_percent_at_least":
        return all(percent >= rule["value"] for percent in subscale_percent.values())
    raise ValueError(f"Unknown flag rule {kind!r}")


def score(instrument: Instrument, answers: list) -> Score:
    """Score a complete set of answers by the instrument's published rules.

    :raise AnswerError: the answers do not fit the instrument (see ``check_answers``).
    """
    values = check_answers(instrument, answers)
    rules = instrument.scoring
    by_number = {item.number: value for item, value in zip(instrument.items, values)}
    item_max = {item.number: item.max_value() for item in instrument.items}

    raw_total = _combine(values, rules["method"])
    total = raw_total * rules.get("multiplier", 1)

    subscales, subscale_percent = {}, {}
    for name, sub in rules.get("subscales", {}).items():
        numbers = sub["items"]
        subscales[name] = _tidy(_combine([by_number[n] for n in numbers], sub["method"]))
        points = sum(by_number[n] for n in numbers)
        subscale_percent[name] = 100 * points / sum(item_max[n] for n in numbers)

    percent_of_max = None
    if rules.get("percent_of_max"):
        percent_of_max = 100 * sum(values) / sum(item_max.values())

    flags = [rule["id"] for rule in rules.get("flags", ())
             if _flag_raised(rule, by_number, total, subscale_percent)]
    return Score(
        total=_tidy(total),
        raw_total=_tidy(raw_total),
        band=_band(rules.get("bands", ()), total),
        subscales=subscales,
        subscale_percent=subscale_percent if rules.get("percent_of_max") else {},
        flags=flags,
        percent_of_max=_tidy(percent_of_max) if percent_of_max is not None else None,
    )


def _direction(instrument: Instrument, difference, reliable: bool) -> str:
    if not reliable:
        return "no reliable change"
    went_up = difference > 0
    return "improved" if went_up == instrument.higher_is_better else "deteriorated"


def _rules(instrument: Instrument) -> tuple:
    rules = instrument.reliable_change
    if not rules:
        return ()
    return (rules,) if isinstance(rules, Mapping) else tuple(rules)


def _judge(instrument: Instrument, rule, baseline_total, current_total) -> Change:
    difference = _tidy(current_total - baseline_total)
    method = rule["method"]
    cited = {"method": method, "source": rule.get("source"), "label": rule.get("label")}
    if method == "nhs_talking_therapies":
        threshold = rule["threshold"]
        reliable = abs(difference) >= threshold
        direction = _direction(instrument, difference, reliable)
        case_at_baseline = baseline_total >= rule["caseness"]
        case_now = current_total >= rule["caseness"]
        return Change(difference=difference, reliable=reliable, direction=direction,
                      threshold=threshold, case_at_baseline=case_at_baseline, case_now=case_now,
                      reliable_recovery=case_at_baseline and not case_now and direction == "improved",
                      **cited)
    if method == "jacobson_truax":
        threshold = 1.96 * rule["sd"] * math.sqrt(2) * math.sqrt(1 - rule["reliability"])
        reliable = abs(difference) > threshold
    elif method == "published_threshold":
        threshold = rule["threshold"]
        reliable = abs(difference) >= threshold
    else:
        raise ValueError(f"Unknown reliable-change method {method!r}")
    return Change(difference=difference, reliable=reliable,
                  direction=_direction(instrument, difference, reliable),
                  threshold=threshold, **cited)


def reliable_changes(instrument: Instrument, baseline_total, current_total) -> list[Change]:
    """The change from ``baseline_total`` to ``current_total`` judged by every stored rule.

    One Change per rule in the instrument file's order; an empty list when the instrument
    has no published reliable-change figures stored. The methods:

    * ``nhs_talking_therapies`` (PHQ-9, GAD-7): reliable when |difference| >= the points
      threshold; with the caseness cut-off, reliable recovery means a case at baseline, not
      a case now, and a reliable improvement.
    * ``jacobson_truax``: reliable when |difference| > 1.96 × SD × √2 × √(1 − r), from a
      published SD and reliability coefficient.
    * ``published_threshold``: a reliable-change value a source states directly in points
      of the total; reliable when |difference| >= it.
    """
    return [_judge(instrument, rule, baseline_total, current_total)
            for rule in _rules(instrument)]


def reliable_change(instrument: Instrument, baseline_total, current_total) -> Change:
    """The change judged by the instrument's first reliable-change rule (see
    ``reliable_changes`` for every rule and the methods).

    :raise LookupError: the instrument has no published reliable-change figures stored.
    """
    rules = _rules(instrument)
    if not rules:
        raise LookupError(f"{instrument.short_title} has no published reliable-change rule stored.")
    return _judge(instrument, rules[0], baseline_total, current_total)
