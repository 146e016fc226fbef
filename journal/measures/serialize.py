"""Instruments and responses as the API's JSON."""
from journal.measures.models import MeasureResponse


def instrument_json(instrument) -> dict:
    """An instrument with its items and answer options, for the device to show."""
    return {
        "id": instrument.id,
        "title": instrument.title,
        "short_title": instrument.short_title,
        "recall_period": instrument.recall_period,
        "instructions": instrument.instructions,
        "source": instrument.source,
        "licence": instrument.licence,
        "items": [{"number": item.number, "text": item.text, "options": options_json(item)}
                  for item in instrument.items],
    }


def options_json(item) -> list[dict] | dict:
    """The item's options as ``[{value, label}]``; a slider item's range as ``{min, max}``."""
    if item.value_range is not None:
        return {"min": item.value_range[0], "max": item.value_range[1]}
    return [{"value": option.value, "label": option.label} for option in item.options]


def response_json(response: MeasureResponse) -> dict:
    return {
        "id": str(response.id),
        "instrument": response.instrument,
        "answers": list(response.answers),
        "completed_at": response.completed_at.isoformat(),
        "dosing_session_id": str(response.dosing_session_id) if response.dosing_session_id else None,
        "timepoint": response.timepoint,
        "score": response.score,
    }
