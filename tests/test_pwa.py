"""Installability and the service worker, as the server sends them."""
import re
import struct

import pytest

from journal.pwa import routes as pwa
from tests.conftest import PASSWORD
from tests.factories import create_entry

ICON_SIZES = {"icon-192.png": 192, "icon-512.png": 512, "maskable-512.png": 512}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_has_what_chromium_needs_to_install(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    for key in ("name", "short_name", "description", "theme_color", "background_color"):
        assert manifest[key]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in manifest["icons"]:
        data = client.get(icon["src"]).data
        size = int(icon["sizes"].split("x")[0])
        assert png_size(data) == (size, size)


def test_manifest_offers_a_new_entry_shortcut_and_screenshots_for_the_install_sheet(client):
    manifest = client.get("/manifest.webmanifest").get_json(force=True)
    assert manifest["id"] == "/"
    assert [(s["name"], s["url"]) for s in manifest["shortcuts"]] == [("New entry", "/entries/new")]
    assert {s["form_factor"] for s in manifest["screenshots"]} == {"narrow", "wide"}
    for shot in manifest["screenshots"]:
        width, height = (int(n) for n in shot["sizes"].split("x"))
        assert png_size(client.get(shot["src"]).data) == (width, height)


def test_every_page_links_the_manifest_and_theme_colour(client, patient_client):
    for page in (client.get("/login"), patient_client.get("/")):
        html = page.get_data(as_text=True)
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert '<meta name="theme-color"' in html
        assert re.search(r'<script type="module" src="/static/js/app\.js\?v=[0-9a-f]{12}">', html)


def test_service_worker_is_served_for_the_whole_site_and_never_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    assert re.search(r'const VERSION = "[0-9a-f]{12}";', script)
    for url in ("/static/js/outbox.js?v=", "/static/icons/icon-192.png?v=", "/static/css/app.css?v="):
        assert f'"{url}' in script
    assert '"/offline"' in script


def test_shell_files_all_exist(client):
    script = client.get("/sw.js").get_data(as_text=True)
    shell = re.search(r"const SHELL = (\[.*?\]);", script).group(1)
    for url in re.findall(r'"([^"]+)"', shell):
        assert client.get(url).status_code == 200, url


def test_cache_name_changes_when_a_shell_file_changes(app, tmp_path, monkeypatch):
    before = pwa.shell_hash()
    static = tmp_path / "static"
    import shutil
    shutil.copytree(app.static_folder, static)
    monkeypatch.setattr(app, "static_folder", str(static))
    assert pwa.shell_hash() == before
    (static / "js" / "outbox.js").write_text("// changed\n", encoding="utf-8")
    assert pwa.shell_hash() != before


def test_offline_page_is_public_and_names_no_one(patient_client, patient):
    html = patient_client.get("/offline").get_data(as_text=True)
    assert "You are offline" in html
    assert patient.display_name not in html and patient.email not in html
    assert "data-outbox-list" in html


def test_api_answers_are_never_stored(patient_client):
    assert patient_client.get("/api/v1/entries").headers["Cache-Control"] == "no-store"


def test_logout_leaves_other_accounts_words_on_the_device(patient_client):
    """app.js wipes the departing account's data; "storage" would take every account's."""
    response = patient_client.submit("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache"'


def test_deleting_the_account_names_it_for_the_device_to_wipe(patient_client, patient):
    patient_id = str(patient.id)
    response = patient_client.submit("/account/delete", {"password": PASSWORD})
    assert response.headers["Clear-Site-Data"] == '"cache"'
    login = patient_client.get(response.location).get_data(as_text=True)
    assert f'<meta name="journal-wipe-account" content="{patient_id}">' in login
    # Once: the next page names no account to wipe.
    assert "journal-wipe-account" not in patient_client.get("/login").get_data(as_text=True)


def test_a_wrong_password_names_no_account_to_wipe(patient_client):
    response = patient_client.submit("/account/delete", {"password": "not my password"})
    assert response.status_code == 400
    assert "journal-wipe-account" not in response.get_data(as_text=True)
    assert "Clear-Site-Data" not in response.headers


def test_pages_say_whose_device_data_they_use(app, client, patient_client, patient, therapist):
    patient_page = patient_client.get("/help")
    assert f'<meta name="journal-user" content="{patient.id}">' in patient_page.get_data(as_text=True)
    assert patient_page.headers["Journal-User"] == str(patient.id)
    # Logged out, or a therapist: no patient's device data is theirs.
    therapist_client = app.test_client()
    therapist_client.login(therapist.email)
    for page in (client.get("/login"), therapist_client.get("/help"), therapist_client.get("/account")):
        assert '<meta name="journal-user" content="">' in page.get_data(as_text=True)
        assert "Journal-User" not in page.headers
    # The offline page is shared by every account: it names none, not even "nobody".
    offline = patient_client.get("/offline").get_data(as_text=True)
    assert 'name="journal-user"' not in offline


@pytest.mark.parametrize("path", ["/", "/entries/new"])
def test_the_offline_pages_may_be_kept_on_the_device_only(patient_client, path):
    assert patient_client.get(path).headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("path", ["/entries/{id}", "/entries/{id}/edit", "/trash", "/account", "/?q=river",
                                  "/?session=", "/entries/new?prompt=x", "/steps/", "/dosing/", "/help",
                                  "/account/export"])
def test_other_logged_in_pages_are_never_stored(patient_client, patient, path):
    entry = create_entry(patient, insights="Down by the river.")
    response = patient_client.get(path.format(id=entry.id))
    assert response.headers["Cache-Control"] == "no-store", response.status_code


def test_static_files_keep_their_caching_when_logged_in(patient_client):
    assert "no-store" not in patient_client.get("/static/js/app.js").headers.get("Cache-Control", "")


def test_the_account_page_says_persistence_is_unknown_without_javascript(patient_client):
    html = patient_client.get("/account").get_data(as_text=True)
    assert re.search(r"<p[^>]*data-storage-persistence[^>]*>[^<]*unknown", html)


@pytest.mark.parametrize("template", ["pwa/offline.html", "base.html", "auth/account.html",
                                      "entries/form.html"])
def test_no_inline_script_or_style(app, template):
    source = (app.jinja_loader.get_source(app.jinja_env, template))[0]
    assert not re.search(r"<script(?![^>]*\bsrc=)", source)
    assert "style=" not in source
