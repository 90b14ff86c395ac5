"""Tools for researchers and journalists: `/search.csv`, `/feed`, `/agencies`, `/opensearch.xml`.

The same URL parameters as `/search` select the releases (one validation, one meaning);
the search layer (`search/export.py`) finds and counts them, `webui/formats.py` writes
the files. Downloads stream: rows are read from the index as they are sent.
"""

from __future__ import annotations

from urllib.parse import urljoin

from flask import Blueprint, render_template, request, url_for
from werkzeug.wrappers import Response

from indexer.agencies import agency_name
from indexer.records import UNKNOWN_AGENCY
from search.export import AgencySummary, agency_overview, feed_releases, iter_releases
from search.request import LANGS, BadParameter, SearchRequest
from search.results import facet_label
from webui.application import export_limit, searcher, ui_language
from webui.formats import (
    FeedEntry,
    atom_feed,
    content_disposition,
    csv_chunks,
    export_filename,
    opensearch_description,
)
from webui.i18n import count_agencies, count_releases, format_date, text
from webui.links import Links
from webui.pages import describe, page_context, query_params

bp = Blueprint("tools", __name__)

ORDERS = ("count", "name", "latest")


def _one(name: str, allowed: tuple[str, ...], default: str) -> str:
    """A single-valued parameter of these pages that `SearchRequest` does not know."""
    values = [v.strip() for v in request.args.getlist(name) if v.strip()]
    if len(values) > 1:
        raise BadParameter(name, "repeated")
    value = values[0] if values else default
    if value not in allowed:
        raise BadParameter(name, "choice", choices=", ".join(allowed))
    return value


def absolute(path: str) -> str:
    return urljoin(request.host_url, path)


@bp.get("/search.csv")
def search_csv() -> Response:
    """Every release of the search (up to the export limit) as a CSV download.

    Rows stream in the search's order; `body=1` adds the release text. When the limit
    cuts the export, the file name says `-first-N` and `X-Govpress-Truncated` says
    `N of TOTAL`, so nobody mistakes a sample for the whole.
    """
    ui = ui_language()
    body = _one("body", ("0", "1"), "0") == "1"
    search = SearchRequest.from_params(query_params())
    limit = export_limit()
    total, releases = iter_releases(searcher(), search, limit)
    truncated = total > limit
    response = Response(csv_chunks(releases, ui, body), content_type="text/csv; charset=utf-8")
    filename = export_filename(search, "csv", limit if truncated else None)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Govpress-Total"] = str(total)
    if truncated:
        response.headers["X-Govpress-Truncated"] = f"{limit} of {total}"
    return response


@bp.get("/feed")
def feed() -> Response:
    """An Atom feed of the search: its newest `FEED_SIZE` releases."""
    ui = ui_language()
    search = SearchRequest.from_params(query_params())
    _, releases = feed_releases(searcher(), search)
    links = Links(ui)
    document = atom_feed(
        title=text("feed_title", ui, search=describe(search, ui)),
        search=search,
        self_url=absolute(links.feed(search)),
        alternate_url=absolute(links.search(search.with_changes(sort="newest", page=1))),
        entries=[FeedEntry(release, absolute(links.doc(release.id))) for release in releases],
        ui=ui,
    )
    return Response(document, content_type="application/atom+xml; charset=utf-8")


def _sorted(rows: list[AgencySummary], order: str, ui: str) -> list[AgencySummary]:
    if order == "name":
        return sorted(rows, key=lambda r: (agency_name(r.agency).in_language(ui).casefold(),
                                           r.agency))
    if order == "latest":
        return sorted(rows, key=lambda r: (-(r.latest.toordinal() if r.latest else 0),
                                           -r.count, r.agency))
    return rows  # agency_overview: most releases first


def agency_rows(ui: str) -> tuple[str, list[AgencySummary]]:
    """The validated `order` and the agencies in it (shared by the page and the API)."""
    order = _one("order", ORDERS, "count")
    return order, _sorted(agency_overview(searcher()), order, ui)


def agency_json(row: AgencySummary, ui: str) -> dict:
    """One agency of `/api/agencies`."""
    return {
        "agency": row.agency,
        "agency_name": agency_name(row.agency).in_language(ui),
        "count": row.count,
        "by_lang": row.by_lang,
        "latest": row.latest.isoformat() if row.latest else None,
    }


@bp.get("/agencies")
def agencies() -> str:
    """Every agency with its releases by language and its latest one; each links to its
    releases. `order=count|name|latest` (not `sort`: that means a search's order)."""
    ui = ui_language()
    order, rows = agency_rows(ui)
    links = Links(ui)
    langs = [lang for lang in LANGS if any(row.by_lang.get(lang) for row in rows)]
    views = []
    for row in rows:
        name = agency_name(row.agency).in_language(ui)
        by_agency = SearchRequest(agencies=(row.agency,), sort="newest")
        views.append({
            "slug": row.agency,
            "show_slug": name != row.agency and row.agency != UNKNOWN_AGENCY,
            "name": name,
            "href": links.search(by_agency),
            "count": row.count,
            "langs": [
                {"lang": lang, "count": count,
                 "href": links.search(by_agency.with_changes(lang=lang)) if count else None,
                 "hint": text("agency_lang_hint", ui, agency=name,
                              lang=facet_label("lang", lang, ui))}
                for lang, count in ((lang, row.by_lang.get(lang, 0)) for lang in langs)
            ],
            "latest": format_date(row.latest, ui) if row.latest else "—",
            "latest_iso": row.latest.isoformat() if row.latest else "",
        })
    total = sum(row.count for row in rows)
    return render_template(
        "agencies.html",
        **page_context(ui, text("agencies_title", ui)),
        agencies=views,
        langs=[(lang, facet_label("lang", lang, ui)) for lang in langs],
        summary=text("agencies_summary", ui, agencies=count_agencies(len(rows), ui),
                     releases=count_releases(total, ui)),
        order=order,
        orders=[(value, text(f"order_{value}", ui), links.agencies(value)) for value in ORDERS],
        json_url=links.api_agencies(order),
    )


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets a browser add govpress as a search engine (OpenSearch 1.1)."""
    ui = ui_language()
    document = opensearch_description(
        short_name="govpress",
        description=text("opensearch_description", ui),
        html_template=f"{absolute(url_for('pages.search'))}?q={{searchTerms}}&ui={ui}",
        atom_template=f"{absolute(url_for('tools.feed'))}?q={{searchTerms}}&ui={ui}",
        icon_url=absolute(url_for("static", filename="favicon.svg")),
        ui=ui,
    )
    return Response(document, content_type="application/opensearchdescription+xml; charset=utf-8")
