"""Every failure becomes a deliberate answer: 400 naming the parameter, 404, 405, 503.

Pages get an HTML page in the interface language, `/api/*` gets
`{"error": {"parameter": …, "message": …}}`; clients never see a stack trace. Anything
unexpected is logged with its traceback and answered 503, because here it nearly always
means the index is unavailable for a moment (being rebuilt, a segment merged away).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadHost, HTTPException
from werkzeug.wrappers import Response

from indexer.storage import IndexError_
from search.request import BadParameter, UnknownAgency
from search.searcher import SearchBusy, SearchTooLong
from webui.application import MAX_URL_BYTES, ui_language
from webui.i18n import DEFAULT_UI, format_number, problem_text, text
from webui.pages import page_context

log = logging.getLogger("govpress.web")
BUSY_RETRY_SECONDS = 2


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _ui() -> str:
    try:
        return ui_language()
    except BadParameter:
        return DEFAULT_UI


def _page(status: int, heading: str, message: str, ui: str) -> tuple[str, int]:
    html = render_template(
        "error.html",
        **page_context(ui, f"{heading} — govpress"),
        status=status,
        heading=heading,
        message=message,
    )
    return html, status


def bad_parameter(error: BadParameter) -> tuple[str | Response, int]:
    if _wants_json():
        body: dict = {"parameter": error.name, "message": error.message}
        if isinstance(error, UnknownAgency):
            body["closest"] = list(error.closest)
        return jsonify({"error": body}), 400
    ui = _ui()
    return _page(400, text("error_bad_parameter", ui, name=error.name),
                 problem_text(error, ui), ui)


def http_error(error: HTTPException) -> tuple | HTTPException:
    status = error.code or 500
    if status < 400:
        return error
    if status >= 500:
        return unavailable(error)
    if isinstance(error, BadHost):
        return bad_host()
    if _wants_json():
        message = "not found" if status == 404 else (error.description or error.name)
        return jsonify({"error": {"message": message}}), status
    ui = _ui()
    if status == 404:
        return _page(404, text("error_not_found", ui), text("error_not_found_text", ui), ui)
    if status == 405:
        return _page(405, text("error_method", ui), text("error_method_text", ui), ui)
    if status == 413:
        return _page(413, text("error_too_large", ui), text("error_too_large_text", ui), ui)
    if status == 414:
        limit = format_number(MAX_URL_BYTES, ui)
        return _page(414, text("error_address_too_long", ui),
                     text("error_address_too_long_text", ui, limit=limit), ui)
    return _page(status, text("error_http", ui, code=status), error.description or "", ui)


def bad_host() -> tuple[str | Response, int]:
    """A `Host` header no URL can be built on (`webui.hosts`)."""
    ui = _ui()
    if _wants_json():
        return jsonify({"error": {"parameter": "Host",
                                  "message": text("error_bad_host_text", "en")}}), 400
    return _page(400, text("error_bad_host", ui), text("error_bad_host_text", ui), ui)


def busy(error: SearchBusy) -> tuple[str | Response, int, dict[str, str]]:
    """Too many costly searches at once (`search.searcher.SearchBusy`): try again soon."""
    ui = _ui()
    if _wants_json():
        body: str | Response = jsonify({"error": {"message": text("error_busy_text", "en")}})
    else:
        body, _ = _page(503, text("error_busy", ui), text("error_busy_text", ui), ui)
    return body, 503, {"Retry-After": str(BUSY_RETRY_SECONDS)}


def too_long(error: SearchTooLong) -> tuple[str | Response, int, dict[str, str]]:
    """A download or feed of a search that was stopped for time: narrow it, or try later."""
    ui = _ui()
    if _wants_json():
        body: str | Response = jsonify({"error": {"parameter": "q",
                                                  "message": text("error_too_long_text", "en")}})
    else:
        body, _ = _page(503, text("error_too_long", ui), text("error_too_long_text", ui), ui)
    return body, 503, {"Retry-After": str(BUSY_RETRY_SECONDS)}


def unavailable(error: Exception) -> tuple[str | Response, int, dict[str, str]]:
    if isinstance(error, IndexError_):
        log.error("index unavailable: %s", error)
    else:
        log.exception("unexpected error on %s %s", request.method, request.full_path[:300])
    if _wants_json():
        body: str | Response = jsonify({"error": {"message": "index unavailable, try again later"}})
    else:
        ui = _ui()
        body, _ = _page(503, text("error_unavailable", ui), text("error_unavailable_text", ui), ui)
    return body, 503, {"Retry-After": "30"}


def register(app: Flask) -> None:
    """Install the handlers; Flask picks the most specific one for each exception."""
    app.register_error_handler(BadParameter, bad_parameter)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(IndexError_, unavailable)
    app.register_error_handler(SearchBusy, busy)
    app.register_error_handler(SearchTooLong, too_long)
    app.register_error_handler(Exception, unavailable)
