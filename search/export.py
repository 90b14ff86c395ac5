"""Whole result sets rather than pages: exports, feeds, the timeline, the agency overview.

Researchers want every release a search finds (a CSV, a feed, a chart of when they were
published), not the 20 on a page. These functions read them from the `Searcher` in the
order its pages show, or count them without reading a single release; the web layer and
the CLI only format what they return.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from indexer.release import Release
from search.request import LANGS, SearchRequest
from search.results import FacetValue

FEED_SIZE = 50  # entries in an Atom feed: the newest matches
DAY_SPAN = 62  # matches within this many days are charted per day, otherwise per month
# At most this many bars in one timeline (20 years of months): a longer span is charted per
# year, or per run of years. An index built before dates were checked may hold 01.01.0001
# and 31.12.9999, which drew ~120,000 monthly bars (2–3 s per page).
MAX_BARS = 240


class BulkSearcher(Protocol):
    """What these functions need of a `search.searcher.Searcher` (tests pass stand-ins)."""

    def ordered_releases(
        self, request: SearchRequest, limit: int | None = None
    ) -> tuple[int, Iterator[Release]]: ...

    def matching_values(self, request: SearchRequest) -> dict[str, np.ndarray]: ...


def iter_releases(
    searcher: BulkSearcher, request: SearchRequest, limit: int | None = None
) -> tuple[int, Iterator[Release]]:
    """How many releases `request` matches, and the first `limit` of them (all with None)
    in its sort order — relevance, newest or oldest — read lazily, page by page never."""
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    return searcher.ordered_releases(request, limit)


def feed_releases(searcher: BulkSearcher, request: SearchRequest) -> tuple[int, list[Release]]:
    """The newest `FEED_SIZE` matches, whatever order the search itself asks for: a feed
    reader wants what is new."""
    total, releases = iter_releases(searcher, request.with_changes(sort="newest"), FEED_SIZE)
    return total, list(releases)


# -- the timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One period of the timeline; `start`/`end` are inclusive and lie within the
    request's own date filter, so narrowing to a bar never widens the search."""

    start: dt.date
    end: dt.date
    label: str  # "2025-03" or "2025-03-04": the period as the month facet names it;
    # "2025" or "2000–2041" for a year or a run of years
    count: int


@dataclass(frozen=True)
class Timeline:
    granularity: str  # "year" (one year or a run of years), "month" or "day"
    bars: list[Bar] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def peak(self) -> int:
        return max((bar.count for bar in self.bars), default=0)


def timeline(
    searcher: BulkSearcher,
    request: SearchRequest,
    months: Sequence[FacetValue] | None = None,
) -> Timeline:
    """Matching releases per month, or per day when they span at most `DAY_SPAN` days,
    every period from the first match to the last (empty ones count 0).

    `months`, the month facet of the same search, saves reading the dates when the
    months alone prove the span too long for days (a results page has them anyway).
    """
    counted = [m for m in months or () if m.count and len(m.value) == 7]
    if counted:
        indexes = sorted(_month_index(m.value) for m in counted)
        if indexes[-1] - indexes[0] >= 4:  # 4 months apart or more: over 62 days
            by_month = {_month_index(m.value): m.count for m in counted}
            return _by_month(by_month, request)
    dates = searcher.matching_values(request)["date"]
    dates = dates[~np.isnat(dates)]
    if not len(dates):
        return Timeline("day")
    first, last = dates.min(), dates.max()
    if int((last - first) // np.timedelta64(1, "D")) + 1 <= DAY_SPAN:
        days, counts = np.unique(dates, return_counts=True)
        by_day = dict(zip(days.tolist(), counts.tolist(), strict=True))
        start = first.astype(dt.date)
        bars = []
        for offset in range(int((last - first) // np.timedelta64(1, "D")) + 1):
            day = start + dt.timedelta(days=offset)
            bars.append(Bar(day, day, day.isoformat(), by_day.get(day, 0)))
        return Timeline("day", bars)
    month_numbers = dates.astype("datetime64[M]").astype(np.int64)
    values, counts = np.unique(month_numbers, return_counts=True)
    return _by_month(dict(zip(values.tolist(), counts.tolist(), strict=True)), request)


def _month_index(value: str) -> int:
    """"YYYY-MM" → months since January 1970 (numpy's datetime64[M] numbering)."""
    year, month = value.split("-")
    return (int(year) - 1970) * 12 + int(month) - 1


def _by_month(counts: dict[int, int], request: SearchRequest) -> Timeline:
    if max(counts) - min(counts) + 1 > MAX_BARS:
        return _by_years(counts, request)
    bars = []
    for index in range(min(counts), max(counts) + 1):
        year, month = 1970 + index // 12, index % 12 + 1
        start, end = request.clip(dt.date(year, month, 1),
                                  dt.date(year, month, calendar.monthrange(year, month)[1]))
        bars.append(Bar(start, end, f"{year:04d}-{month:02d}", counts.get(index, 0)))
    return Timeline("month", bars)


def _by_years(counts: dict[int, int], request: SearchRequest) -> Timeline:
    """Per year, or per run of `step` years so that there are at most `MAX_BARS` bars."""
    by_year: dict[int, int] = {}
    for index, count in counts.items():
        by_year[1970 + index // 12] = by_year.get(1970 + index // 12, 0) + count
    first, last = min(by_year), max(by_year)
    step = -(-(last - first + 1) // MAX_BARS)
    bars = []
    for year in range(first, last + 1, step):
        final = min(year + step - 1, last)
        start, end = request.clip(dt.date(year, 1, 1), dt.date(final, 12, 31))
        label = f"{year:04d}" if step == 1 else f"{year:04d}–{final:04d}"
        count = sum(by_year.get(y, 0) for y in range(year, final + 1))
        bars.append(Bar(start, end, label, count))
    return Timeline("year", bars)


# -- the agency overview -------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySummary:
    agency: str
    count: int
    by_lang: dict[str, int]  # every language of `LANGS`, zero included
    latest: dt.date | None


def agency_overview(
    searcher: BulkSearcher, request: SearchRequest | None = None
) -> list[AgencySummary]:
    """Every agency with releases, with its counts by language and its latest release,
    most releases first (ties by slug); with a request, counted within its matches."""
    values = searcher.matching_values(request or SearchRequest())
    if not len(values["agency"]):
        return []
    agencies, agency_codes = np.unique(values["agency"].astype(str), return_inverse=True)
    langs, lang_codes = np.unique(values["lang"].astype(str), return_inverse=True)
    counts = np.bincount(agency_codes * len(langs) + lang_codes,
                         minlength=len(agencies) * len(langs)).reshape(len(agencies), len(langs))
    dates = values["date"]
    known = ~np.isnat(dates)
    latest = np.full(len(agencies), np.iinfo(np.int64).min)
    np.maximum.at(latest, agency_codes[known], dates[known].astype(np.int64))
    summaries = []
    for row, agency in enumerate(agencies.tolist()):
        by_lang = dict.fromkeys(LANGS, 0)
        by_lang.update({lang: int(n) for lang, n in zip(langs.tolist(), counts[row], strict=True)
                        if n or lang in LANGS})
        day = int(latest[row])
        newest = None if day == np.iinfo(np.int64).min else dt.date(1970, 1, 1) + dt.timedelta(day)
        summaries.append(AgencySummary(agency, int(counts[row].sum()), by_lang, newest))
    return sorted(summaries, key=lambda s: (-s.count, s.agency))
