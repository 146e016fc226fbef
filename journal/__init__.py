"""Integration Journal: an offline-capable journal for psychedelic integration."""
import importlib
import importlib.util
import pkgutil
import logging
import os
from pathlib import Path

from flask import Flask

from journal.config import load_config
from journal.requests import JournalRequest

PACKAGE = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE.parent


def beside_or_inside(name: str) -> Path:
    """``templates/`` or ``static/`` beside the package in a checkout (the design card's
    layout), else the copy a wheel carries inside the package (``journal/_templates``)."""
    beside = PROJECT_ROOT / name
    return beside if beside.is_dir() else PACKAGE / f"_{name}"


def instance_folder() -> str | None:
    """``instance/`` of the checkout; an installed package uses ``JOURNAL_INSTANCE_PATH``
    or Flask's default beside the environment (``<prefix>/var/journal-instance``)."""
    if os.environ.get("JOURNAL_INSTANCE_PATH"):
        return os.environ["JOURNAL_INSTANCE_PATH"]
    return str(PROJECT_ROOT / "instance") if (PROJECT_ROOT / "pyproject.toml").exists() else None


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: a table of contents of the register_* steps below."""
    # Mental-health data: files this process creates (database, -wal, -shm, mail,
    # keys) are readable by this user only, whoever starts the app.
    os.umask(0o077)
    app = Flask(
        __name__,
        instance_path=instance_folder(),
        instance_relative_config=True,
        template_folder=str(beside_or_inside("templates")),
        static_folder=str(beside_or_inside("static")),
        static_url_path="/static",
    )
    app.request_class = JournalRequest
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_web_hooks(app)
    register_commands(app)
    register_background_work(app)
    quiet_request_logging()
    return app


def register_extensions(app: Flask) -> None:
    from journal import database, delivery, throttle
    from journal.api.access import api_login_check
    from journal.extensions import csrf, db, login_manager, migrate
    from journal.logins import hooks as login_hooks
    from journal.mfa import enforce as second_factor_rule

    # First, so its after-request hook runs last: it compresses the finished response.
    delivery.init_app(app)
    db.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    # First of all hooks: every request is checked against its server-side login.
    login_hooks.init_app(app)
    throttle.init_app(app)
    second_factor_rule.init_app(app)
    # Before the CSRF check, so a logged-out API write is told 401, not "bad token".
    app.before_request(api_login_check)
    csrf.init_app(app)
    login_manager.init_app(app)
    import journal.models  # noqa: F401  (registers every table)


#: Features with pages, in the order their blueprints register.
FEATURES_WITH_PAGES = ["auth", "logins", "mfa", "privacy", "dosing", "entries", "steps", "help", "health",
                       "pwa", "api", "measures", "care", "therapist", "reminders", "menu"]


def register_blueprints(app: Flask) -> None:
    """Load each feature's pages onto its blueprint, then register it.

    The pages (``routes.py``, ``*_routes.py``) are loaded here, not by the feature's
    ``__init__``, so that importing a feature's models or services never pulls in pages
    of the features above it.
    """
    for name in FEATURES_WITH_PAGES:
        feature = importlib.import_module(f"journal.{name}")
        for module in pkgutil.iter_modules(getattr(feature, "__path__", [])):
            if module.name == "routes" or module.name.endswith("_routes"):
                importlib.import_module(f"journal.{name}.{module.name}")
        app.register_blueprint(feature.bp)


def register_web_hooks(app: Flask) -> None:
    from journal import web

    web.init_app(app)


def register_commands(app: Flask) -> None:
    from journal import commands

    commands.init_app(app)


def register_background_work(app: Flask) -> None:
    """``make run`` sets ``JOURNAL_REMINDER_LOOP=1``: reminders are sent from this process
    (production runs ``send-reminders`` from cron or a systemd timer instead)."""
    if app.config["REMINDER_LOOP"]:
        from journal.reminders import loop

        app.extensions["reminder_loop"] = loop.start(app)


def quiet_request_logging() -> None:
    """Query strings, invitation codes and reset tokens stay out of the development server's log."""
    from journal.access_log import RedactSecrets

    logging.getLogger("werkzeug").addFilter(RedactSecrets())
