"""Per-document arrays of one index generation: filters, facets, sorting and scoring in numpy.

Whoosh answers "which documents have this term"; everything else a results page needs
(filter by agency, language and date, count facets, sort by date, BM25 field lengths)
is a vector operation over these arrays instead of a Whoosh query or a per-document
Python call. Segments never change once written, so their arrays are read once and kept
while the segment lives; a new generation only concatenates them and re-reads deletions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from whoosh.reading import IndexReader
from whoosh.searching import Searcher as WhooshSearcher
from whoosh.util.numeric import byte_to_length

from indexer.codec import length_codes
from search.request import SearchRequest
from search.results import FacetValue

FACETS = ("agency", "lang", "month")
TEXT_FIELDS = ("title", "body")
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


@dataclass(frozen=True)
class _Segment:
    """The arrays of one segment, in its own docnum order."""

    date: np.ndarray  # int32 YYYYMMDD
    codes: dict[str, np.ndarray]  # facet → int32 code (codes are shared by all segments)
    ids: np.ndarray  # str
    lengths: dict[str, np.ndarray]  # text field → float32 length in terms
    news: np.ndarray  # int64 gov.kz news number, 0 when none


class Vocabulary:
    """Facet value ↔ code, shared by every segment so codes mean one thing everywhere."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        self.values: dict[str, list[str]] = {facet: [] for facet in FACETS}

    def encode(self, facet: str, column: list[str]) -> np.ndarray:
        codes, values = self.codes[facet], self.values[facet]
        for value in set(column) - codes.keys():
            codes[value] = len(values)
            values.append(value)
        return np.fromiter((codes[v] for v in column), dtype=np.int32, count=len(column))


def _field_lengths(reader: IndexReader, field: str, size: int) -> np.ndarray:
    """Terms per document in `field`, as Whoosh's BM25 sees them (one byte, decoded)."""
    try:  # whoosh3's per-document reader (ArrayCodec's too): the encoded lengths, whole
        encoded = length_codes(reader._perdoc, field)
    except AttributeError:
        return np.fromiter(
            (reader.doc_field_length(d, field, 0) for d in range(size)),
            dtype=np.float32, count=size,
        )
    return np.zeros(size, dtype=np.float32) if encoded is None else _LENGTHS[encoded]


def _read_segment(reader: IndexReader, vocabulary: Vocabulary) -> _Segment:
    size = reader.doc_count_all()
    if size == 0:
        empty = np.zeros(0, dtype=np.int32)
        return _Segment(empty, dict.fromkeys(FACETS, empty), np.zeros(0, dtype=str),
                        dict.fromkeys(TEXT_FIELDS, empty.astype(np.float32)),
                        empty.astype(np.int64))
    date = np.fromiter((v or 0 for v in reader.column_reader("date")), np.int32, count=size)
    codes = {f: vocabulary.encode(f, list(reader.column_reader(f))) for f in FACETS}
    ids = np.array(list(reader.column_reader("id")), dtype=str)
    lengths = {field: _field_lengths(reader, field, size) for field in TEXT_FIELDS}
    news = (np.fromiter((v or 0 for v in reader.column_reader("news")), np.int64, count=size)
            if "news" in reader.schema and reader.has_column("news")
            else np.zeros(size, dtype=np.int64))  # an index of an older format: no versions
    return _Segment(date, codes, ids, lengths, news)


@dataclass
class Columns:
    """The arrays of one generation, indexed by the top-level Whoosh docnum."""

    generation: int
    live: np.ndarray  # bool: not deleted
    date: np.ndarray
    codes: dict[str, np.ndarray]
    values: dict[str, list[str]]  # facet → value of each code
    ids: np.ndarray
    id_rank: np.ndarray  # int32 rank of the id in sorted order, for deterministic ties
    lengths: dict[str, np.ndarray]
    average_length: dict[str, float]
    news: np.ndarray  # int64 gov.kz news number, 0 when none

    @property
    def size(self) -> int:
        return len(self.live)

    @cached_property
    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """Every live document with a news number, sorted by its news item (agency and
        number as one int64 key), and those keys: the versions of an item are neighbours.
        Built on the first lookup of a generation (one argsort)."""
        documents = np.flatnonzero(self.live & (self.news > 0))
        keys = self._item_keys(documents)
        order = np.argsort(keys)
        return documents[order], keys[order]

    def _item_keys(self, docnums: np.ndarray) -> np.ndarray:
        return (self.codes["agency"][docnums].astype(np.int64) << 32) | self.news[docnums]

    def translations(self, docnums: np.ndarray) -> list[np.ndarray]:
        """For each document, the other live documents of its news item (the other
        language versions of one gov.kz news item), in docnum order; none when it has no
        news number. One binary search per document, whatever the index size."""
        if len(docnums) == 0:
            return []
        docnums = np.asarray(docnums, dtype=np.int64)
        order, sorted_keys = self.items
        keys = self._item_keys(docnums)
        starts = np.searchsorted(sorted_keys, keys, side="left")
        ends = np.searchsorted(sorted_keys, keys, side="right")
        result = []
        for docnum, start, end, news in zip(docnums, starts, ends, self.news[docnums],
                                            strict=True):
            versions = order[start:end] if news > 0 else order[:0]
            result.append(np.sort(versions[versions != docnum]))
        return result

    def lang_of(self, docnum: int) -> str:
        return self.values["lang"][self.codes["lang"][docnum]]

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
        values = self.values[facet]
        counts = np.bincount(self.codes[facet][docnums], minlength=len(values))
        found = [FacetValue(values[code], int(n)) for code, n in enumerate(counts)
                 if n and values[code]]
        if facet == "month":
            return sorted(found, key=lambda v: v.value, reverse=True)
        return sorted(found, key=lambda v: (-v.count, v.value))


class ColumnCache:
    """Builds `Columns` for a generation from per-segment arrays kept across generations."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vocabulary = Vocabulary()
        self._segments: dict[str, _Segment] = {}
        self._current: Columns | None = None

    def for_searcher(self, searcher: WhooshSearcher) -> Columns:
        generation = searcher.reader().generation()
        current = self._current
        if current is not None and current.generation == generation:
            return current
        with self._lock:
            current = self._current
            if current is None or current.generation != generation:
                current = self._build(searcher, generation)
                self._current = current
            return current

    def _build(self, searcher: WhooshSearcher, generation: int) -> Columns:
        leaves = [leaf.reader() for leaf, _ in searcher.leaf_searchers()]
        segments = []
        for reader in leaves:
            segid = segment_id(reader)
            if segid is None or segid not in self._segments:
                segment = _read_segment(reader, self._vocabulary)
                if segid is not None:
                    self._segments[segid] = segment
            else:
                segment = self._segments[segid]
            segments.append(segment)
        alive = {segment_id(r) for r in leaves}
        self._segments = {k: v for k, v in self._segments.items() if k in alive}
        live = np.concatenate(
            [_live(reader) for reader in leaves] or [np.zeros(0, dtype=bool)]
        )
        ids = np.concatenate([s.ids for s in segments] or [np.zeros(0, dtype=str)])
        id_rank = np.empty(len(ids), dtype=np.int32)
        id_rank[np.argsort(ids, kind="stable")] = np.arange(len(ids), dtype=np.int32)
        lengths = {f: _concat([s.lengths[f] for s in segments], np.float32)
                   for f in TEXT_FIELDS}
        live_count = max(1, int(live.sum()))
        return Columns(
            generation=generation,
            live=live,
            date=_concat([s.date for s in segments], np.int32),
            codes={f: _concat([s.codes[f] for s in segments], np.int32) for f in FACETS},
            values={f: list(self._vocabulary.values[f]) for f in FACETS},
            ids=ids,
            id_rank=id_rank,
            lengths=lengths,
            average_length={
                f: float(lengths[f][live].sum()) / live_count or 1.0 for f in TEXT_FIELDS
            },
            news=_concat([s.news for s in segments], np.int64),
        )


def _concat(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)


def segment_id(reader: IndexReader) -> str | None:
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else None


def _live(reader: IndexReader) -> np.ndarray:
    live = np.ones(reader.doc_count_all(), dtype=bool)
    if reader.has_deletions():
        live[list(reader.deleted_docs_set)] = False
    return live
