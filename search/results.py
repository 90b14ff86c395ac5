"""What a search returns: plain data that the CLI, the JSON API and the pages render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.agencies import AgencyName, agency_name
from indexer.release import Release
from search.labels import format_month, language_name
from search.request import SearchRequest


def facet_label(facet: str, value: str, ui: str = "ru") -> str:
    """How a facet value reads in the interface language (`ui` never changes counts)."""
    if facet == "agency":
        return agency_name(value).in_language(ui)
    if facet == "lang":
        return language_name(value, ui)
    if facet == "month":
        year, _, month = value.partition("-")
        if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
            return format_month(int(year), int(month), ui)
    return value


@dataclass(frozen=True)
class Translation:
    """Another language version of the same gov.kz news item that the index holds."""

    id: str
    lang: str
    title: str = ""  # filled in for a release page, left empty for results
    url: str | None = None

    def as_json(self) -> dict:
        """`{"id", "lang", "title", "url"}`, as `/api/doc/<id>` lists it."""
        return {"id": self.id, "lang": self.lang, "title": self.title, "url": self.url}


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    date: dt.date
    agency: str
    lang: str
    url: str | None
    snippet: str  # HTML: release text escaped, matched words in <mark>
    score: float | None
    translations: tuple[Translation, ...] = ()
    title_html: str = ""  # HTML: the title escaped, matched words in <mark> (pages only)

    @property
    def agency_names(self) -> AgencyName:
        return agency_name(self.agency)

    def as_json(self, ui: str = "ru") -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat(),
            "agency": self.agency,
            "agency_name": self.agency_names.in_language(ui),
            "lang": self.lang,
            "url": self.url,
            "snippet": self.snippet,
            "score": None if self.score is None else round(self.score, 4),
            "translations": [{"id": t.id, "lang": t.lang} for t in self.translations],
        }


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class CutPrefix:
    """A prefix that matched more terms than one may search: its most frequent were."""

    prefix: str
    terms: int
    searched: int


@dataclass(frozen=True)
class Partial:
    """Why results may miss matches: the time budget ran out, or prefixes were cut."""

    stopped: bool
    budget: float  # seconds a search may take
    prefixes: tuple[CutPrefix, ...] = ()

    def as_json(self) -> dict:
        return {
            "stopped": self.stopped,
            "budget_seconds": self.budget,
            "prefixes": [{"prefix": f"{c.prefix}*", "terms": c.terms, "searched": c.searched}
                         for c in self.prefixes],
        }


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    # Facet counts with that facet's own filter left out: the values a user can add
    # to the selection (a second agency), which the filtered `facets` no longer show.
    choices: dict[str, list[FacetValue]] = field(default_factory=dict)
    partial: Partial | None = None  # None: every match was found
    # When the filters leave nothing: how many releases the query matches without them.
    unfiltered_total: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    def as_json(self, ui: str = "ru") -> dict:
        """Exactly the object `/api/search` returns (DESIGN.md)."""
        return {
            "query": self.request.as_json(),
            "total": self.total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "hits": [hit.as_json(ui) for hit in self.hits],
            "facets": {
                name: [
                    {"value": v.value, "label": facet_label(name, v.value, ui), "count": v.count}
                    for v in values
                ]
                for name, values in self.facets.items()
            },
            "suggestion": self.suggestion,
            "partial": None if self.partial is None else self.partial.as_json(),
        }


def release_as_json(
    release: Release, ui: str = "ru", translations: Iterable[Translation] = ()
) -> dict:
    """Exactly the object `/api/doc/<id>` returns (without `similar`)."""
    names = agency_name(release.agency)
    return {
        "id": release.id,
        "title": release.title,
        "body": release.body,
        "date": release.date.isoformat(),
        "agency": release.agency,
        "agency_name": names.in_language(ui),
        "agency_names": {"kk": names.kk, "ru": names.ru, "en": names.en},
        "lang": release.lang,
        "url": release.url,
        "urls": list(release.urls),
        "category": release.category,
        "source": release.where.public if release.where else None,
        "incomplete": release.incomplete,
        "translations": [translation.as_json() for translation in translations],
    }
