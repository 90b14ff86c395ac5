"""Evaluate a parsed query over the whole index at once: which documents match, and their
BM25F scores, as numpy arrays indexed by docnum.

A results page needs every match (for the total and the facets), not just the best 20,
so instead of Whoosh's one-document-at-a-time matchers, postings are read a block at a
time (ids and term frequencies) and combined with vector operations: AND is `&`, OR is
`|`, scores add up. Only phrases need positions; their candidates (documents with every
word) are checked by Whoosh's own phrase matcher.

Cost is bounded (README, "Limits"): a prefix searches its `MAX_PREFIX_TERMS` most frequent
terms, a query's prefixes `MAX_EXPANSIONS` in all (more is a `BadParameter` naming `q`),
and an evaluation given a budget stops when it runs out: what was not evaluated by then
matches nothing (under NOT: excludes everything), so a stopped evaluation finds a subset
of the true matches, and says so.
"""

from __future__ import annotations

import math
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from whoosh import query
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher as WhooshSearcher
from whoosh.system import _INT_SIZE

from indexer.codec import leaf_matcher
from search.columns import Columns, segment_id
from search.request import BadParameter
from search.results import CutPrefix

K1 = 1.2
B = 0.75
MAX_PREFIX_TERMS = 100  # a prefix matching more terms searches its most frequent ones
MAX_EXPANSIONS = 300  # terms all the prefixes of one query may search; more is a 400
POSTINGS_CACHE_BYTES = 64 * 2**20
ENTRY_BYTES = 200  # what a cached term costs besides its arrays
YIELD_EVERY = 0.001  # seconds of evaluation between two chances for other threads


@dataclass
class Evaluation:
    mask: np.ndarray  # bool per docnum: matches
    score: np.ndarray  # float32 per docnum: relevance (0 where nothing scored)
    stopped: bool = False  # the budget ran out: `mask` is a subset of the true matches
    cut_prefixes: tuple[CutPrefix, ...] = ()  # prefixes that searched only some terms


class _OutOfTime(Exception):
    """The evaluation's budget ran out (caught inside the evaluator, never escapes it)."""


def _postings(reader, field: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
    """Docnums and term frequencies of a term in one segment: `ArrayCodec` arrays as they
    are on disk, or W3's blocks (an index written before it) unpickled one by one."""
    matcher = reader.postings(field, text)
    arrays = leaf_matcher(matcher)
    if arrays is not None:  # deletions: the live mask removes them
        return arrays.arrays()
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int64))
        weights.append(np.asarray(matcher._weights, dtype=np.float32))
        matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def _positions(
    reader, field: str, text: str, wanted: np.ndarray, check: Callable[[], None]
) -> tuple[np.ndarray, np.ndarray]:
    """Every position of a term in the `wanted` documents (segment docnums, sorted), as
    two arrays of equal length: the document and the word position. `check` is called
    every block of an old index (it raises when the evaluation's time is up)."""
    matcher = reader.postings(field, text)
    arrays = leaf_matcher(matcher)
    if arrays is not None:
        ids, _ = arrays.arrays()
        counts, positions = arrays.positions()
        hit = np.isin(ids, wanted, assume_unique=True)
        return (np.repeat(ids[hit].astype(np.int64), counts[hit]),
                positions[np.repeat(hit, counts)].astype(np.int64))
    return _w3_positions(matcher, wanted, check)


def _w3_positions(
    matcher, wanted: np.ndarray, check: Callable[[], None]
) -> tuple[np.ndarray, np.ndarray]:
    """`_positions` in a segment written by W3: pickled deltas, decoded per candidate."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    docs: list[int] = []
    counts: list[int] = []
    found: list[int] = []
    while matcher.is_active():
        matcher._read_ids()
        ids = np.asarray(matcher._ids, dtype=np.int64)
        hits = np.flatnonzero(np.isin(ids, wanted, assume_unique=True))
        if len(hits):
            matcher._read_values()
            for i in hits.tolist():
                positions = _w3_decode(matcher._values[i])
                docs.append(int(ids[i]))
                counts.append(len(positions))
                found.extend(positions)
        check()
        matcher._next_block()
    return np.repeat(np.array(docs, dtype=np.int64), counts), np.array(found, dtype=np.int64)


def _w3_decode(value: bytes) -> list[int]:
    """Whoosh's `Positions.decode_positions`, with the running sum done in C."""
    deltas = pickle.loads(value[_INT_SIZE:] if value.endswith(b".") else
                          value[_INT_SIZE:] + b".")
    return list(accumulate(deltas))


class PostingsCache:
    """Decoded postings of recently searched terms, per segment, shared by threads.

    Reading a frequent word's postings (a zlib block and a pickle per 128 documents) is
    most of a new query's cost, and words recur: a query refined by one more word, the
    similar releases of one page after another. A segment never changes once written,
    so its entries stay valid across index generations. Bounded by the bytes held.
    """

    def __init__(self, max_bytes: int = POSTINGS_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._cached: OrderedDict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]
        self._cached = OrderedDict()
        self._bytes = 0

    def postings(self, reader, field: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """Docnums (in the segment) and term frequencies of a term; empty if it is absent."""
        segment = segment_id(reader)
        term = text.decode("utf-8") if isinstance(text, bytes) else text
        key = (segment, field, term) if segment is not None else None
        with self._lock:
            found = self._cached.get(key) if key is not None else None
            if found is not None:
                self._cached.move_to_end(key)
                return found
        if (field, text) in reader:
            ids, tf = _postings(reader, field, text)
        else:
            ids, tf = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        ids = ids.astype(np.int32)
        ids.flags.writeable = tf.flags.writeable = False  # shared between threads
        if key is not None:
            with self._lock:
                if key not in self._cached:
                    self._cached[key] = (ids, tf)
                    self._bytes += _size(ids, tf)
                while self._bytes > self.max_bytes and self._cached:
                    self._bytes -= _size(*self._cached.popitem(last=False)[1])
        return ids, tf


def _size(ids: np.ndarray, tf: np.ndarray) -> int:
    return ids.nbytes + tf.nbytes + ENTRY_BYTES


class Evaluator:
    """Evaluates queries against one Whoosh searcher and the columns of its generation."""

    def __init__(
        self,
        searcher: WhooshSearcher,
        columns: Columns,
        cache: PostingsCache,
        budget: float | None = None,
    ) -> None:
        """`budget`: seconds the evaluation may take before it stops (None: no limit)."""
        self.searcher = searcher
        self.columns = columns
        self.cache = cache
        self.leaves = [(leaf.reader(), offset) for leaf, offset in searcher.leaf_searchers()]
        self.documents = max(1, int(columns.live.sum()))
        self.deadline = None if budget is None else time.monotonic() + budget
        self._yielded = time.monotonic()
        self.cut_prefixes: list[CutPrefix] = []  # filled in by `evaluate`
        self._prefix_terms: dict[tuple[str, str], list[bytes]] = {}

    def evaluate(self, q: query.Query) -> Evaluation:
        self._expand_prefixes(q)
        result = self._evaluate(q)
        result.mask &= self.columns.live
        result.score[~result.mask] = 0
        result.cut_prefixes = tuple(self.cut_prefixes)
        return result

    def _check(self) -> None:
        """Stop when the budget is spent; until then, let other threads run every
        `YIELD_EVERY` seconds (a simple search waiting for the interpreter lock behind a
        long evaluation would otherwise wait out the 5 ms switch interval again and again;
        yielding at every term of every segment cost a loaded machine 10% of a search)."""
        if self.deadline is None:
            return
        now = time.monotonic()
        if now > self.deadline:
            raise _OutOfTime
        if now - self._yielded > YIELD_EVERY:
            time.sleep(0)
            self._yielded = now

    def _empty(self, stopped: bool = False) -> Evaluation:
        size = self.columns.size
        return Evaluation(np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float32), stopped)

    def _excluded(self, negative: Evaluation) -> np.ndarray:
        """What a NOT removes: everything, when its query was stopped before it finished."""
        return self.columns.live if negative.stopped else negative.mask

    def _evaluate(self, q: query.Query) -> Evaluation:
        if isinstance(q, (query.Phrase, query.Term, query.Prefix)):
            try:
                self._check()
                if isinstance(q, query.Phrase):
                    return self._phrase(q)
                if isinstance(q, query.Term):
                    return self._term(q.fieldname, q.text, q.boost)
                return self._prefix(q)
            except _OutOfTime:
                return self._empty(stopped=True)
        if isinstance(q, query.Not):
            inner = self._evaluate(q.query)
            return Evaluation(self.columns.live & ~self._excluded(inner), self._empty().score,
                              inner.stopped)
        if isinstance(q, query.AndNot):
            positive, negative = self._evaluate(q.a), self._evaluate(q.b)
            positive.mask &= ~self._excluded(negative)
            positive.stopped |= negative.stopped
            return positive
        if isinstance(q, query.AndMaybe):
            required, optional = self._evaluate(q.a), self._evaluate(q.b)
            required.score += np.where(required.mask & optional.mask, optional.score, 0)
            required.stopped |= optional.stopped
            return required
        if isinstance(q, query.And):
            return self._and(q.subqueries)
        if isinstance(q, query.Or):
            return self._or(q.subqueries)
        if isinstance(q, query.Every):
            return Evaluation(self.columns.live.copy(), self._empty().score)
        if q is query.NullQuery:
            return self._empty()
        return self._by_whoosh(q)

    def _term(self, field: str, text: str | bytes, boost: float) -> Evaluation:
        result = self._empty()
        ids, scores = self._scored(field, text, boost)
        result.mask[ids] = True
        result.score[ids] = scores
        return result

    def _scored(self, field: str, text: str | bytes, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """The live documents with a term and their BM25F scores for it."""
        all_ids, all_tf = [], []
        for reader, offset in self.leaves:
            self._check()
            ids, tf = self.cache.postings(reader, field, text)
            if len(ids):
                all_ids.append(ids + offset)
                all_tf.append(tf)
        if not all_ids:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        ids, tf = np.concatenate(all_ids), np.concatenate(all_tf)
        live = self.columns.live[ids]
        ids, tf = ids[live], tf[live]
        idf = math.log(self.documents / (len(ids) + 1)) + 1
        lengths = self.columns.lengths.get(field)
        if lengths is None:  # `names`: no lengths kept; term frequency saturates alike
            return ids, boost * idf * (tf * (K1 + 1)) / (tf + K1)
        average = self.columns.average_length.get(field, 1.0)
        norm = K1 * ((1 - B) + B * lengths[ids] / average)
        return ids, boost * idf * (tf * (K1 + 1)) / (tf + norm)

    def _and(self, children: list[query.Query]) -> Evaluation:
        positive = [c for c in children if not isinstance(c, query.Not)]
        negative = [c.query for c in children if isinstance(c, query.Not)]
        if positive:
            result = self._evaluate(positive[0])
            for child in positive[1:]:
                other = self._evaluate(child)
                result.mask &= other.mask
                result.score += other.score
                result.stopped |= other.stopped
        else:
            result = Evaluation(self.columns.live.copy(), self._empty().score)
        for child in negative:
            other = self._evaluate(child)
            result.mask &= ~self._excluded(other)
            result.stopped |= other.stopped
        return result

    def _or(self, children: list[query.Query]) -> Evaluation:
        """Terms are summed sparsely, all at once: a prefix or the key terms of similar
        releases are tens of terms, and a whole-index array per term cost ~2 ms each at
        a million releases."""
        terms = [c for c in children if isinstance(c, query.Term)]
        others = [c for c in children if not isinstance(c, query.Term)]
        result = self._empty()
        scored = []
        for term in terms:
            try:
                scored.append(self._scored(term.fieldname, term.text, term.boost))
            except _OutOfTime:
                result.stopped = True
                break
        if scored:
            ids = np.concatenate([i for i, _ in scored])
            result.mask[ids] = True
            result.score += np.bincount(
                ids, weights=np.concatenate([w for _, w in scored]), minlength=self.columns.size
            ).astype(np.float32)
        for child in others:
            other = self._evaluate(child)
            result.mask |= other.mask
            result.score += other.score
            result.stopped |= other.stopped
        return result

    def _expand_prefixes(self, q: query.Query) -> None:
        """The terms each prefix of `q` searches, before any is evaluated: at most
        `MAX_PREFIX_TERMS` each (the most frequent), `MAX_EXPANSIONS` in all."""
        reader = self.searcher.reader()
        expanded = {
            (leaf.fieldname, leaf.text): list(leaf._btexts(reader))
            for leaf in ([q] if q.is_leaf() else q.leaves()) if isinstance(leaf, query.Prefix)
        }
        searched: dict[str, int] = {}  # per prefix, whatever the field
        for (_, text), terms in expanded.items():
            searched[text] = max(searched.get(text, 0), min(len(terms), MAX_PREFIX_TERMS))
        if sum(searched.values()) > MAX_EXPANSIONS:  # known before reading a frequency
            raise BadParameter("q", "too_many_expansions", count=sum(searched.values()),
                               limit=MAX_EXPANSIONS)
        cut: dict[str, CutPrefix] = {}
        # Frequencies from the largest segment alone (a lookup in every segment for each
        # of a broad prefix's terms took most of the time budget): a fair sample.
        sample = max((r for r, _ in self.leaves), key=lambda r: r.doc_count_all(), default=reader)
        for (field, text), terms in expanded.items():
            if len(terms) > MAX_PREFIX_TERMS:
                frequency = {t: sample.doc_frequency(field, t) for t in terms}
                terms = sorted(sorted(terms, key=lambda t: -frequency[t])[:MAX_PREFIX_TERMS])
                most = max(len(expanded[(field, text)]), cut[text].terms if text in cut else 0)
                cut[text] = CutPrefix(text, most, MAX_PREFIX_TERMS)
            self._prefix_terms[(field, text)] = terms
        self.cut_prefixes = list(cut.values())

    def _prefix(self, q: query.Prefix) -> Evaluation:
        terms = self._prefix_terms.get((q.fieldname, q.text))
        if terms is None:  # a prefix `evaluate` was not given (`_by_whoosh` never asks)
            terms = list(q._btexts(self.searcher.reader()))[:MAX_PREFIX_TERMS]
        return self._or([query.Term(q.fieldname, t, boost=q.boost) for t in terms])

    def _phrase(self, q: query.Phrase) -> Evaluation:
        words = self._and([query.Term(q.fieldname, w, boost=q.boost) for w in q.words])
        if len(q.words) < 2 or not words.mask.any():
            return words
        candidates = np.flatnonzero(words.mask)
        verified = np.zeros(self.columns.size, dtype=bool)
        try:
            if q.slop == 1:
                self._adjacent(q.fieldname, q.words, candidates, verified)
            else:
                self._near(q, candidates, verified)
        except _OutOfTime:  # the candidates verified so far are matches; the rest are not
            words.stopped = True
        words.mask &= verified
        return words

    def _adjacent(
        self, field: str, words: list[str], candidates: np.ndarray, verified: np.ndarray
    ) -> None:
        """Mark in `verified` the candidates that have the words one after another: their
        positions, read only for the candidates, must line up (word i at p + i). Segment
        by segment, so that a stop keeps the segments done."""
        for reader, offset in self.leaves:
            size = reader.doc_count_all()
            local = candidates[(candidates >= offset) & (candidates < offset + size)] - offset
            if len(local) == 0:
                continue
            starts = None  # (document << 32 | where the phrase would start), sorted
            for i, word in enumerate(words):
                docs, positions = _positions(reader, field, word, local, self._check)
                keep = positions >= i
                keys = np.unique((docs[keep] << 32) | (positions[keep] - i))
                starts = keys if starts is None else np.intersect1d(
                    starts, keys, assume_unique=True
                )
                if len(starts) == 0:
                    break
            verified[offset + np.unique(starts >> 32)] = True

    def _near(self, q: query.Phrase, candidates: np.ndarray, verified: np.ndarray) -> None:
        """Phrases with slop: Whoosh's own phrase matcher, moved from candidate to candidate."""
        for reader_searcher, offset in self.searcher.leaf_searchers():
            size = reader_searcher.reader().doc_count_all()
            inside = candidates[(candidates >= offset) & (candidates < offset + size)]
            if len(inside) == 0:
                continue
            matcher = q.matcher(reader_searcher, reader_searcher.boolean_context())
            for target in inside - offset:
                self._check()
                if not matcher.is_active():
                    break
                if matcher.id() < target:
                    matcher.skip_to(int(target))
                if matcher.is_active() and matcher.id() == target:
                    verified[offset + target] = True

    def _by_whoosh(self, q: query.Query) -> Evaluation:
        """Any other query type: Whoosh's matcher, one document at a time."""
        result = self._empty()
        for leaf, offset in self.searcher.leaf_searchers():
            matcher = q.matcher(leaf)
            while matcher.is_active():
                result.mask[offset + matcher.id()] = True
                result.score[offset + matcher.id()] = matcher.score()
                matcher.next()
        return result
