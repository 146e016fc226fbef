"""Keep secrets out of access and error logs, for Flask's development server and gunicorn.

Query strings carry search terms from private entries and the ``next`` page; some
paths carry secrets themselves: invitation codes (``/care/join/7K4-QP9``) and
password-reset links (``/reset/<token>``). Every log line gets them replaced by "…".
"""
import logging
import re

from gunicorn.glogging import Logger

_QUERY = re.compile(r"\?[^ \"']*")
#: Paths whose last segment is a secret: an invitation code, a password-reset token.
_SECRET_PATH = re.compile(r"(/care/join/|/reset/)(?!…)[^ /?\"']+", re.IGNORECASE)
#: Headers a custom log format could name that hold credentials or private URLs.
_HIDDEN_HEADERS = ("cookie", "authorization", "x-csrftoken", "set-cookie")


def redact(text: str) -> str:
    """The text with query strings and secret path segments replaced by "…"."""
    return _SECRET_PATH.sub(r"\1…", _QUERY.sub("?…", text))


def _redacted(value):
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """A logging filter: redacts the message's arguments (a tuple or a mapping) and its text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redacted(arg) for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


class RedactingLogger(Logger):
    """gunicorn's logger with every access-log atom redacted, whatever the format names.

    ``gunicorn.conf.py`` selects it. Request line, path, referer and any header a
    format could print go through ``redact``; the query-string atom is always empty,
    and cookies or tokens are never available to a format at all.
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in list(atoms):
            if key.endswith(("e", "i", "o")) and key.startswith("{") and \
                    key[1:-2] in _HIDDEN_HEADERS + tuple(f"http_{h.replace('-', '_')}" for h in _HIDDEN_HEADERS):
                atoms[key] = "-"
        atoms["q"] = ""
        return {key: _redacted(value) for key, value in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        # "Error handling request /care/join/…": error lines quote paths too.
        self.error_log.addFilter(RedactSecrets())
