"""The search engine: a `SearchRequest` in, `SearchResults` out.

A query is evaluated over the whole index at once (`search.evaluate`: postings read a
block at a time, combined and BM25F-scored with numpy), and filters, facet counts and
sorting run over per-document arrays (`search.columns`), so a results page costs vector
operations, not a Python step per matching document. One `Searcher` is shared by all
threads of a server: each thread keeps its own Whoosh searcher and moves to the newest
index generation by itself.

No search can hold the server (README, "Limits"): each evaluation stops after
`SEARCH_BUDGET` seconds with the matches found so far, marked partial, and costly queries
(phrases, prefixes, many words) run `COSTLY_AT_ONCE` at a time with at most
`COSTLY_WAITING` waiting, so that the other threads stay free for everyone else; one more
is refused with `SearchBusy` instead of queueing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import heapq
import math
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from whoosh import query
from whoosh.searching import Searcher as WhooshSearcher

from indexer.agencies import agency_name
from indexer.analysis import analyze, learn_forms, load_languages
from indexer.languages import en
from indexer.release import Location, Release
from indexer.storage import open_index
from search.columns import FACETS, ColumnCache, Columns
from search.evaluate import POSTINGS_CACHE_BYTES, Evaluation, Evaluator, PostingsCache
from search.query import ParsedQuery, QueryParser
from search.request import LANGS, SearchRequest, UnknownAgency
from search.results import Hit, Partial, SearchResults, Translation
from search.snippets import marked, snippet
from search.spelling import Lexicon, suggest

REFRESH_SECONDS = 0.5
SIMILAR_TERMS = 12  # the most distinctive words of a release that "similar" looks for
SCORE_DECIMALS = 5  # scores equal to this many decimals are ties, broken by date and id
EVALUATION_CACHE_BYTES = 128 * 2**20
WARM_UP_RELEASES = 2000
SEARCH_BUDGET = 0.5  # seconds one query's evaluation may take; then it stops, partial
# Six of the server's 8 threads at most for costly queries: 4 people typing phrases at the
# same moment are all answered (1 running and 2 waiting refused every 16th page of the
# benchmark's 4 clients at 10k), and 2 threads always stay for everyone else.
COSTLY_AT_ONCE = 2  # costly queries evaluated at the same time
COSTLY_WAITING = 4  # costly queries that may wait for a turn; one more is refused
COSTLY_WAIT = 4 * SEARCH_BUDGET  # the longest a costly query waits for its turn


class SearchBusy(Exception):
    """Too many costly searches at once: this one was refused, try again shortly."""


class SearchTooLong(Exception):
    """An export or feed of a search that ran out of time: a file must not silently miss
    matches (a page says it is partial; a file cannot), so it is refused instead."""


class _CostlyTurns:
    """Turns for costly evaluations: `at_once` run, `waiting` may wait `wait` seconds for
    a turn, any more are refused at once (a waiting request holds a server thread)."""

    def __init__(self, at_once: int, waiting: int, wait: float) -> None:
        self.at_once, self.waiting, self.wait = at_once, waiting, wait
        self._condition = threading.Condition()
        self._running = 0
        self._queued = 0

    def __enter__(self) -> None:
        with self._condition:
            if self._running >= self.at_once:
                if self._queued >= self.waiting:
                    raise SearchBusy
                self._queued += 1
                try:
                    if not self._condition.wait_for(
                        lambda: self._running < self.at_once, timeout=self.wait
                    ):
                        raise SearchBusy
                finally:
                    self._queued -= 1
            self._running += 1

    def __exit__(self, *_: object) -> None:
        with self._condition:
            self._running -= 1
            self._condition.notify()


class _Local(threading.local):
    searcher: WhooshSearcher | None = None
    checked: float = 0.0


class Searcher:
    """Searches one index directory; thread-safe; follows new commits of the index."""

    def __init__(self, index_dir: Path, time_budget: bool = True, processes: int = 1) -> None:
        """`time_budget`: stop each evaluation after `SEARCH_BUDGET` seconds, as a server
        must; the command line, with nobody else to serve, gives every search its time.
        `processes`: how many server processes each hold a Searcher of this index; each
        caches 1/`processes` of what one would, so that together they take the same memory."""
        self.index_dir = Path(index_dir)
        self._ix = open_index(self.index_dir)
        self._parser = QueryParser(self._ix.schema)
        self._local = _Local()
        self._columns = ColumnCache()
        self._lexicon = Lexicon()
        self._postings = PostingsCache(POSTINGS_CACHE_BYTES // processes)
        self._evaluations = _Evaluations(self._postings, time_budget,
                                         EVALUATION_CACHE_BYTES // processes)
        self._newest = -1  # the newest index generation any thread has answered from
        self._newest_lock = threading.Lock()

    # -- plumbing: a fresh Whoosh searcher per thread, columns per generation --------

    def _whoosh(self) -> WhooshSearcher:
        local = self._local
        now = time.monotonic()
        if local.searcher is None:
            local.searcher = self._ix.searcher()
            local.checked = now
        elif (
            now - local.checked > REFRESH_SECONDS
            # another thread has answered from a newer commit: never show an older one after
            or _generation(local.searcher) < self._newest
        ):
            if self._ix.latest_generation() != _generation(local.searcher):
                # A new searcher, not Whoosh's `refresh()`: that reuses the open reader of
                # every segment it already knew, with the deletions the segment had then,
                # so an updated release was still found by its old words.
                local.searcher = self._ix.searcher()
            local.checked = now  # only when checked: a busy thread must still look again
        generation = _generation(local.searcher)
        if generation > self._newest:
            with self._newest_lock:
                self._newest = max(self._newest, generation)
        return local.searcher

    def _columns_for(self, searcher: WhooshSearcher) -> Columns:
        return self._columns.for_searcher(searcher)

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
        def find(searcher: WhooshSearcher, _: Columns) -> Release | None:
            docnum = searcher.document_number(id=release_id)
            return None if docnum is None else _release(searcher.stored_fields(docnum))

        return self._retrying(find)

    def translations(self, release_id: str) -> list[Translation]:
        """The other language versions of this release's news item that are in the index
        now (none for a release without a gov.kz news number), with titles and addresses."""

        def find(searcher: WhooshSearcher, columns: Columns) -> list[Translation]:
            docnum = searcher.document_number(id=release_id)
            if docnum is None:
                return []
            versions = columns.translations(np.array([docnum]))[0]
            result = []
            for version in versions:
                fields = searcher.stored_fields(int(version))
                result.append(Translation(fields["id"], fields["lang"], fields["title"],
                                          fields.get("url")))
            return _in_language_order(result)

        return self._retrying(find)

    def similar(self, release_id: str, limit: int = 5) -> list[Hit]:
        """Releases that share the most distinctive words with this one; never its own
        translations, which share its subject but are the same news."""

        def find(searcher: WhooshSearcher, columns: Columns) -> list[Hit]:
            docnum = searcher.document_number(id=release_id)
            if docnum is None:
                return []
            fields = searcher.stored_fields(docnum)
            key_terms = _key_terms(searcher, f"{fields['title']}\n{fields['body']}",
                                   fields["lang"])
            like = query.Or([query.Term("body", term, boost=w) for term, w in key_terms])
            evaluation = Evaluator(searcher, columns, self._postings).evaluate(like)
            evaluation.mask[docnum] = False
            evaluation.mask[columns.translations(np.array([docnum]))[0]] = False
            chosen = _order(
                columns, np.flatnonzero(evaluation.mask), evaluation, "relevance", limit
            )
            return [
                _hit(searcher.stored_fields(int(d)), None, float(evaluation.score[d]),
                     _versions(columns, versions))
                for d, versions in zip(chosen, columns.translations(chosen), strict=True)
            ]

        return self._retrying(find)

    def matcher(self, q: str) -> ParsedQuery | None:
        """What the words of `q` match, to mark them in a release opened from that
        search; None when `q` holds no word."""
        parsed = self._parser.parse(q)
        if parsed is None:
            return None
        return self._retrying(lambda s, _: parsed.expanded(s.reader()))

    def count_all(self) -> int:
        return self._retrying(lambda s, c: int(c.live.sum()))

    def warm_up(self, releases: int = WARM_UP_RELEASES) -> None:
        """Load what searches need before the first one asks: the per-document arrays and
        the news items' order (for translations), the spelling term list (seconds on a
        large index), the analysis dictionaries, and the terms of the word forms of the
        newest `releases` (most forms a snippet meets)."""
        load_analysis()
        self._retrying(lambda s, c: (self._lexicon.terms(s), c.items))
        _, newest = self.ordered_releases(SearchRequest(sort="newest"), limit=releases)
        for release in newest:
            learn_forms(f"{release.title}\n{release.body}", release.lang)

    # -- the search itself ----------------------------------------------------------

    def _search(
        self,
        searcher: WhooshSearcher,
        columns: Columns,
        request: SearchRequest,
        parsed: ParsedQuery | None,
    ) -> SearchResults:
        _check_agencies(columns, request)
        evaluation = self._evaluations.get(searcher, columns, parsed)
        matched = _matched(columns, evaluation)
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
        chosen = _order(columns, docnums, evaluation, request.sort, start + request.per_page)
        marks = parsed.expanded(searcher.reader()) if parsed is not None else None
        shown = chosen[start:]
        page = [
            _hit(
                searcher.stored_fields(int(docnum)), marks,
                None if evaluation is None else float(evaluation.score[docnum]),
                _versions(columns, versions),
            )
            for docnum, versions in zip(shown, columns.translations(shown), strict=True)
        ]
        suggestion = None
        partial = _partial(evaluation)
        if parsed is not None and len(docnums) < 3 and not (partial and partial.stopped):
            # Counted within the filters: a respelling is offered only if it finds more
            # of what the user is looking at (`Dosayev` in `agency=economy` finds nothing).
            try:
                suggestion = suggest(
                    searcher, self._lexicon, self._parser, parsed, request.q,
                    lambda q: int((self._matching(searcher, q, columns) & allowed).sum()),
                )
            except SearchBusy:  # the results stand; only the suggestion waits for a quieter time
                suggestion = None
        unfiltered = None
        if parsed is not None and not len(docnums) and request.has_filters:
            unfiltered = int(matched.sum())
        return SearchResults(request, len(docnums), page, facets, suggestion, choices, partial,
                             unfiltered)

    def _matching(
        self, searcher: WhooshSearcher, parsed: ParsedQuery | None, columns: Columns
    ) -> np.ndarray:
        return _matched(columns, self._evaluations.get(searcher, columns, parsed))

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
            _check_agencies(columns, request)
            evaluation = self._evaluations.get(snapshot, columns, parsed)
            if evaluation is not None and evaluation.stopped:
                raise SearchTooLong
            matched = _matched(columns, evaluation)
            docnums = np.flatnonzero(matched & columns.mask(request))
            wanted = len(docnums) if limit is None else min(limit, len(docnums))
            chosen = _order(columns, docnums, evaluation, request.sort, wanted)
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

        def read(searcher: WhooshSearcher, columns: Columns) -> dict[str, np.ndarray]:
            _check_agencies(columns, request)
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


def load_analysis() -> None:
    """Load the analysis dictionaries every search needs, the same for any index: a
    server loads them once before it forks its workers, which then share the memory."""
    load_languages()
    en.known_forms("childr")  # the English word list that Latin prefixes expand over


def _partial(evaluation: Evaluation | None) -> Partial | None:
    if evaluation is None or not (evaluation.stopped or evaluation.cut_prefixes):
        return None
    return Partial(evaluation.stopped, SEARCH_BUDGET, evaluation.cut_prefixes)


def _matched(columns: Columns, evaluation: Evaluation | None) -> np.ndarray:
    """Which documents match (read-only): every live one when there is no query."""
    return columns.live if evaluation is None else evaluation.mask


def _check_agencies(columns: Columns, request: SearchRequest) -> None:
    """`UnknownAgency` for the first requested agency no live release has, with the
    indexed agencies closest to it by slug or by name: a typo should not look like an
    agency that published nothing."""
    values = columns.values["agency"]
    for slug in request.agencies:
        code = values.index(slug) if slug in values else -1
        if code >= 0 and columns.live[columns.codes["agency"] == code].any():
            continue
        indexed = [values[c] for c in np.unique(columns.codes["agency"][columns.live])]
        raise UnknownAgency(slug, _closest_agencies(slug, indexed))


def _closest_agencies(slug: str, indexed: list[str], limit: int = 3) -> tuple[str, ...]:
    """Indexed slugs that look like `slug` (`econmy` → `economy`), then those whose name
    holds its words (`finance` → `minfin`, "Ministry of Finance")."""
    closest = difflib.get_close_matches(slug, indexed, n=limit, cutoff=0.6)
    words = [w for w in re.split(r"[-_]", slug) if len(w) >= 3]
    for agency in indexed:
        names = agency_name(agency)
        named = f"{names.en} {names.ru}".casefold()
        if words and agency not in closest and all(w in named for w in words):
            closest.append(agency)
    return tuple(closest[:limit])


def _key_terms(searcher: WhooshSearcher, text: str, lang: str) -> list[tuple[str, float]]:
    """The SIMILAR_TERMS most distinctive terms of a text, with their weights: frequent in
    it and rare in the index, by the Bo1 model Whoosh's `key_terms_from_text` uses.

    Whoosh looks each of the text's terms up in every segment (0.15-0.3 s a release page
    at 100,000 releases); here the collection frequencies come from the largest segment
    alone, a sample big enough to tell common words from rare ones.
    """
    sample = max((leaf.reader() for leaf, _ in searcher.leaf_searchers()),
                 key=lambda reader: reader.doc_count_all())
    size = max(1, sample.doc_count_all())

    def bo1(term: str, count: int) -> float:
        rate = max(sample.frequency("body", term), 0.5) / size  # unseen: rarer than once
        return count * math.log2((1 + rate) / rate) + math.log2(1 + rate)

    scored = [(term, bo1(term, count)) for term, count in Counter(analyze(text, lang)).items()]
    return heapq.nlargest(SIMILAR_TERMS, scored, key=lambda pair: (pair[1], pair[0]))


def _generation(searcher: WhooshSearcher) -> int:
    generation = searcher.reader().generation()
    return -1 if generation is None else generation  # an empty index has none


class _Evaluations:
    """Recent query evaluations of the current generation, for the requests that repeat
    one: the next page, a facet clicked, the CSV or the feed of the same search. Filters
    and sorting are applied afterwards, so they all share one evaluation. Bounded by the
    memory the arrays take (about 5 bytes per document each)."""

    def __init__(
        self, postings: PostingsCache, time_budget: bool = True,
        max_bytes: int = EVALUATION_CACHE_BYTES,
    ) -> None:
        self.postings = postings
        self.time_budget = time_budget
        self.max_bytes = max_bytes
        self.costly = _CostlyTurns(COSTLY_AT_ONCE, COSTLY_WAITING, COSTLY_WAIT)
        self._lock = threading.Lock()
        self._cached: OrderedDict[tuple[int, str], Evaluation] = OrderedDict()

    def get(
        self, searcher: WhooshSearcher, columns: Columns, parsed: ParsedQuery | None
    ) -> Evaluation | None:
        if parsed is None:
            return None
        key = (columns.generation, repr(parsed.query))
        with self._lock:
            if key in self._cached:
                self._cached.move_to_end(key)
                return self._cached[key]
        with self.costly if parsed.costly else contextlib.nullcontext():
            budget = SEARCH_BUDGET if self.time_budget else None
            evaluation = Evaluator(searcher, columns, self.postings, budget).evaluate(parsed.query)
        evaluation.mask.flags.writeable = False  # shared between threads from now on
        evaluation.score.flags.writeable = False
        if evaluation.stopped:  # not kept: on a quieter server it may finish
            return evaluation
        entries = max(1, self.max_bytes // max(1, columns.size * 5))
        with self._lock:
            self._cached[key] = evaluation
            while len(self._cached) > entries or (
                self._cached and next(iter(self._cached))[0] != columns.generation
            ):
                self._cached.popitem(last=False)
        return evaluation


def _order(
    columns: Columns, docnums: np.ndarray, evaluation: Evaluation | None, sort: str, count: int
) -> np.ndarray:
    """The first `count` of `docnums` in the order of `sort`: relevance (score, then
    newest, then id), newest or oldest (date, then id). Only the leaders are fully sorted:
    the documents at or before the `count`-th by the first key, ties included."""
    if count <= 0 or len(docnums) == 0:
        return docnums[:0]
    dates = columns.date[docnums].astype(np.int64)
    if evaluation is not None and sort == "relevance":
        keys = [-np.round(evaluation.score[docnums].astype(np.float64), SCORE_DECIMALS), -dates]
    else:
        keys = [dates if sort == "oldest" else -dates]
    first = keys[0]
    if count < len(docnums):
        cutoff = np.partition(first, count - 1)[count - 1]
        leaders = first <= cutoff
        docnums, dates, keys = docnums[leaders], dates[leaders], [k[leaders] for k in keys]
    order = np.lexsort([columns.id_rank[docnums], *reversed(keys)])
    return docnums[order[:count]]


def _date(value: int) -> dt.date:
    return dt.date(value // 10000, value // 100 % 100, value % 100)


def _location(text: str | None) -> Location | None:
    if not text or ":" not in text:
        return None
    file, _, line = text.rpartition(":")
    return Location(file, int(line)) if line.isdigit() else None


def _in_language_order(translations: list[Translation]) -> list[Translation]:
    rank = {lang: number for number, lang in enumerate(LANGS)}
    return sorted(translations, key=lambda t: (rank.get(t.lang, len(rank)), t.id))


def _versions(columns: Columns, docnums: np.ndarray) -> tuple[Translation, ...]:
    """The other versions of a hit, by id and language alone (read from the columns)."""
    found = [Translation(str(columns.ids[d]), columns.lang_of(int(d))) for d in docnums]
    return tuple(_in_language_order(found))


def _hit(
    fields: dict, parsed: ParsedQuery | None, score: float | None,
    translations: tuple[Translation, ...] = (),
) -> Hit:
    return Hit(
        id=fields["id"],
        title=fields["title"],
        date=_date(fields["date"]),
        agency=fields["agency"],
        lang=fields["lang"],
        url=fields.get("url"),
        snippet=snippet(fields.get("body") or fields["title"], fields["lang"], parsed),
        score=score,
        translations=translations,
        title_html=marked(fields["title"], fields["lang"], parsed),
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
        incomplete=bool(fields.get("incomplete")),
    )

