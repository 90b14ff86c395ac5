"""The JSON API: `/api/search`, `/api/doc/<id>` (shapes DESIGN.md fixes), `/api/agencies`.

`/api/search` returns exactly `SearchResults.as_json(ui)`, the object `govpress search
--json` prints, so scripts can move between the CLI and the API without translation.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from search.request import SearchRequest
from search.results import release_as_json
from webui.application import release_or_404, searcher, ui_language
from webui.pages import SIMILAR_COUNT, query_params
from webui.tools import agency_json, agency_rows

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    """The search the URL parameters describe, as JSON."""
    ui = ui_language()
    request = SearchRequest.from_params(query_params())
    return jsonify(searcher().search(request).as_json(ui))


@bp.get("/doc/<release_id>")
def doc(release_id: str) -> Response:
    """One release as JSON, with the releases most like it under `similar`."""
    ui = ui_language()
    release = release_or_404(release_id)
    body = release_as_json(release, ui, searcher().translations(release.id))
    body["similar"] = [hit.as_json(ui) for hit in searcher().similar(release.id, SIMILAR_COUNT)]
    return jsonify(body)


@bp.get("/agencies")
def agencies() -> Response:
    """Every agency with its release counts by language and its latest release date:
    `{"order", "total", "agencies": [{"agency", "agency_name", "count", "by_lang",
    "latest"}]}`, in the order of `/agencies` (`order=count|name|latest`)."""
    ui = ui_language()
    order, rows = agency_rows(ui)
    return jsonify({
        "order": order,
        "total": sum(row.count for row in rows),
        "agencies": [agency_json(row, ui) for row in rows],
    })
