"""The app's request class: submitted text without NUL characters, and bodies no larger
than the view takes.

No person types U+0000, PostgreSQL cannot store it in text, and SQLite would keep
it silently; dropping it at the edge keeps every form, query and JSON body safe.
"""
from flask import Request, current_app
from werkzeug.utils import cached_property

NUL = "\x00"


class NotUnicode(ValueError):
    """JSON text held a lone surrogate (``"\\ud800"``): valid JSON, but no character."""


def clean_json(value):
    """Parsed JSON with NUL characters dropped.

    :raise NotUnicode: when some text holds a lone surrogate, which no database stores.
    :raise RecursionError: when it is nested deeper than Python recurses.
    """
    value = without_nul(value)
    _check_unicode(value)
    return value


def _check_unicode(value) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise NotUnicode(str(error)) from None
    elif isinstance(value, list):
        for item in value:
            _check_unicode(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_unicode(key)
            _check_unicode(item)


def without_nul(value):
    """The value (text, or lists and dicts of it) with NUL characters dropped."""
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def takes_bodies_up_to(limit: int):
    """Let a view take a body of up to ``limit`` bytes instead of the app's
    ``MAX_CONTENT_LENGTH`` (sized for one entry). It must be known before the view runs:
    the CSRF check reads the body first."""
    def mark(view):
        view.max_content_length = limit
        return view
    return mark


class JournalRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        view = current_app.view_functions.get(self.endpoint) if current_app and self.endpoint else None
        return getattr(view, "max_content_length", None) or super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _multidict_without_nul(self, multidict):
        if not any(NUL in key or NUL in value for key, value in multidict.items(multi=True)):
            return multidict
        return self.parameter_storage_class(
            [(without_nul(key), without_nul(value)) for key, value in multidict.items(multi=True)])

    @cached_property
    def args(self):
        return self._multidict_without_nul(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = self._multidict_without_nul(self.__dict__["form"])

    def get_json(self, *args, **kwargs):
        return without_nul(super().get_json(*args, **kwargs))
