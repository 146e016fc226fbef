"""The last step of every log-in, after the password and any second factor passed."""
from journal.auth.models import User
from journal.auth.throttle import login_completed
from journal.logins.service import start_login
from journal.security_log.service import record


def complete_login(user: User, *, remember: bool) -> None:
    """Clear the account's guess count, start the login and record it (not committed).

    The count is cleared first: with the database rate-limit storage it uses its own
    connection, which must not wait behind this request's writes (SQLite has one writer).
    The view also calls ``remember_device`` on its response.
    """
    login_completed(user.email, user.id)
    start_login(user, remember=remember)
    record(user.id, "login")
