"""The Flask app: URL parameters → `SearchRequest` → Searcher → HTML or JSON.

`create_app` is a Flask application factory so that tests, `govpress serve` and any WSGI
server build the same app. The web layer holds no search logic: it validates the `ui`
parameter, lets `SearchRequest.from_params` validate the rest, and renders results.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from flask import Flask, abort, current_app, g, request
from werkzeug.exceptions import BadHost
from werkzeug.wrappers import Response

from indexer.locations import default_index_dir
from indexer.release import Release
from search.request import EXPORT_LIMIT, BadParameter
from search.searcher import Searcher
from webui.hosts import BAD_HOST, HostCheck
from webui.i18n import DEFAULT_UI, UI_LANGUAGES

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Public, read-only data that other sites and notebooks may fetch from a browser: the
# JSON API, feeds and CSV downloads answer cross-origin GETs (no cookies, nothing to
# change); the HTML pages do not.
CROSS_ORIGIN_PATHS = ("/api/", "/feed", "/search.csv")
CROSS_ORIGIN_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Expose-Headers": "X-Govpress-Total, X-Govpress-Truncated, "
                                     "Content-Disposition",
}
EXTENSION = "govpress"
MAX_BODY_BYTES = 16 * 1024  # no route reads a body; Flask answers 413 above this
MAX_URL_BYTES = 8 * 1024  # path + query string; 414 above this (waitress: see serve.py)
EXPORT_LIMIT_CONFIG = "GOVPRESS_EXPORT_LIMIT"  # app.config key: releases per CSV download


class SearcherSource:
    """Opens the Searcher on first use, and again after a failure.

    The app starts even when there is no index yet (pages answer 503 until one appears);
    once open, the Searcher follows new index commits by itself.
    """

    def __init__(self, index_dir: Path | None, searcher: Searcher | None = None) -> None:
        self.index_dir = index_dir
        self._searcher = searcher
        self._lock = threading.Lock()

    def get(self) -> Searcher:
        """The Searcher, or `IndexMissing`/`IndexError_` when the index can't be opened."""
        searcher = self._searcher
        if searcher is not None:
            return searcher
        with self._lock:
            if self._searcher is None:
                self._searcher = Searcher(self.index_dir or default_index_dir())
            return self._searcher


RELEASE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,199}$")


def searcher() -> Searcher:
    """The Searcher of the current app (see `SearcherSource.get`)."""
    return current_app.extensions[EXTENSION].get()


def release_or_404(release_id: str) -> Release:
    """The release a `/doc/<id>` address names; 404 for an id that cannot exist or doesn't."""
    if not RELEASE_ID.match(release_id):
        abort(404)
    release = searcher().document(release_id)
    if release is None:
        abort(404)
    return release


def export_limit() -> int:
    """The most releases one `/search.csv` download holds (`EXPORT_LIMIT` unless the app's
    config says otherwise; tests set a small one)."""
    return int(current_app.config.get(EXPORT_LIMIT_CONFIG, EXPORT_LIMIT))


def ui_language() -> str:
    """The validated `ui` parameter of the current request (`BadParameter` when wrong)."""
    if "ui" not in g:
        values = [v.strip() for v in request.args.getlist("ui") if v.strip()]
        if len(values) > 1:
            raise BadParameter("ui", "repeated")
        ui = values[0] if values else DEFAULT_UI
        if ui not in UI_LANGUAGES:
            raise BadParameter("ui", "choice", choices=", ".join(UI_LANGUAGES))
        g.ui = ui
    return g.ui


def create_app(index_dir: Path | None = None, searcher: Searcher | None = None) -> Flask:
    """The govpress web app over the index in `index_dir` (default: `GOVPRESS_INDEX_DIR` or
    the user's data folder), or over a given Searcher (tests pass stand-ins)."""
    app = Flask(__name__)
    app.debug = False
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, SEND_FILE_MAX_AGE_DEFAULT=3600)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = SearcherSource(index_dir, searcher)

    from webui import api, errors, pages, tools

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(tools.bp)
    errors.register(app)
    app.wsgi_app = HostCheck(app.wsgi_app)  # type: ignore[method-assign]

    @app.before_request
    def refuse_bad_host() -> None:
        if request.environ.get(BAD_HOST):
            raise BadHost()  # answered by `errors.http_error`

    @app.before_request
    def limit_url_length() -> None:
        size = len(request.path.encode()) + len(request.query_string)
        if size > MAX_URL_BYTES:
            abort(414, description=f"the address is too long: {size:,} bytes, at most "
                                   f"{MAX_URL_BYTES:,} (path and query string)")

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(CROSS_ORIGIN_PATHS):
            response.headers.update(CROSS_ORIGIN_HEADERS)
        return response

    return app

