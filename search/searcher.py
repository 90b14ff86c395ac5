"""The search engine: a `SearchRequest` in, `SearchResults` out.

Filters, facet counts and date sorting run over per-document arrays (agency, language,
date) read once per index generation, so they cost microseconds per document instead of
a Whoosh query each; Whoosh finds and scores the matching documents. One `Searcher` is
shared by all threads of a server: each thread keeps its own Whoosh searcher and moves to
the newest index generation by itself.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import query
from whoosh.searching import Searcher as WhooshSearcher

from indexer.agencies import agency_name
from indexer.release import Location, Release
from indexer.storage import open_index
from search.query import ParsedQuery, QueryParser
from search.request import SearchRequest
from search.results import FacetValue, Hit, SearchResults
from search.snippets import snippet
from search.spelling import suggest

REFRESH_SECONDS = 0.5
FACETS = ("agency", "lang", "month")


@dataclass
class _Columns:
    """Per-document values of one index generation, indexed by Whoosh docnum."""

    generation: int
    live: np.ndarray  # bool: not deleted
    date: np.ndarray  # int32 YYYYMMDD
    codes: dict[str, np.ndarray]  # facet → int32 code per doc
    values: dict[str, list[str]]  # facet → value per code
    id_rank: np.ndarray  # int32 rank of the id in sorted order (deterministic ties)

    @classmethod
    def read(cls, searcher: WhooshSearcher) -> _Columns:
        reader = searcher.reader()
        size = reader.doc_count_all()
        if size == 0:  # an empty index has no columns at all
            empty = np.zeros(0, dtype=np.int32)
            return cls(reader.generation(), np.zeros(0, dtype=bool), empty,
                       dict.fromkeys(FACETS, empty), {f: [] for f in FACETS}, empty)
        live = np.zeros(size, dtype=bool)
        live[list(reader.all_doc_ids())] = True
        date = np.fromiter(
            (v or 0 for v in reader.column_reader("date")), dtype=np.int32, count=size
        )
        codes, values = {}, {}
        for facet in FACETS:
            column = list(reader.column_reader(facet))
            uniques = sorted(set(column))
            lookup = {value: code for code, value in enumerate(uniques)}
            codes[facet] = np.fromiter((lookup[v] for v in column), dtype=np.int32, count=size)
            values[facet] = uniques
        ids = list(reader.column_reader("id"))
        id_rank = np.empty(size, dtype=np.int32)
        id_rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(size)
        return cls(reader.generation(), live, date, codes, values, id_rank)

    def mask(self, request: SearchRequest, *, without: str | None = None) -> np.ndarray:
        """Documents the request's filters allow (leaving out one facet's own filter)."""
        mask = self.live.copy()
        if request.agencies and without != "agency":
            mask &= self._selected("agency", request.agencies)
        if request.lang and without != "lang":
            mask &= self._selected("lang", (request.lang,))
        if request.date_from:
            mask &= self.date >= int(request.date_from.strftime("%Y%m%d"))
        if request.date_to:
            mask &= self.date <= int(request.date_to.strftime("%Y%m%d"))
        return mask

    def _selected(self, facet: str, wanted: tuple[str, ...]) -> np.ndarray:
        values = self.values[facet]
        codes = [values.index(v) for v in wanted if v in values]
        return np.isin(self.codes[facet], codes)

    def counts(self, facet: str, docnums: np.ndarray) -> list[FacetValue]:
        counts = np.bincount(self.codes[facet][docnums], minlength=len(self.values[facet]))
        found = [
            FacetValue(self.values[facet][code], int(n))
            for code, n in enumerate(counts)
            if n and self.values[facet][code]
        ]
        if facet == "month":
            return sorted(found, key=lambda v: v.value, reverse=True)
        return sorted(found, key=lambda v: (-v.count, v.value))


class _Local(threading.local):
    searcher: WhooshSearcher | None = None
    checked: float = 0.0


class Searcher:
    """Searches one index directory; thread-safe; follows new commits of the index."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._ix = open_index(self.index_dir)
        self._parser = QueryParser(self._ix.schema)
        self._local = _Local()
        self._columns: _Columns | None = None
        self._columns_lock = threading.Lock()

    # -- plumbing: a fresh Whoosh searcher per thread, columns per generation --------

    def _whoosh(self) -> WhooshSearcher:
        local = self._local
        now = time.monotonic()
        if local.searcher is None:
            local.searcher = self._ix.searcher()
        elif now - local.checked > REFRESH_SECONDS:
            try:
                local.searcher = local.searcher.refresh()
            except OSError:  # a merge by another process deleted a segment: reopen
                local.searcher = self._ix.searcher()
        local.checked = now
        return local.searcher

    def _columns_for(self, searcher: WhooshSearcher) -> _Columns:
        generation = searcher.reader().generation()
        columns = self._columns
        if columns is None or columns.generation != generation:
            with self._columns_lock:
                columns = self._columns
                if columns is None or columns.generation != generation:
                    columns = _Columns.read(searcher)
                    self._columns = columns
        return columns

    def _retrying(self, work):
        """Run `work(searcher, columns)`, once more on a fresh searcher if files vanished."""
        try:
            searcher = self._whoosh()
            return work(searcher, self._columns_for(searcher))
        except OSError:
            self._local.searcher = self._ix.searcher()
            searcher = self._local.searcher
            return work(searcher, self._columns_for(searcher))

    # -- public API ---------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        parsed = self._parser.parse(request.q)
        return self._retrying(lambda s, c: self._search(s, c, request, parsed))

    def document(self, release_id: str) -> Release | None:
        def find(searcher: WhooshSearcher, _: _Columns) -> Release | None:
            docnum = searcher.document_number(id=release_id)
            return None if docnum is None else _release(searcher.stored_fields(docnum))

        return self._retrying(find)

    def similar(self, release_id: str, limit: int = 5) -> list[Hit]:
        """Releases that share the most distinctive words with this one."""

        def find(searcher: WhooshSearcher, _: _Columns) -> list[Hit]:
            docnum = searcher.document_number(id=release_id)
            if docnum is None:
                return []
            fields = searcher.stored_fields(docnum)
            results = searcher.more_like(
                docnum, "body", text=f"{fields['title']}\n{fields['body']}",
                top=limit, numterms=12,
            )
            return [_hit(hit.fields(), None, hit.score) for hit in results]

        return self._retrying(find)

    def count_all(self) -> int:
        return self._retrying(lambda s, c: int(c.live.sum()))

    # -- the search itself ----------------------------------------------------------

    def _search(
        self,
        searcher: WhooshSearcher,
        columns: _Columns,
        request: SearchRequest,
        parsed: ParsedQuery | None,
    ) -> SearchResults:
        matched = self._matching(searcher, parsed, columns)
        allowed = columns.mask(request)
        docnums = np.flatnonzero(matched & allowed)
        facets = {facet: columns.counts(facet, docnums) for facet in FACETS}
        choices = {
            facet: columns.counts(
                facet, np.flatnonzero(matched & columns.mask(request, without=facet))
            )
            for facet in ("agency", "lang")
        }
        start = (request.page - 1) * request.per_page
        marks = parsed.expanded(searcher.reader()) if parsed is not None else None
        if marks is not None and request.sort == "relevance":
            page = self._by_relevance(searcher, columns, marks, docnums, start, request)
        else:
            page = self._by_date(searcher, columns, marks, docnums, start, request)
        suggestion = None
        if parsed is not None and len(docnums) < 3:
            # Counted within the filters: a respelling is offered only if it finds more
            # of what the user is looking at (`Dosayev` in `agency=economy` finds nothing).
            suggestion = suggest(
                searcher, self._parser, parsed, request.q,
                lambda q: int((self._matching(searcher, q, columns) & allowed).sum()),
            )
        return SearchResults(request, len(docnums), page, facets, suggestion, choices)

    def _matching(
        self, searcher: WhooshSearcher, parsed: ParsedQuery | None, columns: _Columns
    ) -> np.ndarray:
        matched = np.zeros(len(columns.live), dtype=bool)
        if parsed is None:
            matched[:] = True
            return matched
        matched[np.fromiter(_matching_docnums(searcher, parsed.query), dtype=np.int64)] = True
        return matched

    def _by_relevance(self, searcher, columns, parsed, docnums, start, request) -> list[Hit]:
        if start >= len(docnums):
            return []
        allowed = set(docnums.tolist())
        wanted = start + request.per_page
        limit = wanted
        while True:
            # Whoosh cuts its top `limit` among equal scores by its own (docnum) order; the
            # order here breaks ties by date and id, so every document tied with the last
            # one wanted must be fetched, or pages would overlap and skip releases.
            results = searcher.search(parsed.query, limit=limit, filter=allowed)
            scored = [(round(hit.score, 6), hit.docnum) for hit in results]
            if len(scored) < limit or scored[-1][0] < scored[wanted - 1][0]:
                break
            limit *= 2
        scored.sort(key=lambda p: (-p[0], -columns.date[p[1]], columns.id_rank[p[1]]))
        return [
            _hit(searcher.stored_fields(docnum), parsed, score)
            for score, docnum in scored[start : start + request.per_page]
        ]

    def _by_date(self, searcher, columns, parsed, docnums, start, request) -> list[Hit]:
        newest_first = request.sort != "oldest"
        dates = columns.date[docnums].astype(np.int64)
        order = np.lexsort((columns.id_rank[docnums], -dates if newest_first else dates))
        chosen = docnums[order[start : start + request.per_page]]
        return [_hit(searcher.stored_fields(int(d)), parsed, None) for d in chosen]

    # -- every match at once: exports, feeds, timelines, overviews (search/export.py) --

    def ordered_releases(
        self, request: SearchRequest, limit: int | None = None
    ) -> tuple[int, Iterator[Release]]:
        """Every release `request` matches (the first `limit`) in the order its pages show
        them, and how many match; `page` and `per_page` are ignored.

        Ranked at once, then read lazily from one snapshot of the index, so a long export
        stays consistent when a commit lands mid-way; exhaust or close the iterator.
        """
        parsed = self._parser.parse(request.q)
        snapshot = self._ix.searcher()
        try:
            columns = self._columns_for(snapshot)
            matched = self._matching(snapshot, parsed, columns) & columns.mask(request)
            docnums = np.flatnonzero(matched)
            dates = columns.date[docnums].astype(np.int64)
            keys = [columns.id_rank[docnums], dates if request.sort == "oldest" else -dates]
            if parsed is not None and request.sort == "relevance":
                # The order of `_by_relevance`: score (rounded as there), newest, id.
                scores = np.zeros(len(columns.live))
                results = snapshot.search(parsed.query, limit=None, filter=set(docnums.tolist()))
                for docnum, score in results.items():
                    scores[docnum] = round(score, 6)
                keys.append(-scores[docnums])
            chosen = docnums[np.lexsort(keys)[:limit]]
        except BaseException:
            snapshot.close()
            raise

        def read() -> Iterator[Release]:
            try:
                for docnum in chosen:
                    yield _release(snapshot.stored_fields(int(docnum)))
            finally:
                snapshot.close()

        return len(docnums), read()

    def matching_values(self, request: SearchRequest) -> dict[str, np.ndarray]:
        """`date` (datetime64[D]), `agency` and `lang` (str) of every release `request`
        matches, unordered: what timelines and overviews count, without reading releases."""
        parsed = self._parser.parse(request.q)

        def read(searcher: WhooshSearcher, columns: _Columns) -> dict[str, np.ndarray]:
            docnums = np.flatnonzero(self._matching(searcher, parsed, columns)
                                     & columns.mask(request))
            raw = columns.date[docnums].astype(np.int64)
            months = (raw // 10000 - 1970) * 12 + raw // 100 % 100 - 1
            days = months.astype("datetime64[M]").astype("datetime64[D]") + (raw % 100 - 1)
            values = {"date": np.where(raw > 0, days, np.datetime64("NaT"))}
            for facet in ("agency", "lang"):
                names = np.array(columns.values[facet], dtype=object)
                values[facet] = names[columns.codes[facet][docnums]]
            return values

        return self._retrying(read)


def _matching_docnums(searcher: WhooshSearcher, q: query.Query) -> Iterator[int]:
    """Every document `q` matches, segment by segment.

    Not `Query.docs()`: its `all_ids()` replaces matchers as it goes, and that drops the
    NOT side of an AND NOT over a phrase (whoosh-reloaded 2.7.5).
    """
    for leaf, offset in searcher.leaf_searchers():
        matcher = q.matcher(leaf, leaf.boolean_context())
        while matcher.is_active():
            yield offset + matcher.id()
            matcher.next()


def _date(value: int) -> dt.date:
    return dt.date(value // 10000, value // 100 % 100, value % 100)


def _location(text: str | None) -> Location | None:
    if not text or ":" not in text:
        return None
    file, _, line = text.rpartition(":")
    return Location(file, int(line)) if line.isdigit() else None


def _hit(fields: dict, parsed: ParsedQuery | None, score: float | None) -> Hit:
    return Hit(
        id=fields["id"],
        title=fields["title"],
        date=_date(fields["date"]),
        agency=fields["agency"],
        lang=fields["lang"],
        url=fields.get("url"),
        snippet=snippet(fields.get("body") or fields["title"], parsed.matches if parsed else None),
        score=score,
    )


def _release(fields: dict) -> Release:
    names = agency_name(fields["agency"])
    return Release(
        id=fields["id"],
        title=fields["title"],
        body=fields.get("body") or "",
        date=_date(fields["date"]),
        agency=fields["agency"],
        agency_name_ru=names.ru,
        agency_name_en=names.en,
        lang=fields["lang"],
        url=fields.get("url"),
        urls=tuple(fields.get("urls") or ()),
        category=fields.get("category") or None,
        where=_location(fields.get("where")),
    )

