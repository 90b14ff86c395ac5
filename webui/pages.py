"""HTML pages: the search page (`/`, `/search`) and one release (`/doc/<id>`).

Views only translate: URL parameters → `SearchRequest` → Searcher → a view model the
templates render. All page state lives in the URL, so facet links, pagination and the
language switch are plain links built from the request (Datasette-style facet toggles).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from indexer.agencies import agency_name
from search.export import timeline
from search.request import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    MAX_QUERY_CHARS,
    SORTS,
    BadParameter,
    SearchRequest,
    UnknownAgency,
)
from search.results import Hit, SearchResults, Translation, facet_label
from search.searcher import Searcher
from search.snippets import marked
from webui.application import export_limit, release_or_404, searcher, ui_language
from webui.chart import timeline_view
from webui.display import is_gov_kz, is_web_url, paragraphs, partial_notices, url_label
from webui.i18n import (
    UI_LANGUAGES,
    UI_NAMES,
    count_releases,
    format_date,
    format_number,
    problem_text,
    text,
)
from webui.links import Links

bp = Blueprint("pages", __name__)

FACETS = ("agency", "lang", "month")
FACET_SHOWN = {"agency": 10, "lang": 5, "month": 12}
PER_PAGE_CHOICES = (10, 20, 50, 100)
PAGE_WINDOW = 2
SIMILAR_COUNT = 5


@dataclass
class FacetLink:
    label: str
    count: int
    selected: bool
    href: str
    hint: str


@dataclass
class FacetGroup:
    name: str
    title: str
    shown: list[FacetLink] = field(default_factory=list)
    more: list[FacetLink] = field(default_factory=list)


@dataclass
class Chip:
    label: str
    remove_href: str
    hint: str


@dataclass
class VersionLink:
    """A link to another language version of a news item ("also in: English")."""

    lang: str
    name: str  # the language's own name: "Қазақша"
    href: str
    hint: str
    on_page: bool = False  # found by this search too, and folded into this line


@dataclass
class HitView:
    title: str
    title_html: str  # escaped, the search's words marked
    href: str
    date: str
    date_iso: str
    agency: str
    lang: str
    lang_name: str
    snippet: str  # already-safe HTML from the search layer; the template marks it |safe
    versions: list[VersionLink] = field(default_factory=list)


@dataclass
class PageLink:
    number: int | None  # None: a gap ("…")
    href: str = ""
    current: bool = False


def query_params() -> dict[str, list[str]]:
    """The query string as name → values, the shape `SearchRequest.from_params` takes."""
    return {name: request.args.getlist(name) for name in request.args}


@dataclass
class UiChoice:
    lang: str
    name: str  # the language's own name: "Қазақша"
    hint: str  # in that language too
    href: str  # this very page in that language
    current: bool


def ui_choices(ui: str) -> list[UiChoice]:
    """The language switch: this page in every interface language, other parameters kept."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "ui"]
    path = "/" + request.path.lstrip("/")  # never `//host/…`, which would leave the site
    return [
        UiChoice(lang, UI_NAMES[lang], text("switch_ui_hint", lang),
                 f"{path}?{urlencode([*params, ('ui', lang)])}", lang == ui)
        for lang in UI_LANGUAGES
    ]


def page_context(ui: str, title: str) -> dict:
    """What `base.html` needs on every page."""
    return {
        "ui": ui,
        "t": partial(text, ui=ui),
        "links": Links(ui),
        "page_title": title,
        "ui_choices": ui_choices(ui),
    }


def month_bounds(month: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a "YYYY-MM" facet value."""
    try:
        year, number = (int(part) for part in month.split("-"))
        last = calendar.monthrange(year, number)[1]
        return dt.date(year, number, 1), dt.date(year, number, last)
    except (ValueError, TypeError):
        return None


def toggled(search: SearchRequest, facet: str, value: str) -> tuple[SearchRequest, bool]:
    """The search with `value` of `facet` switched on or off, and whether it was on."""
    if facet == "agency":
        selected = value in search.agencies
        agencies = tuple(a for a in search.agencies if a != value)
        if not selected:
            agencies = (*search.agencies, value)
        return search.with_changes(agencies=agencies, page=1), selected
    if facet == "lang":
        selected = search.lang == value
        return search.with_changes(lang=None if selected else value, page=1), selected
    bounds = month_within(value, search)
    selected = bounds is not None and (search.date_from, search.date_to) == bounds
    start, end = (None, None) if selected or bounds is None else bounds
    return search.with_changes(date_from=start, date_to=end, page=1), selected


def month_within(month: str, search: SearchRequest) -> tuple[dt.date, dt.date] | None:
    """The days of a month facet value that lie within the search's own dates: the month
    facet narrows a chosen range (5–14 March stays 5–14 March), never widens it."""
    bounds = month_bounds(month)
    if bounds is None:
        return None
    start, end = search.clip(*bounds)
    return (start, end) if start <= end else None


def facet_groups(results: SearchResults, ui: str, links: Links) -> list[FacetGroup]:
    search = results.request
    groups = []
    for name in FACETS:
        # `choices` leave out the facet's own filter, so a second agency can be added.
        source = results.choices.get(name) or results.facets.get(name, [])
        values = [(v.value, v.count) for v in source]
        present = {value for value, _ in values}
        selected_values: list[str] = []
        if name == "agency":
            selected_values = list(search.agencies)
        elif name == "lang" and search.lang:
            selected_values = [search.lang]
        values += [(value, 0) for value in selected_values if value not in present]
        group = FacetGroup(name, text(f"facet_{name}", ui))
        for value, count in values:
            changed, selected = toggled(search, name, value)
            label = facet_label(name, value, ui)
            period = month_within(value, search) if name == "month" else None
            shown = date_label(*period, ui) if period else label
            hint = (text("facet_remove", ui, label=shown) if selected
                    else text("facet_add", ui, label=shown))
            link = FacetLink(label, count, selected, links.search(changed), hint)
            shown = len(group.shown) < FACET_SHOWN[name] or selected
            (group.shown if shown else group.more).append(link)
        if group.shown:
            groups.append(group)
    return groups


def active_filters(search: SearchRequest, ui: str, links: Links) -> list[Chip]:
    """One removable chip per active filter (agencies, language, dates)."""
    chips = []
    for agency in search.agencies:
        changed, _ = toggled(search, "agency", agency)
        label = facet_label("agency", agency, ui)
        chips.append(Chip(label, links.search(changed), text("facet_remove", ui, label=label)))
    if search.lang:
        label = facet_label("lang", search.lang, ui)
        changed = search.with_changes(lang=None, page=1)
        chips.append(Chip(label, links.search(changed), text("facet_remove", ui, label=label)))
    if search.date_from or search.date_to:
        label = date_label(search.date_from, search.date_to, ui)
        changed = search.with_changes(date_from=None, date_to=None, page=1)
        chips.append(Chip(label, links.search(changed), text("facet_remove", ui, label=label)))
    return chips


def filter_parts(search: SearchRequest, ui: str) -> list[str]:
    """The filters of a search in words: agencies, language, dates."""
    parts = [facet_label("agency", agency, ui) for agency in search.agencies]
    if search.lang:
        parts.append(facet_label("lang", search.lang, ui))
    if search.date_from or search.date_to:
        parts.append(date_label(search.date_from, search.date_to, ui))
    return parts


def describe(search: SearchRequest, ui: str) -> str:
    """The search in words, for a feed title: `«жилье» · Министерство … · март 2025`."""
    parts = [text("search_quoted", ui, q=search.q)] if search.q else []
    return " · ".join(parts + filter_parts(search, ui)) or text("search_everything", ui)


def date_label(start: dt.date | None, end: dt.date | None, ui: str) -> str:
    if start and end:
        month = start.strftime("%Y-%m")
        if month_bounds(month) == (start, end):
            return facet_label("month", month, ui)
        return text("date_range", ui, start=format_date(start, ui), end=format_date(end, ui))
    if start:
        return text("date_since", ui, date=format_date(start, ui))
    assert end is not None
    return text("date_until", ui, date=format_date(end, ui))


def version_link(translation: Translation, links: Links, hint: str, q: str = "") -> VersionLink:
    """A link to another language version; it carries the query `q`, so the words stay
    marked and "back to search" stays there."""
    return VersionLink(translation.lang, UI_NAMES.get(translation.lang, translation.lang),
                       links.doc(translation.id, q=q), hint)


def hit_views(hits: list[Hit], ui: str, links: Links, q: str = "") -> list[HitView]:
    """The hits as listed: a version of a news item whose higher-ranked version is listed
    already is folded into that line (its language link says it was found too) instead
    of being listed twice. Display only: totals, facets and exports still count it."""
    views: list[HitView] = []
    listed: dict[str, VersionLink] = {}  # release id → its link on a line listed above
    for hit in hits:
        link = listed.get(hit.id)
        if link is not None:
            link.on_page = True
            link.hint = text("version_on_page", ui, title=hit.title.strip())
            continue
        view = hit_view(hit, ui, links, q)
        views.append(view)
        for translation, version in zip(hit.translations, view.versions, strict=True):
            listed.setdefault(translation.id, version)
    return views


def hit_view(hit: Hit, ui: str, links: Links, q: str = "") -> HitView:
    """A result as the page shows it; its link carries the query `q` to mark there."""
    title = hit.title.strip() or "—"
    return HitView(
        title=title,
        title_html=hit.title_html.strip() or escape(title),
        href=links.doc(hit.id, q=q),
        date=format_date(hit.date, ui),
        date_iso=hit.date.isoformat(),
        agency=hit.agency_names.in_language(ui),
        lang=hit.lang,
        lang_name=facet_label("lang", hit.lang, ui),
        snippet=hit.snippet,
        versions=[version_link(t, links, facet_label("lang", t.lang, ui), q)
                  for t in hit.translations],
    )


def pagination(results: SearchResults, links: Links) -> list[PageLink]:
    """Page numbers around the current one, the first and the last; gaps as `None`."""
    search = results.request
    last = min(results.pages, MAX_PAGE)
    if last <= 1:
        return []
    numbers = {1, last, *range(search.page - PAGE_WINDOW, search.page + PAGE_WINDOW + 1)}
    result: list[PageLink] = []
    previous = 0
    for number in sorted(n for n in numbers if 1 <= n <= last):
        if number - previous > 1:
            result.append(PageLink(None))
        href = links.search(search.with_changes(page=number))
        result.append(PageLink(number, href, number == search.page))
        previous = number
    return result


def sort_options(search: SearchRequest, ui: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the sort control, saying what each really does: with
    no words the default lists the newest first, so it is labelled so, and a separate
    "newest" would be the same choice twice."""
    options = []
    for sort in SORTS:
        effective = search.with_changes(sort=sort).effective_sort
        if search.is_browse and sort != "relevance" and effective == "newest":
            continue
        options.append((sort, text(f"sort_{effective}", ui),
                        effective == search.effective_sort))
    return options


def canonical_redirect(search: SearchRequest, ui: str) -> Response | None:
    """Send a form submission (`from=&sort=relevance…`) to the clean, bookmarkable URL."""
    given = list(request.args.items(multi=True))
    wanted = search.to_params() + ([("ui", ui)] if "ui" in request.args else [])
    if given == wanted:
        return None
    return redirect(f"{request.path}?{urlencode(wanted)}" if wanted else request.path, 302)


@bp.get("/")
def home() -> Response | str:
    """With no parameters, the newest releases and the facet overview."""
    return search()


@bp.get("/search")
def search() -> tuple[str, int] | Response | str:
    """Results for the URL parameters; empty `q` lists the newest releases.

    A parameter that is wrong (dates the wrong way round, an agency nobody indexed) does
    not lose the search: the page shows the results without it, answered 400, with the
    form as it was sent and the problem beside the field (the API answers a plain 400).
    """
    ui = ui_language()
    index = searcher()
    req, results, problems = search_without_problems(index, query_params())
    if not problems:
        redirect_to = canonical_redirect(req, ui)
        if redirect_to is not None:
            return redirect_to
    links = Links(ui)
    chart = None
    if results.hits and not (results.partial and results.partial.stopped):
        # No chart of a search stopped for time (it would evaluate it again, and chart a
        # part). The month facet spares a second pass over the matches when it spans > 62 days.
        chart = timeline_view(timeline(index, req, results.facets.get("month")), req, ui, links)
    filters = filter_parts(req, ui)
    if req.q:
        title = text("search_title", ui, q=" · ".join([req.q, *filters]))
    elif filters:
        title = text("browse_filtered_title", ui, filters=" · ".join(filters))
    elif request.args and set(request.args) != {"ui"}:
        title = text("browse_title", ui)
    else:
        title = text("home_title", ui)
    first = (req.page - 1) * req.per_page + 1
    last = first + len(results.hits) - 1
    chips = active_filters(req, ui, links)
    per_page_choices = sorted({*PER_PAGE_CHOICES, req.per_page})
    html = render_template(
        "search.html",
        **page_context(ui, title),
        skip_target="results",
        search=req,
        form=form_values(req, problems),
        field_problems={error.name: problem_text(error, ui) for error in problems
                        if error.name in FORM_FIELDS},
        invalid_fields=invalid_fields(problems),
        other_problems=[problem_view(error, ui, links, req) for error in problems
                        if error.name not in FORM_FIELDS],
        results=results,
        hits=hit_views(results.hits, ui, links, req.q),
        facets=facet_groups(results, ui, links),
        chips=chips,
        clear_href=links.search(SearchRequest(q=req.q, sort=req.sort,
                                              per_page=req.per_page)),
        count_text=count_releases(results.total, ui),
        range_text=text("results_range", ui, first=first, last=last, total=results.total),
        pages=pagination(results, links),
        prev_href=links.search(req.with_changes(page=req.page - 1))
        if req.page > 1 and results.total else None,
        next_href=links.search(req.with_changes(page=req.page + 1))
        if req.page < min(results.pages, MAX_PAGE) else None,
        suggestion_href=links.search(req.with_changes(q=results.suggestion, page=1))
        if results.suggestion else None,
        first_page_href=links.search(req.with_changes(page=1)),
        sorts=sort_options(req, ui),
        per_page_choices=per_page_choices,
        default_per_page=DEFAULT_PER_PAGE,
        json_url=links.api_search(req),
        timeline=chart,
        csv_url=links.export_csv(req),
        csv_hint=text("export_csv_hint", ui, limit=format_number(export_limit(), ui)),
        csv_body_url=links.export_csv(req, body=True),
        csv_body_hint=text("export_csv_body_hint", ui,
                           limit=format_number(export_limit(), ui)),
        feed_url=links.feed(req),
        unfiltered_text=text("filtered_out", ui, q=req.q,
                             count=count_releases(results.unfiltered_total, ui))
        if results.unfiltered_total else None,
        partial_notices=partial_notices(results, ui),
    )
    return (html, 400) if problems else html


FORM_FIELDS = ("q", "from", "to", "sort", "per_page")


@dataclass
class ProblemView:
    """A wrong parameter that is not a field of the form (an agency, the language, the
    page), with the agencies to use instead of an unknown one."""

    message: str
    closest: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    agency: bool = False  # about an agency: the page offers the list of them


def search_without_problems(
    index: Searcher, params: dict[str, list[str]]
) -> tuple[SearchRequest, SearchResults, list[BadParameter]]:
    """The search of `params`, each wrong parameter left out in turn, and what was wrong."""
    problems: list[BadParameter] = []
    while True:
        try:
            req = SearchRequest.from_params(params)
            return req, index.search(req), problems
        except BadParameter as error:
            remaining = without_parameter(params, error)
            if remaining == params:
                raise
            problems.append(error)
            params = remaining


def fields_of(error: BadParameter) -> tuple[str, ...]:
    """The parameters a problem is about: both dates when they are the wrong way round."""
    return ("from", "to") if error.problem == "dates_reversed" else (error.name,)


def without_parameter(
    params: dict[str, list[str]], error: BadParameter
) -> dict[str, list[str]]:
    """The parameters with the wrong one left out (only the unknown slug of several
    agencies)."""
    if isinstance(error, UnknownAgency):
        slugs = [
            ",".join(s for s in value.split(",") if s.strip().lower() != error.value)
            for value in params.get("agency", [])
        ]
        return {**params, "agency": slugs}
    return {name: values for name, values in params.items() if name not in fields_of(error)}


def invalid_fields(problems: list[BadParameter]) -> dict[str, str]:
    """Form field → the parameter whose message describes it (both dates point to the
    one message when they are the wrong way round)."""
    fields = {}
    for error in problems:
        if error.name in FORM_FIELDS:
            fields.update(dict.fromkeys(fields_of(error), error.name))
    return fields


def form_values(search: SearchRequest, problems: list[BadParameter]) -> dict[str, str]:
    """What the form's fields show: the search as understood, except that a field with a
    problem shows what was sent, to be corrected."""
    values = {
        "q": search.q,
        "from": search.date_from.isoformat() if search.date_from else "",
        "to": search.date_to.isoformat() if search.date_to else "",
    }
    for error in problems:
        for name in fields_of(error):
            if name in values:
                values[name] = (request.args.get(name) or "").strip()[:MAX_QUERY_CHARS]
    return values


def problem_view(error: BadParameter, ui: str, links: Links, search: SearchRequest) -> ProblemView:
    if not isinstance(error, UnknownAgency):
        message = f"{text('error_bad_parameter', ui, name=error.name)}: {problem_text(error, ui)}"
        return ProblemView(message)
    closest = []
    for slug in error.closest:
        label = f"{facet_label('agency', slug, ui)} ({slug})"
        closest.append((label, links.search(search.with_changes(
            agencies=(*search.agencies, slug), page=1))))
    return ProblemView(text("unknown_agency", ui, value=error.value), closest, agency=True)


@bp.get("/doc/<release_id>")
def doc(release_id: str) -> str:
    """One release: full text in paragraphs, metadata, source link, similar releases."""
    ui = ui_language()
    release = release_or_404(release_id)
    q = SearchRequest.from_params({"q": request.args.getlist("q")}).q
    matches = searcher().matcher(q) if q else None
    links = Links(ui)
    names = agency_name(release.agency)
    similar = searcher().similar(release.id, SIMILAR_COUNT)
    translations = searcher().translations(release.id)
    other_urls = [
        {"href": url if is_web_url(url) else None, "label": url_label(url) if is_web_url(url)
         else url}
        for url in release.urls
    ]
    title = release.title.strip() or "—"
    return render_template(
        "doc.html",
        **page_context(ui, text("doc_title", ui, title=title)),
        release=release,
        title=title,
        title_html=marked(title, release.lang, matches),
        q=q if matches else "",
        unmarked_href=links.doc(release.id),
        back_href=links.search(SearchRequest(q=q)) if q else links.home(),
        date=format_date(release.date, ui),
        agency=names.in_language(ui),
        agency_href=links.search(SearchRequest(agencies=(release.agency,), sort="newest")),
        lang_name=facet_label("lang", release.lang, ui),
        source_href=release.url if is_web_url(release.url) else None,
        source_is_gov=is_gov_kz(release.url),
        paragraphs=[
            marked(paragraph, release.lang, matches) for paragraph in paragraphs(release.body)
        ],
        other_urls=other_urls,
        similar=hit_views(similar, ui, links),
        versions=[version_link(t, links, t.title.strip(), q if matches else "")
                  for t in translations],
        json_url=links.api_doc(release.id),
    )
