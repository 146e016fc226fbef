"""``flask --app journal …`` commands: therapists, demo data, housekeeping."""
import secrets

import click
import sqlalchemy as sa
from flask import Flask, current_app

from journal.auth.forms import normalise_email
from journal.auth.models import THERAPIST, User
from journal.auth.passwords import hash_password, password_problem
from journal.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(create_therapist)
    app.cli.add_command(seed_demo)
    app.cli.add_command(purge_trash)
    app.cli.add_command(send_reminders)


@click.command("create-therapist")
@click.argument("email")
@click.option("--name", "display_name", help="Display name shown to patients.")
@click.option("--password", help="Leave out to be asked, or use --generate-password.")
@click.option("--generate-password", is_flag=True, help="Make a strong password and print it once.")
def create_therapist(email, display_name, password, generate_password):
    """Create a therapist account (therapists cannot self-register)."""
    email = normalise_email(email)
    if "@" not in email:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise click.ClickException(f"An account with {email} already exists.")
    display_name = display_name or click.prompt("Display name")
    if generate_password:
        password = secrets.token_urlsafe(12)
    elif not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    db.session.add(User(email=email, display_name=display_name, role=THERAPIST,
                        password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"Therapist account created: {email}")
    if generate_password:
        click.echo(f"Password (shown once): {password}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when any account exists.")
def seed_demo(if_empty):
    """Create a demo patient and a demo therapist with realistic entries."""
    from journal.demo import DEMO_LOGINS, create_demo_accounts

    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("Database has accounts already; demo data not added.")
        return
    create_demo_accounts()
    click.echo("Demo accounts (for trying the app locally, never in production):")
    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<9} {email}  password: {password}")


@click.command("purge-trash")
def purge_trash():
    """Delete entries that have been in the Trash past the retention period (run daily)."""
    from journal.entries.service import purge_expired_trash

    from journal.throttle.storage import delete_expired

    count = purge_expired_trash(current_app.config["TRASH_RETENTION_DAYS"])
    click.echo(f"Purged {count} entries.")
    # The same daily run drops rate-limit windows that have passed (database storage only).
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("journal+db"):
        click.echo(f"Dropped {delete_expired()} expired rate-limit counters.")


@click.command("send-reminders")
@click.option("--now", "now_text", metavar="ISO-TIME",
              help="Act as if it were this moment (e.g. 2026-11-27T08:00+00:00): to try reminders out.")
def send_reminders(now_text):
    """Send the reminders that are due, then exit (run it every minute from cron or a timer)."""
    from datetime import datetime, timezone

    from journal.reminders.send import send_due
    from journal.timeutil import utcnow

    now = utcnow()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter("use an ISO time such as 2026-11-27T08:00+00:00", param_hint="--now")
        now = now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now.astimezone(timezone.utc)
    click.echo(f"Sent {send_due(now)} reminders.")
