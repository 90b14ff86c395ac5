"""The postings codec: the same postings as Whoosh's own codec, merges that keep them, and
indexes written by an earlier version still answering (then rewritten by a merge)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import formats
from whoosh import index as whoosh_index

from indexer.codec import ArrayCodec, leaf_matcher
from indexer.indexing import document, index_paths
from indexer.locations import bundled_corpus
from indexer.records import build_release
from indexer.schema import release_schema
from indexer.sources import iter_corpus_files, read_corpus_file
from indexer.storage import INDEX_NAME, open_index
from search.request import SearchRequest
from search.searcher import Searcher

QUERIES = ('"квадратный метр"', '"Clean Kazakhstan"', "жильё", "child", "Токаев", "tree*",
           '"Almaty is our common home"', "инвестиция OR trees", "-Almaty")


def _releases():
    for path in iter_corpus_files([bundled_corpus()]):
        yield from (build_release(raw) for raw in read_corpus_file(path).result.releases)


def _w3_index(folder: Path) -> None:
    """The bundled corpus as govpress 0.4 (INDEX_FORMAT 4) wrote it: Whoosh's W3 codec,
    positions pickled by `formats.Positions`."""
    schema = release_schema()
    for name in ("title", "body"):
        schema[name].format = formats.Positions(field_boost=schema[name].format.field_boost)
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema, indexname=INDEX_NAME)
    with ix.writer() as writer:
        for release in _releases():
            writer.add_document(**document(release, "written by 0.4"))


def _postings(folder: Path) -> dict[tuple[str, bytes], list[tuple[str, float, list[int]]]]:
    """Every posting by term, with documents named by id (docnums differ between runs)."""
    ix = open_index(folder)
    found = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        names = {d: reader.stored_fields(d)["id"] for d in reader.all_doc_ids()}
        for field, text in reader.all_terms():
            if field not in ("title", "body", "names", "agency"):
                continue
            matcher = reader.postings(field, text)
            rows = []
            while matcher.is_active():
                positions = (matcher.value_as("positions")
                             if field in ("title", "body") else [])
                rows.append((names[matcher.id()], round(matcher.weight(), 3), positions))
                matcher.next()
            found[(field, text)] = sorted(rows)
    return found


def _answers(folder: Path) -> dict[str, list[str]]:
    searcher = Searcher(folder)
    return {q: sorted(h.id for h in searcher.search(SearchRequest(q=q, per_page=50)).hits)
            for q in QUERIES}


@pytest.fixture(scope="module")
def w3_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("w3") / "ix"
    _w3_index(folder)
    return folder


def test_every_posting_is_the_one_whooshs_own_codec_writes(corpus_index, w3_folder):
    ours, theirs = _postings(corpus_index), _postings(w3_folder)
    assert ours.keys() == theirs.keys()
    assert ours == theirs


def test_postings_are_arrays_numpy_reads_in_place(corpus_index):
    ix = open_index(corpus_index)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        matcher = leaf_matcher(reader.postings("body", "квадратный"))
        assert matcher is not None
        ids, weights = matcher.arrays()
        counts, positions = matcher.positions()
        assert ids.dtype == np.dtype("<u4") and not ids.flags.writeable  # on-disk bytes
        assert list(ids) == sorted(ids) and len(counts) == len(ids)
        assert counts.sum() == len(positions) == weights.sum()


def test_an_index_written_by_the_earlier_codec_answers_as_before(w3_folder, corpus_index):
    assert _answers(w3_folder) == _answers(corpus_index)


def test_an_incremental_run_rewrites_an_earlier_index_in_this_codec(tmp_path, w3_folder,
                                                                    corpus_index):
    folder = tmp_path / "ix"
    shutil.copytree(w3_folder, folder)
    summary = index_paths([bundled_corpus()], folder)
    assert len(summary.lines()) and summary.total == 20
    ix = open_index(folder)
    assert ix.doc_count() == 20
    assert all(isinstance(segment.codec(), ArrayCodec) for segment in ix._segments())
    assert _answers(folder) == _answers(corpus_index)


def test_merged_segments_keep_every_posting(tmp_path):
    """Runs committing every 3 releases (one release changed between two runs) leave
    segments that the final merge combines, deletions dropped: the postings are those of
    one run over the final corpus."""
    corpus = tmp_path / "corpus"
    shutil.copytree(bundled_corpus(), corpus)
    folder = tmp_path / "ix"
    index_paths([corpus], folder, commit_every=3)
    listing = next(iter_corpus_files([corpus]))
    text = listing.read_text(encoding="utf-8")
    changed = text.replace("квадратных метров", "квадратных метров жилья", 1)
    assert changed != text
    listing.write_text(changed, encoding="utf-8")
    assert index_paths([corpus], folder, commit_every=3).lines()[0].count("1 updated") == 1
    fresh = tmp_path / "fresh"
    index_paths([corpus], fresh)
    assert _postings(folder) == _postings(fresh)
    assert open_index(folder).doc_count() == 20
