"""How responses travel: compressed (Brotli or gzip, by Flask-Compress), and static files
under content-hashed URLs that browsers may keep for a year.

Scripts and stylesheets are minified (rjsmin, rcssmin) and compressed at Brotli's and
gzip's best levels once per file version and process, not per request: the best levels
are too slow for every response but cost nothing when kept.

ES modules import each other by relative path (``from './db.js'``). They are served with
those paths rewritten to hashed URLs, and a module's hash covers what it imports, so a
release changes every URL whose code changed and a page never mixes old and new modules.

Compression and secrets: a page that shows something an attacker put in its URL (the
search box shows ``?q=``) next to a secret (the CSRF token) must not be compressed, or
response sizes would leak the secret byte by byte (BREACH). Pages are compressed only
when their request has no query string; scripts, styles and JSON carry no such pair.
"""
import gzip
import hashlib
import re
from functools import cache, lru_cache
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from flask import Flask, abort, current_app, request
from flask_compress import Compress
from werkzeug.security import safe_join

compress = Compress()

#: A year: a hashed URL names one version of a file for ever.
IMMUTABLE = "public, max-age=31536000, immutable"
#: How a script or stylesheet may travel, best first.
STATIC_ENCODINGS = ["br", "gzip"]
#: The static files packed for travel, by suffix: their type and their minifier.
PACKED = {".js": ("text/javascript", rjsmin.jsmin), ".css": ("text/css", rcssmin.cssmin)}
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "application/manifest+json", "image/svg+xml"]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])
    app.config.setdefault("COMPRESS_REGISTER", False)  # after_request below decides per response
    compress.init_app(app)
    app.url_defaults(hash_static_urls)
    app.view_functions["static"] = serve_static
    app.after_request(deliver)


def hash_static_urls(endpoint: str, values: dict) -> None:
    """``url_for('static', filename=…)`` gains ``v=<content hash>``."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        if current_app.debug:  # files change while one develops: look at them each time
            values["v"] = static_hash(current_app.static_folder, values["filename"])
        else:
            values["v"] = _released_hash(current_app.static_folder, values["filename"])


@cache
def _released_hash(folder: str, filename: str) -> str:
    """A release's files do not change while it runs: each page's few static URLs need
    not look at the files (a stat per module and per import) every time."""
    return static_hash(folder, filename)


#: ``import … from './db.js'``, ``import './db.js'`` and ``import('./form.js')`` (on demand).
_IMPORT = re.compile(r"""(\bfrom\s+|\bimport\s*\(?\s*)(['"])\./([\w.-]+\.js)\2""")


def static_hash(folder: str, filename: str) -> str:
    """A short hash of what the file serves, a module's imports included ('' for a file
    that is not there). Cached by modification time, so a changed file is seen at once."""
    path = Path(folder) / filename
    try:
        own = _file_hash(str(path), path.stat().st_mtime_ns)
    except OSError:
        return ""
    if not filename.endswith(".js"):
        return own
    imported = [static_hash(str(path.parent), name) for name in _imports_of(str(path), path.stat().st_mtime_ns)]
    return hashlib.sha256("".join([own, *imported]).encode()).hexdigest()[:12] if imported else own


@cache
def _file_hash(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@cache
def _imports_of(path: str, mtime_ns: int) -> tuple[str, ...]:
    return tuple(match.group(3) for match in _IMPORT.finditer(Path(path).read_text()))


def _module_source(path: str) -> str:
    """A module's text with its relative imports pointing at their hashed URLs."""
    folder = Path(path).parent

    def hashed(match: re.Match) -> str:
        dependency = match.group(3)
        version = static_hash(str(folder), dependency)
        return f"{match.group(1)}{match.group(2)}./{dependency}?v={version}{match.group(2)}"

    return _IMPORT.sub(hashed, Path(path).read_text())


def serve_static(filename: str):
    """The static view: scripts (modules with hashed imports) and stylesheets packed for
    travel, everything else as it is."""
    suffix = Path(filename).suffix
    if suffix not in PACKED:
        return current_app.send_static_file(filename)
    path = safe_join(current_app.static_folder, filename)
    if path is None or not Path(path).is_file():
        abort(404)
    version = static_hash(current_app.static_folder, filename)
    encoding = request.accept_encodings.best_match(STATIC_ENCODINGS)
    # Debugging reads the code as written.
    body = _packed(path, version, encoding, minify=not current_app.debug)
    response = current_app.response_class(body, mimetype=PACKED[suffix][0])
    response.vary.add("Accept-Encoding")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    # Each encoding is its own representation: a 304 must not confirm Brotli bytes to a
    # client that asked for gzip.
    response.set_etag(f"{version}:{encoding}" if encoding else version)
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@lru_cache(maxsize=256)
def _packed(path: str, version: str, encoding: str | None, minify: bool) -> bytes:
    """A script or stylesheet as it travels. ``version`` is in the key so that a changed
    file (while one develops) is packed again."""
    suffix = Path(path).suffix
    text = _module_source(path) if suffix == ".js" else Path(path).read_text()
    if minify:
        text = PACKED[suffix][1](text)
    data = text.encode()
    if encoding == "br":
        return brotli.compress(data, quality=11)
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    return data


def deliver(response):
    """Long-lived caching for hashed static URLs; compression where it is safe."""
    if request.endpoint == "static" and response.status_code == 200:
        wanted = request.args.get("v")
        if wanted and wanted == static_hash(current_app.static_folder, request.view_args["filename"]):
            response.headers["Cache-Control"] = IMMUTABLE
    if response.mimetype == "text/html" and request.query_string:
        return response
    return compress.after_request(response)
