"""The questionnaire endpoints' part of the OpenAPI document."""

_ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


_RESPONSE = {"application/json": {"schema": {"allOf": [
    {"$ref": "#/components/schemas/MeasureResponse"},
    {"type": "object", "properties": {"replayed": {
        "type": "boolean", "description": "This response had already been recorded; nothing changed."}}}]}}}

SCHEMAS = {
    "Score": {"type": "object", "required": ["total", "band", "subscales", "flags"], "properties": {
        "total": {"type": "number", "description": "As the instrument's published scoring defines it."},
        "band": {"type": ["string", "null"], "description": "Published severity band, where one exists."},
        "subscales": {"type": "object", "additionalProperties": {"type": "number"}},
        "flags": {"type": "array", "items": {"type": "string"}, "description": (
            "Rules the answers meet: `phq9_item9` (PHQ-9 item 9 above 0: the app shows the safety "
            "screen and the care team sees a flag), `provisional_ptsd` (PCL-5), "
            "`complete_mystical_experience` (MEQ-30).")}}},
    "MeasureResponseInput": {"type": "object", "required": ["instrument", "answers", "completed_at"],
                             "additionalProperties": False, "properties": {
        "instrument": {"type": "string", "description": "An id from GET /measures: phq9, gad7, who5, pcl5, meq30, ebi …"},
        "answers": {"type": "array", "items": {"type": "integer"},
                    "description": "One value per item, in item order, each one of that item's option values."},
        "completed_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with an offset."},
        "dosing_session_id": {"type": ["string", "null"], "format": "uuid", "description": (
            "The dosing session it follows. The server decides whether it answers a protocol "
            "timepoint (then the care team sees it) or was started by the patient (private until shared).")}}},
    "MeasureResponse": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"},
        "instrument": {"type": "string"},
        "answers": {"type": "array", "items": {"type": "integer"}},
        "completed_at": {"type": "string", "format": "date-time"},
        "dosing_session_id": {"type": ["string", "null"], "format": "uuid"},
        "timepoint": {"type": ["string", "null"], "description": "baseline, evening, next_day, week1, week2, week4, week12, or null"},
        "score": {"$ref": "#/components/schemas/Score"}}},
    "Instrument": {"type": "object", "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "short_title": {"type": "string"},
        "recall_period": {"type": ["string", "null"]}, "instructions": {"type": "string"},
        "source": {"type": "string"}, "licence": {"type": "string"},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "number": {"type": "integer"}, "text": {"type": "string"},
            "options": {"oneOf": [
                {"type": "array", "items": {"type": "object", "properties": {
                    "value": {"type": "integer"}, "label": {"type": "string"}}}},
                {"type": "object", "description": "A slider: any whole number in the range.",
                 "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}}}]}}}}}},
}

PATHS = {
    "/measures": {"get": {
        "summary": "The questionnaires, with their items verbatim and their answer options",
        "responses": {"200": {"description": "Every instrument", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"instruments": {"type": "array", "items": {
                "$ref": "#/components/schemas/Instrument"}}}}}}},
            "401": _error("Not logged in"), "404": _error("Not a patient")}}},
    "/measures/responses/{response_id}": {
        "parameters": [{"name": "response_id", "in": "path", "required": True,
                        "description": "The response's UUID, made by the device.",
                        "schema": {"type": "string", "format": "uuid"}}],
        "put": {
            "summary": "Record a completed questionnaire (exactly once)",
            "description": ("Idempotent: sending the same response again (a lost answer) records "
                            "nothing new and answers 200 with the same score."),
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/MeasureResponseInput"}}}},
            "responses": {
                "201": {"description": "Recorded and scored", "content": _RESPONSE},
                "200": {"description": "A replay: already recorded, same answer", "content": _RESPONSE},
                "400": _error("Malformed JSON or bad CSRF token"), "401": _error("Not logged in"),
                "404": _error("Another person's response, or not a patient"),
                "409": _error("This id was recorded with other answers"),
                "415": _error("Not application/json"),
                "422": _error("Unknown instrument, wrong number of answers, a value outside the "
                              "options, a bad completed_at or someone else's session: see `fields`")}}},
}
