"""Transport and storage: HSTS, owner-only files, and logs without search terms or codes."""
import os
import stat

import pytest

from journal import create_app
from journal.access_log import redact
from tests.conftest import PASSWORD
from tests.live_gunicorn import Browserless, Gunicorn


def test_hsts_for_a_year_or_more_only_behind_https(database, tmp_path):
    url = database(tmp_path)
    plain = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"}).test_client()
    assert "Strict-Transport-Security" not in plain.get("/help").headers
    https = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "JOURNAL_HTTPS": True})
    header = https.test_client().get("/help").headers["Strict-Transport-Security"]
    assert int(header.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600


def test_instance_folder_and_sqlite_files_are_owner_only_even_if_made_open(tmp_path, monkeypatch):
    from journal.extensions import db

    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    database = instance / "journal.sqlite"
    old_umask = os.umask(0o022)
    try:
        database.touch(mode=0o644)  # as an older version left it
        monkeypatch.setenv("JOURNAL_INSTANCE_PATH", str(instance))
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "x"})
        with app.app_context():
            with db.engine.connect() as conn:
                conn.exec_driver_sql("CREATE TABLE t (x)")
                conn.commit()
                files = [database, instance / "journal.sqlite-wal", instance / "journal.sqlite-shm"]
                modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
            db.engine.dispose()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert modes == {path.name: 0o600 for path in files}


@pytest.mark.parametrize("line, secret", [
    ('GET /?q=my+grief HTTP/1.1', "grief"),
    ("GET /care/join/7K4-QP9 HTTP/1.1", "7K4-QP9"),
    ("POST /care/join/7k4qp9?next=/x HTTP/1.1", "7k4qp9"),
    ("GET /password/reset/abcDEF123_-xyz HTTP/1.1", "abcDEF123"),
    ("GET /login?next=%2Fcare%2Fjoin%2F7K4-QP9 HTTP/1.1", "7K4"),
])
def test_redaction_removes_search_terms_codes_and_reset_tokens(line, secret):
    assert secret not in redact(line)
    assert redact(line).split(" ")[0] in ("GET", "POST")


def test_gunicorn_access_log_has_no_query_strings_codes_or_tokens(app, patient, tmp_path):
    with Gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path) as server:
        browser = Browserless(server.url)
        assert browser.login(patient.email, PASSWORD)[0] == 302
        browser.get("/?q=the+grief+I+met")
        browser.get("/care/join/7K4-QP9")
        browser.submit("/care/join/ZZ9-ZZ9", {}, page="/care/join/ZZ9-ZZ9")
        browser.get("/password/reset/secret-reset-token-value")
        browser.get("/entries/new?prompt=abc", headers={"Referer": f"{server.url}/?q=referred+grief"})
        log = server.logged()
    assert "GET /care/join/… " in log and '"GET / HTTP/1.1" 200' in log
    for secret in ("grief", "7K4-QP9", "ZZ9", "secret-reset-token", "prompt", "abc", "session="):
        assert secret not in log, secret
