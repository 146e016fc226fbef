"""Responses travel compressed where that is safe, and static files under hashed URLs
that browsers keep for a year."""
import re

import brotli


def test_the_journal_page_is_sent_compressed(patient_client):
    response = patient_client.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"Your journal" in brotli.decompress(response.get_data())


def test_gzip_for_clients_without_brotli(patient_client):
    import gzip

    response = patient_client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"Your journal" in gzip.decompress(response.get_data())


def test_a_page_that_shows_its_query_is_not_compressed(patient_client):
    """BREACH: the search box repeats ?q= beside the CSRF token; sizes must not leak it."""
    response = patient_client.get("/?q=csrf", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in response.headers


def test_scripts_and_styles_are_compressed_and_kept_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    script = re.search(r'src="(/static/js/app\.js\?v=[0-9a-f]{12})"', page).group(1)
    style = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page).group(1)
    for url in (script, style):
        response = client.get(url, headers={"Accept-Encoding": "br"})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Encoding"] == "br"
        assert len(brotli.decompress(response.get_data())) > len(response.get_data())


def test_a_stale_hash_is_not_kept_for_a_year(client):
    response = client.get("/static/js/app.js?v=000000000000")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_modules_import_each_other_by_hashed_url(client):
    """A module's imports name their dependencies' hashes, so a cached app.js never runs
    beside a db.js of another release."""
    app_js = client.get("/static/js/app.js").get_data(as_text=True)
    assert re.search(r"from '\./db\.js\?v=[0-9a-f]{12}'", app_js)
    assert "from './db.js'" not in app_js


def test_a_change_to_an_imported_module_changes_the_importers_url(app, tmp_path):
    from journal.delivery import static_hash

    (tmp_path / "db.js").write_text("export const a = 1;\n")
    (tmp_path / "app.js").write_text("import { a } from './db.js';\n")
    before = static_hash(str(tmp_path), "app.js")
    (tmp_path / "db.js").write_text("export const a = 2;\n")
    assert static_hash(str(tmp_path), "app.js") != before
