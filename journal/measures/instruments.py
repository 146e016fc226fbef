"""The published instruments, read from the JSON files beside this module.

Every word a patient reads and every number the scorer uses lives in
``instruments/<id>.json`` with its citation; this module only turns those files into
frozen objects. ``importlib.resources`` finds the files in a checkout and in an
installed wheel alike (pyproject.toml ships them as package data).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping


@dataclass(frozen=True)
class Option:
    """One answer a patient may choose: the number scored and the label shown."""

    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One numbered question.

    ``options`` are the allowed answers; an item answered on a scale (a visual analogue
    line) has no options and a ``value_range`` of (lowest, highest) whole numbers instead.
    """

    id: str
    number: int
    text: str
    options: tuple[Option, ...]
    value_range: tuple[int, int] | None = None

    def allowed_values(self) -> tuple[int, ...]:
        """The answer values this item accepts, in the order the form lists them."""
        if self.value_range is not None:
            low, high = self.value_range
            return tuple(range(low, high + 1))
        return tuple(option.value for option in self.options)

    def max_value(self) -> int:
        """The highest answer this item accepts."""
        return max(self.allowed_values())


@dataclass(frozen=True)
class Instrument:
    """A published questionnaire: its text, its answers and how it is scored."""

    id: str
    title: str
    short_title: str
    source: str
    licence: str
    recall_period: str
    instructions: str
    items: tuple[Item, ...]
    options: tuple[Option, ...]
    scoring: Mapping[str, Any] = field(compare=False)
    loinc: Mapping[str, str] = field(compare=False)
    reliable_change: tuple[Mapping[str, Any], ...] = field(default=(), compare=False)
    higher_is_better: bool = False

    @property
    def safety_rules(self) -> tuple[Mapping[str, Any], ...]:
        """The flag rules marked ``safety``: a raised one asks for the care team's attention
        and opens the safety screen."""
        return tuple(rule for rule in self.scoring.get("flags", ()) if rule.get("safety"))

    def item(self, number: int) -> Item:
        """The item with this 1-based number.

        :raise KeyError: no such item.
        """
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(f"{self.short_title} has no item {number}")


def _freeze(value: Any) -> Any:
    # Instruments are shared by every request: make the nested JSON read-only too.
    if isinstance(value, dict):
        return MappingProxyType({key: _freeze(inner) for key, inner in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(inner) for inner in value)
    return value


def _rules(raw: Any) -> list:
    # ``reliable_change`` is a list of rules, tried in file order; a lone rule is a list of one.
    if raw is None:
        return []
    return [raw] if isinstance(raw, dict) else list(raw)


def _options(raw: list[dict]) -> tuple[Option, ...]:
    return tuple(Option(value=o["value"], label=o["label"]) for o in raw)


def _instrument(data: dict) -> Instrument:
    default_options = _options(data.get("options", []))
    default_range = data.get("range")
    items = []
    for raw in data["items"]:
        value_range = raw.get("range", default_range)
        items.append(Item(
            id=f"{data['id']}_{raw['number']}",
            number=raw["number"],
            text=raw["text"],
            options=_options(raw["options"]) if "options" in raw else default_options,
            value_range=(value_range["min"], value_range["max"]) if value_range else None,
        ))
    return Instrument(
        id=data["id"],
        title=data["title"],
        short_title=data["short_title"],
        source=data["source"],
        licence=data["licence"],
        recall_period=data["recall_period"],
        instructions=data["instructions"],
        items=tuple(items),
        options=default_options,
        scoring=_freeze(data["scoring"]),
        loinc=_freeze(data.get("loinc", {})),
        reliable_change=_freeze(_rules(data.get("reliable_change"))),
        higher_is_better=data.get("higher_is_better", False),
    )


@cache
def instruments() -> Mapping[str, Instrument]:
    """Every instrument shipped with the package, by id (read once, then cached)."""
    folder = resources.files(__package__) / "instruments"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            loaded = _instrument(json.loads(entry.read_text(encoding="utf-8")))
            found[loaded.id] = loaded
    return MappingProxyType(found)


def instrument(instrument_id: str) -> Instrument:
    """The instrument with this id.

    :raise KeyError: no instrument has that id.
    """
    try:
        return instruments()[instrument_id]
    except KeyError:
        raise KeyError(f"No instrument called {instrument_id!r}") from None
