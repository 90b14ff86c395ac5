"""A search as a user states it: the same parameters in a URL, the API and the CLI.

`SearchRequest.from_params` is the one place that validates them, so a bookmark, an API
call and a command line mean the same search and get the same error for the same mistake.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

SORTS = ("relevance", "newest", "oldest")
LANGS = ("ru", "en", "kk")
MAX_QUERY_CHARS = 500
MAX_PAGE = 500
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
MAX_AGENCIES = 50
EXPORT_LIMIT = 10_000  # releases in one web download (`/search.csv`); the CLI has none
_AGENCY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


PROBLEMS = {
    "repeated": "give it once",
    "choice": "must be one of {choices}",
    "dates_reversed": "the start date is after the end date (`to`)",
    "agency_slug": "not an agency slug: {value!r}",
    "too_many_agencies": "at most {limit} agencies at once",
    "date_format": "expected a date as YYYY-MM-DD, got {value!r}",
    "no_such_date": "no such date: {value}",
    "number": "expected a whole number from {low} to {high}",
    "unknown_agency": "no agency {value!r} is indexed; the closest: {closest}",
    "unknown_agency_far": "no agency {value!r} is indexed (`govpress stats` and /agencies "
                          "list those that are)",
    "too_many_phrases": "at most {limit} phrases in one query, this one has {count}",
    "too_many_prefixes": "at most {limit} prefixes (word*) in one query, this one has {count}",
    "too_many_words": "at most {limit} different words in one query, this one has {count}",
    "too_many_expansions": "the prefixes (word*) of this query search {count} words of the "
                           "index, at most {limit} in all: make them longer or use fewer",
}
"""What can be wrong with a parameter, in English (the web pages also say it in Russian)."""


class BadParameter(ValueError):
    """A parameter a user got wrong: `name` is the parameter, `problem` (a key of PROBLEMS,
    filled in with `details`) says why."""

    def __init__(self, name: str, problem: str, **details: object) -> None:
        self.name = name
        self.problem = problem
        self.details = details
        self.message = PROBLEMS[problem].format(**details)
        super().__init__(f"{name}: {self.message}")


class UnknownAgency(BadParameter):
    """An agency slug of the right form that no indexed release has (a typo, most often);
    `closest` are indexed slugs like it, best first."""

    def __init__(self, value: str, closest: tuple[str, ...]) -> None:
        if closest:
            super().__init__("agency", "unknown_agency", value=value, closest=", ".join(closest))
        else:
            super().__init__("agency", "unknown_agency_far", value=value)
        self.value = value
        self.closest = closest


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    agencies: tuple[str, ...] = field(default_factory=tuple)
    lang: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_params(cls, params: Mapping[str, list[str]]) -> SearchRequest:
        """Validate parameters given as name → list of values (as a query string has them)."""

        def one(name: str) -> str:
            values = [v for v in params.get(name, []) if v.strip()]
            if len(values) > 1:
                raise BadParameter(name, "repeated")
            return values[0].strip() if values else ""

        q = cut_query(" ".join(one("q").split()))
        agencies = _agencies(params.get("agency", []))
        lang = one("lang") or None
        if lang is not None and lang not in LANGS:
            raise BadParameter("lang", "choice", choices=", ".join(LANGS))
        date_from = _date("from", one("from"))
        date_to = _date("to", one("to"))
        if date_from and date_to and date_from > date_to:
            raise BadParameter("from", "dates_reversed")
        sort = one("sort") or "relevance"
        if sort not in SORTS:
            raise BadParameter("sort", "choice", choices=", ".join(SORTS))
        page = _integer("page", one("page"), 1, 1, MAX_PAGE)
        per_page = _integer("per_page", one("per_page"), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        return cls(q, agencies, lang, date_from, date_to, sort, page, per_page)

    def with_changes(self, **changes: object) -> SearchRequest:
        return replace(self, **changes)

    def clip(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
        """A period narrowed to this search's own dates, so that a link to it (a timeline
        bar, a month facet) narrows the search and never widens it."""
        if self.date_from and self.date_from > start:
            start = self.date_from
        if self.date_to and self.date_to < end:
            end = self.date_to
        return start, end

    @property
    def is_browse(self) -> bool:
        """No words to search: list what the filters select, newest first."""
        return not self.q.strip()

    @property
    def has_filters(self) -> bool:
        return bool(self.agencies or self.lang or self.date_from or self.date_to)

    @property
    def effective_sort(self) -> str:
        """The order results are really in: with no words there is no relevance, so the
        default lists the newest first."""
        return "newest" if self.is_browse and self.sort == "relevance" else self.sort

    def to_params(self) -> list[tuple[str, str]]:
        """The canonical URL parameters (defaults left out), for links and bookmarks."""
        params: list[tuple[str, str]] = []
        if self.q:
            params.append(("q", self.q))
        params.extend(("agency", agency) for agency in self.agencies)
        if self.lang:
            params.append(("lang", self.lang))
        if self.date_from:
            params.append(("from", self.date_from.isoformat()))
        if self.date_to:
            params.append(("to", self.date_to.isoformat()))
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        if self.page != 1:
            params.append(("page", str(self.page)))
        if self.per_page != DEFAULT_PER_PAGE:
            params.append(("per_page", str(self.per_page)))
        return params

    def as_json(self) -> dict:
        """The `query` object of `/api/search`: the parameters as understood."""
        return {
            "q": self.q,
            "agency": list(self.agencies),
            "lang": self.lang,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sort": self.effective_sort,
            "page": self.page,
            "per_page": self.per_page,
        }


def cut_query(q: str) -> str:
    """`q` cut to at most `MAX_QUERY_CHARS`, between words where it has spaces: a word cut
    in two would be a word that must match and matches nothing."""
    if len(q) <= MAX_QUERY_CHARS:
        return q
    space = q.rfind(" ", 0, MAX_QUERY_CHARS + 1)
    return q[:space].rstrip() if space > 0 else q[:MAX_QUERY_CHARS]


def _agencies(values: Iterable[str]) -> tuple[str, ...]:
    agencies: list[str] = []
    for value in values:
        for slug in value.split(","):
            slug = slug.strip().lower()
            if not slug:
                continue
            if not _AGENCY.match(slug):
                raise BadParameter("agency", "agency_slug", value=slug[:40])
            if slug not in agencies:
                agencies.append(slug)
    if len(agencies) > MAX_AGENCIES:
        raise BadParameter("agency", "too_many_agencies", limit=MAX_AGENCIES)
    return tuple(agencies)


def _date(name: str, value: str) -> dt.date | None:
    if not value:
        return None
    if not _DATE.match(value):
        raise BadParameter(name, "date_format", value=value[:40])
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(name, "no_such_date", value=value) from None


def _integer(name: str, value: str, default: int, low: int, high: int) -> int:
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise BadParameter(name, "number", low=low, high=high)
    number = int(value)
    if not low <= number <= high:
        raise BadParameter(name, "number", low=low, high=high)
    return number
