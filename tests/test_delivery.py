"""Responses travel compressed where that is safe, and static files under hashed URLs
that browsers keep for a year."""
import re

import brotli
import pytest


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
    assert re.search(r"from\s*'\./db\.js\?v=[0-9a-f]{12}'", app_js)
    assert "'./db.js'" not in app_js


@pytest.mark.parametrize("importer", ["import { a } from './db.js';\n", "const db = await import('./db.js');\n"],
                         ids=["static import", "import on demand"])
def test_a_change_to_an_imported_module_changes_the_importers_url(app, tmp_path, importer):
    from journal.delivery import static_hash

    (tmp_path / "db.js").write_text("export const a = 1;\n")
    (tmp_path / "app.js").write_text(importer)
    before = static_hash(str(tmp_path), "app.js")
    (tmp_path / "db.js").write_text("export const a = 2;\n")
    assert static_hash(str(tmp_path), "app.js") != before


def test_a_module_loaded_on_demand_is_named_by_hashed_url(client):
    """``import('./entry-form.js')`` too: a page must not load a form's code of another release."""
    app_js = client.get("/static/js/app.js").get_data(as_text=True)
    assert re.search(r"import\('\./entry-form\.js\?v=[0-9a-f]{12}'\)", app_js)


def test_scripts_and_styles_are_sent_without_comments_or_indentation(app, client):
    """Comments explain the code to us; a phone on a slow network need not download them."""
    from pathlib import Path

    static = Path(app.static_folder)
    for name, comment in (("js/app.js", "// Starts the offline app"), ("css/app.css", "/*")):
        sent = client.get(f"/static/{name}").get_data(as_text=True)
        assert comment in (static / name).read_text()
        assert comment not in sent
        assert "\n  " not in sent
        assert len(sent) < 0.9 * len((static / name).read_text())


def test_a_compressed_script_revalidates_by_its_own_etag(client):
    """A browser that kept the Brotli copy asks again with its ETag and gets a 304, while a
    client that takes only gzip gets gzip, never the Brotli bytes."""
    brotli_copy = client.get("/static/js/outbox.js", headers={"Accept-Encoding": "br"})
    again = client.get("/static/js/outbox.js",
                       headers={"Accept-Encoding": "br", "If-None-Match": brotli_copy.headers["ETag"]})
    assert again.status_code == 304
    gzip_copy = client.get("/static/js/outbox.js",
                           headers={"Accept-Encoding": "gzip", "If-None-Match": brotli_copy.headers["ETag"]})
    assert gzip_copy.status_code == 200
    assert gzip_copy.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in gzip_copy.headers["Vary"]


def test_no_module_nests_a_template_literal(app):
    """The minifier (rjsmin) reads a template literal up to the next backtick, so a template
    inside another's ``${…}`` would lose its spaces. Build such strings in two steps."""
    from pathlib import Path

    for path in sorted((Path(app.static_folder) / "js").glob("*.js")):
        assert not nested_template_at(path.read_text()), f"{path.name} nests a template literal"


def nested_template_at(source: str) -> bool:
    """Whether a backtick opens inside a template literal's ``${…}`` (comments and quoted
    strings outside templates are skipped, so a backtick in them is not one)."""
    position, depth_in_substitution = 0, []  # brace depth of each open ${ … }
    in_template = False
    while position < len(source):
        char, pair = source[position], source[position:position + 2]
        if in_template:
            if char == "\\":
                position += 1
            elif pair == "${":
                depth_in_substitution.append(0)
                in_template = False
                position += 1
            elif char == "`":
                in_template = False
        elif pair == "//":
            position = source.find("\n", position)
            position = len(source) if position < 0 else position
        elif pair == "/*":
            position = source.index("*/", position) + 1
        elif char in "'\"":
            end = position + 1
            while source[end] != char:
                end += 2 if source[end] == "\\" else 1
            position = end
        elif char == "`":
            if depth_in_substitution:
                return True
            in_template = True
        elif char == "{" and depth_in_substitution:
            depth_in_substitution[-1] += 1
        elif char == "}" and depth_in_substitution:
            if depth_in_substitution[-1] == 0:
                depth_in_substitution.pop()
                in_template = True
            else:
                depth_in_substitution[-1] -= 1
        position += 1
    return False
