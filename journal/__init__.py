"""Integration Journal: an offline-capable journal for psychedelic integration."""
import logging
import os
from pathlib import Path

from flask import Flask

from journal.config import load_config
from journal.requests import JournalRequest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: a table of contents of the register_* steps below."""
    # Mental-health data: files this process creates (database, -wal, -shm, mail,
    # keys) are readable by this user only, whoever starts the app.
    os.umask(0o077)
    app = Flask(
        __name__,
        instance_path=os.environ.get("JOURNAL_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.request_class = JournalRequest
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_web_hooks(app)
    register_commands(app)
    quiet_request_logging()
    return app


def register_extensions(app: Flask) -> None:
    from journal import database, throttle
    from journal.api.access import api_login_check
    from journal.extensions import csrf, db, login_manager, migrate
    from journal.logins import hooks as login_hooks
    from journal.mfa import enforce as second_factor_rule

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


def register_blueprints(app: Flask) -> None:
    from journal.api import bp as api_bp
    from journal.auth import bp as auth_bp
    from journal.care import bp as care_bp
    from journal.dosing import bp as dosing_bp
    from journal.entries import bp as entries_bp
    from journal.health import bp as health_bp
    from journal.help import bp as help_bp
    from journal.logins import bp as logins_bp
    from journal.mfa import bp as mfa_bp
    from journal.privacy import bp as privacy_bp
    from journal.pwa import bp as pwa_bp
    from journal.steps import bp as steps_bp
    from journal.therapist import bp as therapist_bp

    for bp in (auth_bp, logins_bp, mfa_bp, privacy_bp, dosing_bp, entries_bp, steps_bp, help_bp, health_bp, pwa_bp, api_bp):
        app.register_blueprint(bp)
    for bp in (care_bp, therapist_bp):
        app.register_blueprint(bp)


def register_web_hooks(app: Flask) -> None:
    from journal import web

    web.init_app(app)


def register_commands(app: Flask) -> None:
    from journal import commands

    commands.init_app(app)


def quiet_request_logging() -> None:
    """Query strings, invitation codes and reset tokens stay out of the development server's log."""
    from journal.access_log import RedactSecrets

    logging.getLogger("werkzeug").addFilter(RedactSecrets())
