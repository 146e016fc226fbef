"""What every response shares: headers, error pages, health, help, configuration."""
import os
import re
import stat

from journal import create_app
from journal.config import instance_secret_key


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_secure_only_when_configured_for_https(database, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database(tmp_path), "SECRET_KEY": "k", "JOURNAL_HTTPS": True})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_no_inline_scripts_or_style_attributes_in_pages(patient_client):
    for url in ("/", "/entries/new", "/steps/", "/sessions/new", "/help", "/account"):
        page = patient_client.get(url).get_data(as_text=True)
        assert " style=" not in page
        for chunk in page.split("<script")[1:]:
            assert "src=" in chunk.split(">")[0], url


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    url = f"sqlite:///{tmp_path}/missing-dir/none.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "k", "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unavailable"


def test_custom_404_and_405_pages(patient_client):
    response = patient_client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
    assert patient_client.get(f"/entries/{'0' * 32}").status_code == 404
    assert patient_client.get("/entries/not-a-uuid").status_code == 404
    assert patient_client.get("/trash/empty").status_code == 405


def test_json_clients_get_json_errors(client):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json["status"] == 404


def test_an_unexpected_error_is_a_friendly_500_page(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("private entry text must not appear")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "private entry text" not in response.get_data(as_text=True)
    assert "Something went wrong" in response.get_data(as_text=True)


def test_oversized_body_is_413(patient_client):
    response = patient_client.submit("/entries/new", {"insights": "x" * 2_200_000, "mood": "5"})
    assert response.status_code == 413


def test_help_page_is_public_configurable_and_linked_from_every_page(app, client, patient_client):
    page = client.get("/help").get_data(as_text=True)
    assert "988" in page and "not monitored in real time" in page
    for url in ("/login", "/register"):
        assert 'href="/help"' in client.get(url).get_data(as_text=True)
    assert 'href="/help"' in patient_client.get("/").get_data(as_text=True)
    app.config["CRISIS_RESOURCES"] = [{"name": "Samaritans (UK)", "contact": "Call 116 123", "href": "tel:116123"}]
    page = client.get("/help").get_data(as_text=True)
    assert "Samaritans" in page and "988" not in page


def test_first_run_generates_a_private_secret_key_once(tmp_path):
    key = instance_secret_key(tmp_path)
    assert len(key) >= 40 and instance_secret_key(tmp_path) == key
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_environment_overrides_database_url_and_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("JOURNAL_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("JOURNAL_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    from journal.extensions import db

    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_search_terms_are_kept_out_of_access_logs():
    import logging

    from journal.access_log import RedactSecrets

    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, '%s - "%s" %s',
                               ("127.0.0.1", "GET /?q=my+secret+grief HTTP/1.1", "200"), None)
    RedactSecrets().filter(record)
    assert "secret" not in record.getMessage()


def test_seed_demo_creates_logins_once(runner):
    first = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "patient@demo.example" in first.output and "therapist@demo.example" in first.output
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not added" in second.output


def test_database_errors_never_carry_entry_text_into_logs(app, client, patient):
    import logging

    from journal.entries.models import Entry
    from journal.extensions import db

    secret = "my most private words"

    @app.route("/broken-save")
    def broken_save():
        db.session.add(Entry(owner_id=patient.id, insights=secret, mood=99))  # fails the mood check
        db.session.commit()

    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(handler.format(record))
    logging.getLogger("journal").addHandler(handler)
    client.login(patient.email)
    try:
        response = client.get("/broken-save")
    finally:
        logging.getLogger("journal").removeHandler(handler)
    assert response.status_code == 500
    assert any("IntegrityError" in line for line in lines)
    assert not any(secret in line for line in lines)


def test_links_follow_where_the_app_is_mounted(patient_client):
    """Links are remembered per process; one remembered at the root must not leak under a prefix."""
    at_root = patient_client.get("/").get_data(as_text=True)
    mounted = patient_client.get("/", environ_overrides={"SCRIPT_NAME": "/journal"}).get_data(as_text=True)
    assert 'href="/entries/new"' in at_root and 'href="/journal/entries/new"' not in at_root
    assert 'href="/journal/entries/new"' in mounted and 'href="/entries/new"' not in mounted


def test_a_remembered_link_keeps_its_values_apart(app):
    """1 and True are equal keys, but not the same link."""
    with app.test_request_context("/"):
        page = app.jinja_env.from_string(
            "{{ url_for('entries.index', q=1) }} {{ url_for('entries.index', q=True) }} "
            "{{ url_for('entries.index', q='a') }} {{ url_for('entries.index', q='b') }}").render()
    assert page.split() == ["/?q=1", "/?q=True", "/?q=a", "/?q=b"]


def test_a_link_with_what_a_patient_typed_is_built_but_not_remembered(app):
    """Search terms come from private entries: they must not outlive their request in a cache."""
    link = app.jinja_env.globals["url_for"]
    with app.test_request_context("/"):
        assert link("entries.index", q="grief") == "/?q=grief"
        assert link("entries.index", after="cursor-1") == "/?after=cursor-1"
        assert link.remembered.cache_info().currsize == 0
        link("static", filename="css/app.css")
        link("entries.index")
        assert link.remembered.cache_info().currsize == 2


def test_every_form_on_a_page_carries_the_request_s_token(patient_client):
    page = patient_client.get("/").get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token" value="([^"]+)"', page) + re.findall(r'name="csrf-token" content="([^"]+)"', page)
    assert len(tokens) >= 2 and len(set(tokens)) == 1
