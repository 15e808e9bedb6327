"""Transfer: compressed responses and fingerprinted static files.

HTML, CSS, JavaScript, SVG and JSON go out compressed (brotli when the browser takes it, else
gzip): a step's 8 KB of HTML becomes under 2 KB. Static files are linked with a hash of their
content in the URL (`url_for('static', ...)` adds `?v=<hash>`), so a browser may keep them a year
without asking again: a changed file gets a new URL. A URL without the hash (or with an old one)
still works, but is revalidated as before.
"""

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Flask, request
from flask_compress import Compress

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml",
                    "application/json", "text/csv", "text/plain"]

compress = Compress()

# Brotli quality 2 instead of Flask-Compress's 4: on a step page (10.8 KB of HTML) 39 instead of
# 80 us per response, for 2.5 instead of 2.3 KB sent. Pages are compressed on every request;
# what a browser keeps (static files, a year) or a worker keeps (charts) is compressed once.
BROTLI_QUALITY = 2


BODY_NAME = "veerkracht.body_name"  # request.environ: a name that fixes this response's body exactly


def name_body(name: str) -> None:
    """Say that this response's body is exactly what `name` names (a stored chart's key, a static
    file's content hash): its compressed form is then made once per worker and kept."""
    request.environ[BODY_NAME] = name  # the request's own, even where requests share an app context


def browser_has(etag: str) -> bool:
    """Whether the browser's If-None-Match names this ETag: as sent, or as Flask-Compress marks the
    ETag of a compressed body ("<etag>:br", "<etag>:gzip")."""
    return etag in request.if_none_match or any(request.if_none_match.contains(f"{etag}:{algorithm}")
                                                 for algorithm in ("br", "gzip"))


def _body_name(this_request) -> str:
    return this_request.environ.get(BODY_NAME, "")


class KeptBodies:
    """Flask-Compress's cache: the compressed bodies of named responses, the most recently used
    first, up to `limit` bytes per worker. Unnamed responses (every page) are never kept.

    A kept chart is only ever sent after its view has checked who may see it: the view runs
    first, and a refused request has no named body."""

    def __init__(self, limit: int = 4 * 1024 * 1024):
        self.limit = limit
        self.size = 0
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()  # a threaded server (gthread, the test server) shares it

    @staticmethod
    def _named(key: str) -> bool:
        return not key.endswith(";")  # "<algorithm>;<name>", with an empty name when unnamed

    def get(self, key: str) -> bytes | None:
        if not self._named(key):
            return None
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def set(self, key: str, body: bytes) -> None:
        if not self._named(key) or len(body) > self.limit:
            return
        with self._lock:
            if key in self._bodies:
                return
            self._bodies[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _oldest, dropped = self._bodies.popitem(last=False)
                self.size -= len(dropped)


def _algorithms() -> list[str]:
    try:
        import brotli  # noqa: F401
    except ImportError:
        return ["gzip"]
    return ["br", "gzip"]


class Fingerprints:
    """A short content hash per static file, computed once per file version (path, mtime, size)."""

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self._known: dict[str, tuple[tuple[float, int], str]] = {}

    def of(self, filename: str) -> str | None:
        path = self.folder / filename
        try:
            stat = path.stat()
        except (OSError, ValueError):
            return None
        version = (stat.st_mtime, stat.st_size)
        known = self._known.get(filename)
        if known is None or known[0] != version:
            if not path.resolve().is_relative_to(self.folder.resolve()):
                return None
            known = (version, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
            self._known[filename] = known
        return known[1]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", _algorithms())
    app.config.setdefault("COMPRESS_BR_LEVEL", BROTLI_QUALITY)
    app.config.setdefault("COMPRESS_STREAMS", False)  # static files are read whole below instead
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", KeptBodies)
    app.config.setdefault("COMPRESS_CACHE_KEY", _body_name)
    compress.init_app(app)
    fingerprints = Fingerprints(app.static_folder or os.path.join(app.root_path, "static"))
    app.extensions["veerkracht_fingerprints"] = fingerprints

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and (digest := fingerprints.of(values.get("filename", ""))):
            values["v"] = digest

    @app.after_request
    def _static_cache(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        if response.status_code == 200 and response.mimetype in COMPRESSED_TYPES and response.is_streamed:
            # A small text file, read whole (and the file closed) so that it can be compressed.
            source = response.response
            body = b"".join(source)
            if hasattr(source, "close"):
                source.close()
            response.direct_passthrough = False
            response.set_data(body)
        wanted = request.args.get("v")
        filename = (request.view_args or {}).get("filename", "")
        if wanted and wanted == fingerprints.of(filename):
            response.headers["Cache-Control"] = IMMUTABLE
            if response.status_code == 200:
                name_body(f"static:{filename}:{wanted}")
        return response
