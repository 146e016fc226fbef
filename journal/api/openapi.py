"""The sync API described as an OpenAPI 3.1 document (served at /api/v1/openapi.json)."""
from journal.api.openapi_measures import PATHS as MEASURE_PATHS, SCHEMAS as MEASURE_SCHEMAS
from journal.entries.models import EMOTIONS

_ERROR = {"$ref": "#/components/schemas/Error"}
_ENTRY_ANSWER = {"application/json": {"schema": {"type": "object", "required": ["entry"], "properties": {
    "entry": {"$ref": "#/components/schemas/Entry"},
    "replayed": {"type": "boolean", "description": "This exact request had already been applied."}}}}}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


_ENTRY_ID = {"name": "entry_id", "in": "path", "required": True,
             "description": "The entry's UUID, made by the device that created it.",
             "schema": {"type": "string", "format": "uuid"}}
_IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
             "description": 'The version the device edited, as an entity tag ("3").',
             "schema": {"type": "string", "pattern": '^(W/)?"[1-9][0-9]{0,8}"$'}}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Integration Journal sync API",
        "version": "1",
        "description": (
            "What the offline app replays its outbox against. Session-cookie authentication; "
            "every write sends the CSRF token from GET /api/v1/session in the X-CSRFToken header. "
            "Writes are idempotent: replaying a request that was applied (a lost response) changes "
            "nothing and answers as the first time. Updates and deletes name the version they were "
            "based on; a stale one gets 409 with the server's copy, and nothing is overwritten."),
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "session"}},
        "schemas": {
            "ActionStep": {"type": "object", "required": ["text"], "properties": {
                "id": {"type": ["string", "null"], "format": "uuid"},
                "text": {"type": "string", "maxLength": 500},
                "due_date": {"type": ["string", "null"], "format": "date"},
                "done": {"type": "boolean", "default": False}}},
            "EntryInput": {"type": "object", "required": ["mood"], "properties": {
                "base_version": {"type": ["integer", "null"], "minimum": 1,
                                 "description": "Version edited (instead of If-Match); omit to create."},
                "insights": {"type": "string", "maxLength": 20000},
                "mood": {"type": "integer", "minimum": 1, "maximum": 10},
                "emotions": {"type": "array", "uniqueItems": True, "items": {"enum": EMOTIONS}},
                "dosing_session_id": {"type": ["string", "null"], "format": "uuid"},
                "written_at": {"type": ["string", "null"],
                               "pattern": r"^$|^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$",
                               "description": (
                    "ISO 8601 with an offset (that exact instant is stored), or local "
                    "YYYY-MM-DDTHH:MM in the account's time zone; omitted, null or empty means now.")},
                "action_steps": {"type": "array", "maxItems": 50,
                                 "items": {"$ref": "#/components/schemas/ActionStep"}},
                "share_with": {"type": "array", "items": {"type": "string", "format": "uuid"}, "description": (
                    "Share the entry with exactly these members of the care team (therapist ids), "
                    "in the same transaction as the write; [] makes it private; omitted leaves the "
                    "sharing as it is. An id outside the active care team is a 422 on `share_with`.")},
                "answers_prompt": {"type": ["string", "null"], "format": "uuid", "description": (
                    "The reflection prompt this entry answers; marked answered with the write. A "
                    "prompt no longer open (answered, withdrawn, from a former therapist) is ignored: "
                    "the entry is saved all the same.")}}},
            "PurgedEntry": {"type": "object", "required": ["id", "purged", "deleted", "updated_at"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "purged": {"const": True, "description": "Deleted for good: remove it from the device."},
                "deleted": {"const": True, "description": "Also set, for devices that only know Trash tombstones."},
                "purged_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time",
                               "description": "Same as purged_at: its place in the feed's order."}},
                "description": ("An entry deleted for good (Trash emptied or expired). Nothing of it is left "
                                "but its id. A device holding an unsynced edit of it may PUT that edit: the "
                                "entry is recreated (201).")},
            "Entry": {"type": "object", "properties": {
                "id": {"type": "string", "format": "uuid"},
                "version": {"type": "integer"},
                "insights": {"type": "string"},
                "mood": {"type": "integer"},
                "emotions": {"type": "array", "uniqueItems": True, "items": {"enum": EMOTIONS}},
                "dosing_session_id": {"type": ["string", "null"], "format": "uuid"},
                "written_at": {"type": "string", "format": "date-time"},
                "written_at_local": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "deleted": {"type": "boolean", "description": "In the Trash: a tombstone."},
                "deleted_at": {"type": ["string", "null"], "format": "date-time"},
                "action_steps": {"type": "array", "items": {"$ref": "#/components/schemas/ActionStep"}}}},
            "Error": {"type": "object", "required": ["error", "status"], "properties": {
                "error": {"type": "string"},
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {
                    "type": "array", "items": {"type": "string"}},
                    "description": 'Messages per field; steps as "action_steps.0.text".'},
                "current": {"oneOf": [{"$ref": "#/components/schemas/Entry"}, {"type": "null"}],
                            "description": "On 409: the server's copy."}}},
        },
    },
    "security": [{"session": []}],
    "paths": {
        "/session": {"get": {
            "summary": "Who is logged in, with a fresh CSRF token",
            "responses": {"200": {"description": "Logged in", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"csrf_token": {"type": "string"},
                                                 "user": {"type": "object"}}}}}},
                          "401": _error("Not logged in")}}},
        "/entries": {"get": {
            "summary": "The patient's changed entries since a cursor, tombstones and purges included",
            "parameters": [
                {"name": "since", "in": "query", "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]*$"},
                 "description": ("The `next` of the previous page (or of the last pull); omit for "
                                 "everything. Changes are numbered by the database in the order they "
                                 "commit, so a cursor never skips one. A cursor from an older version "
                                 "of the app starts over from the beginning: store entries by id.")},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                {"name": "latest", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                 "description": ("A device's first pull, instead of `since` and `limit`: the newest N "
                                 "entries outside the Trash (by `written_at`, newest first; no "
                                 "tombstones) and a `next` cursor at the current change, so the "
                                 "following pulls bring only what changes from now on.")}],
            "responses": {
                "200": {"description": "Oldest change first (with `latest`: newest entry first)", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {
                        "entries": {"type": "array", "items": {"oneOf": [
                            {"$ref": "#/components/schemas/Entry"},
                            {"$ref": "#/components/schemas/PurgedEntry"}]},
                            "description": ("Oldest change first: entries (Trash tombstones have "
                                            "`deleted`) and entries deleted for good (`purged`), in "
                                            "the order their writes committed.")},
                        "next": {"type": ["string", "null"]}, "has_more": {"type": "boolean"}}}}}},
                "400": _error("Bad cursor, limit or latest"), "401": _error("Not logged in"),
                "404": _error("Not found (or not a patient)")}}},
        "/entries/{entry_id}": {
            "parameters": [_ENTRY_ID],
            "put": {
                "summary": "Create or update an entry (idempotent upsert)",
                "description": ("The entry, its action steps and (optionally) the care team's choices "
                                "are written in one transaction. An edit of your own entry that was "
                                "deleted for good meanwhile recreates it (201), so no words are lost."),
                "parameters": [_IF_MATCH],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/EntryInput"}}}},
                "responses": {
                    "201": {"description": "Created", "content": _ENTRY_ANSWER},
                    "200": {"description": ("Updated, or a replay of an update: a replay answers "
                                            "exactly as the first time, with the version that write "
                                            "made, even if the entry changed since"),
                            "content": _ENTRY_ANSWER},
                    "400": _error("Malformed or absurdly nested JSON, text that is not Unicode (a lone "
                                  "surrogate), bad If-Match or bad CSRF token"),
                    "401": _error("Not logged in"),
                    "404": _error("Not a UUID, another person's entry (live or deleted for good), "
                                  "or not a patient"),
                    "409": _error("Stale version: `current` holds the server's copy"),
                    "413": _error("Body over 1 MB (far above the largest entry)"), "415": _error("Not application/json"),
                    "422": _error("Validation failed (the entry, `share_with` or `answers_prompt`; a "
                                  "step id twice is `action_steps.N.id`): see `fields`")}},
            "delete": {
                "summary": "Move an entry to the Trash (a tombstone for other devices)",
                "parameters": [_IF_MATCH, {"name": "base_version", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
                "responses": {
                    "200": {"description": "In the Trash", "content": _ENTRY_ANSWER},
                    "400": _error("Bad version or CSRF token"), "401": _error("Not logged in"),
                    "404": _error("No such entry of yours (or deleted for good)"),
                    "409": _error("Stale version: `current` holds the server's copy"),
                    "428": _error("No version given")}}},
        "/entries/{entry_id}/conflict": {
            "parameters": [_ENTRY_ID],
            "delete": {
                "summary": "Keep the server's version of an entry changed on two devices",
                "description": ("A 409 is remembered, so the patient's other devices say the entry "
                                "was changed elsewhere. A device that keeps the server's version "
                                "says so here; saving the entry on its current version does too."),
                "responses": {
                    "204": {"description": "Settled (also when nothing was open)"},
                    "400": _error("Bad CSRF token"), "401": _error("Not logged in"),
                    "404": _error("No such entry of yours outside the Trash")}}},
    },
}
OPENAPI["components"]["schemas"]["BatchRequest"] = {
    "type": "object", "required": ["id", "kind", "method"], "properties": {
        "id": {"type": "string", "format": "uuid", "description": "The entry's or the response's UUID."},
        "kind": {"enum": ["entry", "measure"]},
        "method": {"enum": ["PUT", "DELETE"], "description": "An entry: PUT or DELETE; a measure: PUT."},
        "base_version": {"type": ["integer", "null"], "minimum": 1,
                         "description": "As If-Match on the single request: the version edited or deleted."},
        "body": {"oneOf": [{"$ref": "#/components/schemas/EntryInput"},
                           {"$ref": "#/components/schemas/MeasureResponseInput"}],
                 "description": "The single PUT's body (none for a DELETE)."}}}
OPENAPI["paths"]["/batch"] = {"post": {
    "summary": "Apply up to 50 outbox writes in one request and one commit",
    "description": (
        "Each item is applied in order, exactly as its single request (PUT or DELETE "
        "/entries/{entry_id}, PUT /measures/responses/{response_id}) would be, and answered with "
        "that request's status and body. An item refused (409, 422, 404, 428…) is taken back "
        "alone: the items after it still apply. An item is the same request as its single "
        "form, so one sent both ways is applied once and answered as a replay. Send an "
        "entry's writes in the order they were made; a device that gets 404 or 405 here "
        "(an older server) sends the items one by one."),
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["requests"], "properties": {
            "requests": {"type": "array", "maxItems": 50, "items": {"$ref": "#/components/schemas/BatchRequest"}}}}}}},
    "responses": {
        "200": {"description": "Every item's answer, in the order sent", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"results": {"type": "array", "items": {
                "type": "object", "required": ["id", "status", "body"], "properties": {
                    "id": {"type": ["string", "null"]},
                    "status": {"type": "integer", "description": "The single request's HTTP status."},
                    "body": {"type": "object", "description": "The single request's JSON body."}}}}}}}}},
        "400": _error('Malformed JSON, not {"requests": [...]}, or bad CSRF token'),
        "401": _error("Not logged in"), "404": _error("Not a patient"),
        "413": _error("Over 50 items, or a body over 8 MB: send fewer at once"),
        "415": _error("Not application/json")}}}
OPENAPI["components"]["schemas"].update(MEASURE_SCHEMAS)
OPENAPI["paths"].update(MEASURE_PATHS)
