"""How postings are stored: plain little-endian arrays that numpy reads without decoding.

Whoosh's own codec (W3) stores each block of 128 postings as one zlib-compressed pickle of
ids, weights *and* positions: a query's first run unpickled the positions of every
posting of every word it read (~1 µs a posting), and a phrase decoded them for every
candidate. `ArrayCodec` keeps W3's term table, stored fields and columns and writes each
term's postings as one record:

    header   magic, postings n, what the values are, flags      (16 bytes)
    ids      uint32[n]   docnums, ascending
    weights  float32[n]  term frequency × boosts (absent when all are 1)
    values   positions fields: uint32[n] counts, then uint32[Σ counts] positions;
             fixed-size values (term frequencies): n × size bytes; none: nothing

A query reads the header, ids and weights (`ArrayMatcher.arrays`); positions, further on,
only when a phrase needs them (`ArrayMatcher.positions`). Writing is term by term from an
in-memory pool (`TermPool`), so a segment is written without sorting a posting at a time,
and merging segments copies arrays (`ArrayWriter.add_reader`). Indexes written by W3
still open: their segments keep W3's reader, and a merge rewrites them in this format.
"""

from __future__ import annotations

import os
import struct
from array import array
from collections import defaultdict
from functools import cached_property

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.multiproc import SubWriterTask
from whoosh.reading import IndexReader, SegmentReader
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length
from whoosh.writing import MERGE_SMALL, SegmentWriter

MAGIC = b"GPA1"
_HEADER = struct.Struct("<4sIII")  # magic, postings, value kind, flags
_WEIGHTS = 1  # flag: a weights array follows the ids
# What a posting's value is (the field's format decides it when the postings are written)
NO_VALUES, POSITIONS, FIXED = 0, 1, 2
_U32 = np.dtype("<u4")
_F32 = np.dtype("<f4")


class ArrayPositions(formats.Positions):
    """Word positions as a raw uint32 array (Whoosh's `Positions` pickles a list of deltas
    per posting, once when indexing and again to read it back)."""

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        positions: dict[str, list[int]] = defaultdict(list)
        weights: dict[str, float] = defaultdict(float)
        kwargs["positions"] = True
        kwargs["boosts"] = True
        for token in formats.tokens(value, analyzer, kwargs):
            positions[token.text].append(token.pos)
            weights[token.text] += token.boost
        for word, found in positions.items():
            yield word, len(found), weights[word] * boost, array("I", found).tobytes()

    def encode(self, poslist) -> bytes:
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return array("I", valuestring).tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def combine(self, vs) -> bytes:
        return self.encode(sorted({p for v in vs for p in self.decode_positions(v)}))


def _value_kind(form: formats.Format) -> tuple[int, int]:
    """How the values of a field's postings are stored, and their size when fixed."""
    if isinstance(form, ArrayPositions):
        return POSITIONS, 0
    size = form.fixed_value_size()
    if size == 0:
        return NO_VALUES, 0
    if size is None or size < 0:
        raise ValueError(f"{type(form).__name__}: values of varying size are not supported")
    return FIXED, size


class _Term:
    """The postings of one term gathered in a pool: appended posting by posting (new
    documents) or as arrays (merged segments), in docnum order either way."""

    __slots__ = ("chunks", "ids", "sizes", "values", "weights")

    def __init__(self) -> None:
        self.ids = array("I")
        self.weights = array("f")
        self.sizes = array("I")
        self.values = bytearray()
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, bytes]] = []

    def gathered(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, bytes]:
        """ids, weights, each value's size in bytes, and the values one after another."""
        chunks = list(self.chunks)
        if self.ids:
            chunks.append((np.frombuffer(self.ids, dtype=np.uint32),
                           np.frombuffer(self.weights, dtype=np.float32),
                           np.frombuffer(self.sizes, dtype=np.uint32), bytes(self.values)))
        if len(chunks) == 1:
            return chunks[0]
        chunks.sort(key=lambda chunk: int(chunk[0][0]))  # disjoint docnum ranges
        return (
            np.concatenate([c[0] for c in chunks]),
            np.concatenate([c[1] for c in chunks]),
            np.concatenate([c[2] for c in chunks]),
            b"".join(c[3] for c in chunks),
        )


class TermPool:
    """Postings of the segment being written, grouped by term in memory.

    Whoosh's pool sorts every posting (with spills to temporary files) before the segment
    is written; here documents arrive in docnum order, so each term's postings are already
    in order and only the terms are sorted. A batch's postings are held until its commit
    (about 20 bytes a posting): `commit_size` in indexing keeps batches bounded.
    """

    def __init__(self) -> None:
        self.terms: dict[tuple[str, bytes], _Term] = {}
        self.fieldnames: set[str] = set()

    def add(self, item: tuple) -> None:
        fieldname, btext, docnum, weight, vbytes = item
        if docnum < 0:  # Whoosh's marker for spelling words: not postings
            return
        term = self.terms.get((fieldname, btext))
        if term is None:
            term = self.terms[(fieldname, btext)] = _Term()
            self.fieldnames.add(fieldname)
        term.ids.append(docnum)
        term.weights.append(weight)
        if vbytes:
            term.sizes.append(len(vbytes))
            term.values += vbytes
        else:
            term.sizes.append(0)

    def add_arrays(
        self, fieldname: str, btext: bytes, ids: np.ndarray, weights: np.ndarray,
        sizes: np.ndarray, values: bytes,
    ) -> None:
        """Postings of a merged segment, renumbered, in docnum order after any before."""
        term = self.terms.get((fieldname, btext))
        if term is None:
            term = self.terms[(fieldname, btext)] = _Term()
            self.fieldnames.add(fieldname)
        term.chunks.append((ids, weights, sizes, values))

    def iter_postings(self):
        """(fieldname, btext, _Term) in field and term order."""
        for key in sorted(self.terms):
            yield key[0], key[1], self.terms[key]

    def cleanup(self) -> None:
        self.terms = {}


class ArrayFieldWriter(W3FieldWriter):
    """W3's term table, with each term's postings written as one `ArrayCodec` record."""

    def add_postings(self, schema, lengths, items) -> None:
        field = None
        for fieldname, btext, term in items:
            if fieldname != field:
                if field is not None:
                    self.finish_field()
                field = fieldname
                self.start_field(fieldname, schema[fieldname])
                kind, size = _value_kind(schema[fieldname].format)
                codes_of = (length_codes(lengths, fieldname)
                            if lengths is not None and schema[fieldname].scorable else None)
            ids, weights, sizes, values = term.gathered()
            terminfo = W3TermInfo()
            terminfo._weight = float(weights.sum())
            terminfo._df = len(ids)
            terminfo._maxweight = float(weights.max())
            terminfo._minid, terminfo._maxid = int(ids[0]), int(ids[-1])
            if codes_of is not None and len(codes_of):
                codes = codes_of[ids]
                terminfo._minlength = byte_to_length(int(codes.min()))
                terminfo._maxlength = byte_to_length(int(codes.max()))
            else:
                terminfo._minlength, terminfo._maxlength = 1, 1
            offset = self._postfile.tell()
            self._postfile.write(_record(ids, weights, sizes, values, kind, size))
            terminfo.set_extent(offset, self._postfile.tell() - offset)
            self._tindex.add(_term_key(self._fieldid, btext), terminfo.to_bytes())
        if field is not None:
            self.finish_field()



def _term_key(fieldid: int, btext: bytes) -> bytes:
    return struct.pack("!H", fieldid) + btext


def length_codes(perdoc, fieldname: str) -> np.ndarray | None:
    """The one-byte length of `fieldname` in every document of a segment (W3's per-document
    reader keeps them as a column, read here whole); None when no document has the field."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    return np.fromiter((b or 0 for b in column), dtype=np.uint8, count=len(column))


def _record(
    ids: np.ndarray, weights: np.ndarray, sizes: np.ndarray, values: bytes, kind: int, size: int,
) -> bytes:
    n = len(ids)
    flags = 0 if bool(np.all(weights == 1.0)) else _WEIGHTS
    parts = [_HEADER.pack(MAGIC, n, kind, flags), ids.astype(_U32).tobytes()]
    if flags & _WEIGHTS:
        parts.append(weights.astype(_F32).tobytes())
    if kind == POSITIONS:
        parts += [(sizes // 4).astype(_U32).tobytes(), values]
    elif kind == FIXED:
        if len(values) != n * size:
            raise ValueError("values of a fixed size do not add up")
        parts.append(values)
    return b"".join(parts)


class ArrayMatcher(ListMatcher):
    """One term's postings in one segment: numpy arrays for the evaluator, Whoosh's matcher
    interface (built on first use) for everything else."""

    def __init__(self, postfile, offset: int, format_, term=None, scorer=None, terminfo=None):
        self._file = postfile
        self._offset = offset
        magic, self._n, self._kind, self._flags = _HEADER.unpack(_read(postfile, offset,
                                                                       _HEADER.size))
        if magic != MAGIC:
            raise ValueError(f"postings of {term!r}: not an ArrayCodec record")
        self._i = 0
        self._format = format_
        self._scorer = scorer
        self._term = term
        self._terminfo = terminfo
        self._all_weights = None

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        n = self._n
        width = 8 if self._flags & _WEIGHTS else 4
        data = _read(self._file, self._offset + _HEADER.size, n * width)
        ids = np.frombuffer(data, dtype=_U32, count=n)
        if self._flags & _WEIGHTS:
            weights = np.frombuffer(data, dtype=_F32, count=n, offset=4 * n)
        else:
            weights = np.ones(n, dtype=np.float32)
        return ids, weights

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Docnums (uint32, ascending) and weights (float32), read-only."""
        return self._arrays

    @property
    def _values_offset(self) -> int:
        width = 8 if self._flags & _WEIGHTS else 4
        return self._offset + _HEADER.size + self._n * width

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions per posting: counts (uint32[n]) and every position (uint32), in
        posting order."""
        if self._kind != POSITIONS:
            raise ValueError(f"{self._term!r}: no positions stored")
        start = self._values_offset
        counts = np.frombuffer(_read(self._file, start, 4 * self._n), dtype=_U32)
        total = int(counts.sum(dtype=np.int64))
        positions = np.frombuffer(_read(self._file, start + 4 * self._n, 4 * total), dtype=_U32)
        return counts, positions

    def value_bytes(self) -> tuple[np.ndarray, bytes]:
        """Each posting's value size in bytes and all values one after another."""
        if self._kind == POSITIONS:
            counts, positions = self.positions()
            return counts * 4, positions.tobytes()
        if self._kind == FIXED:
            size = self._format.fixed_value_size()
            values = _read(self._file, self._values_offset, size * self._n)
            return np.full(self._n, size, dtype=np.uint32), values
        return np.zeros(self._n, dtype=np.uint32), emptybytes

    @cached_property
    def _ids(self) -> list[int]:
        return self._arrays[0].tolist()

    @cached_property
    def _weights(self) -> list[float]:
        return self._arrays[1].tolist()

    @cached_property
    def _values(self) -> list[bytes] | None:
        if self._kind == NO_VALUES:
            return None
        sizes, data = self.value_bytes()
        ends = np.cumsum(sizes, dtype=np.int64).tolist()
        starts = [0, *ends[:-1]]
        return [data[a:b] for a, b in zip(starts, ends, strict=True)]

    def block_max_weight(self) -> float:
        """The term's highest weight, kept in its term info (ListMatcher's own takes the
        max of every weight at each call, which Whoosh's collectors make per posting)."""
        return self._terminfo.max_weight()

    def copy(self) -> ArrayMatcher:
        other = ArrayMatcher(self._file, self._offset, self._format, self._term, self._scorer,
                             self._terminfo)
        other._i = self._i
        return other


def _read(postfile, offset: int, length: int) -> bytes:
    """`length` bytes at `offset`, without moving the file (threads share none, but a
    matcher's reads must not depend on the order they are made in)."""
    if length == 0:
        return emptybytes
    raw = postfile.file
    try:
        data = os.pread(raw.fileno(), length, offset)
    except (AttributeError, OSError, ValueError):  # not a plain file (compound, in memory)
        postfile.seek(offset)
        data = postfile.read(length)
    if len(data) != length:
        raise ValueError(f"postings file ends early ({len(data)} of {length} bytes at {offset})")
    return data


class ArrayTermsReader(W3TermsReader):
    def matcher(self, fieldname, tbytes, format_, scorer=None):
        terminfo = self.term_info(fieldname, tbytes)
        if terminfo.is_inlined():  # written by W3 into the same table: never by this codec
            return self._codec.postings_reader(self._postfile, terminfo, format_,
                                               term=(fieldname, tbytes), scorer=scorer)
        offset, _ = terminfo.extent()
        return ArrayMatcher(self._postfile, offset, format_, term=(fieldname, tbytes),
                            scorer=scorer, terminfo=terminfo)


class ArrayCodec(W3Codec):
    """W3 with `ArrayCodec` postings (see the module's docstring)."""

    def field_writer(self, storage, segment):
        return ArrayFieldWriter(self, storage, segment)

    def terms_reader(self, storage, segment):
        tiname = segment.make_filename(self.TERMS_EXT)
        tilen = storage.file_length(tiname)
        tifile = storage.open_file(tiname)
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return ArrayTermsReader(self, tifile, tilen, postfile)


def leaf_matcher(matcher):
    """The `ArrayMatcher` under Whoosh's deletion filter, or None for another codec's."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher if isinstance(matcher, ArrayMatcher) else None


class ArrayWriter(SegmentWriter):
    """Whoosh's segment writer with `ArrayCodec`, a `TermPool`, and merges that copy arrays."""

    def __init__(self, ix, **kwargs) -> None:
        kwargs["codec"] = ArrayCodec()
        super().__init__(ix, **kwargs)
        self.pool = TermPool()

    def add_postings_to_pool(self, reader: IndexReader, startdoc: int, docmap) -> None:
        renumber = _renumbering(reader, startdoc, docmap)
        for fieldname, btext in reader.all_terms():
            if fieldname not in self.schema:
                continue
            source = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
            if isinstance(source, ArrayMatcher):
                self._add_arrays(fieldname, btext, source, renumber)
            else:
                self._add_converted(fieldname, btext, source, renumber)

    def _add_arrays(self, fieldname: str, btext: bytes, source: ArrayMatcher,
                    renumber: np.ndarray) -> None:
        ids, weights = source.arrays()
        new = renumber[ids]
        keep = new >= 0
        if not keep.any():
            return
        sizes, values = source.value_bytes()
        if not keep.all():
            if values:
                values = np.frombuffer(values, dtype=np.uint8)[np.repeat(keep, sizes)].tobytes()
            sizes, weights, new = sizes[keep], weights[keep], new[keep]
        self.pool.add_arrays(fieldname, btext, new.astype(np.uint32), weights, sizes, values)

    def _add_converted(self, fieldname: str, btext: bytes, source, renumber: np.ndarray) -> None:
        """Postings another codec wrote (W3, pickled positions): one at a time, positions
        re-encoded for `ArrayPositions`."""
        convert = isinstance(self.schema[fieldname].format, ArrayPositions)
        old = formats.Positions()
        ids, weights, sizes, values = [], [], [], []
        while source.is_active():
            docnum = int(renumber[source.id()])
            if docnum >= 0:
                value = source.value() or emptybytes
                if convert:
                    value = array("I", old.decode_positions(value)).tobytes()
                ids.append(docnum)
                weights.append(source.weight())
                sizes.append(len(value))
                values.append(value)
            source.next()
        if ids:
            self.pool.add_arrays(fieldname, btext, np.array(ids, dtype=np.uint32),
                                 np.array(weights, dtype=np.float32),
                                 np.array(sizes, dtype=np.uint32), b"".join(values))


def merge_policy(writer: SegmentWriter, segments: list) -> list:
    """Whoosh's MERGE_SMALL, after dropping segments whose every release was replaced and
    rewriting those another codec wrote (an earlier version's index is in this format
    after its first run; its releases are all analyzed again then, so only those no
    longer in the corpus are copied one posting at a time)."""
    kept = []
    for segment in segments:
        if segment.doc_count() == 0:
            continue
        if isinstance(segment.codec(), ArrayCodec):
            kept.append(segment)
            continue
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return MERGE_SMALL(writer, kept)


def _renumbering(reader: IndexReader, startdoc: int, docmap) -> np.ndarray:
    """New docnum of each of the reader's documents; -1 for deleted ones."""
    size = reader.doc_count_all()
    if docmap is None:
        return np.arange(startdoc, startdoc + size, dtype=np.int64)
    renumber = np.full(size, -1, dtype=np.int64)
    if docmap:
        old = np.fromiter(docmap.keys(), dtype=np.int64, count=len(docmap))
        renumber[old] = np.fromiter(docmap.values(), dtype=np.int64, count=len(docmap))
    return renumber


class ArrayWriterTask(SubWriterTask):
    """Whoosh's indexing worker process, writing with `ArrayWriter`."""

    def run(self) -> None:
        ix = self.storage.open_index(self.indexname)
        self.writer = ArrayWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            self.writer.cancel()
            return
        fieldnames = self.writer.pool.fieldnames
        segment = self.writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)
