"""Phrases of frequent words are answered by pair terms (issue 13): a search finds exactly
the releases whose word positions hold the phrase, scored as before, also on an index
written before pair terms existed (or partly so). Speed is measured in `bench/`."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.analysis import phrase_pairs, query_terms
from indexer.codec import ArrayWriter
from indexer.indexing import digest, document, index_paths
from indexer.locations import bundled_corpus
from indexer.records import build_release
from indexer.schema import PAIR_FIELDS, release_schema
from indexer.sources import iter_corpus_files, read_corpus_file
from indexer.storage import INDEX_NAME, open_index, open_or_create_index
from search.query import QueryParser
from search.request import SearchRequest
from search.searcher import Searcher

# Phrases of frequent words (answered by pairs), and some with a word that is not
# (answered by positions).
GENERATED_PHRASES = (
    '"в и"', '"и на"', '"of the"', '"in the"', '"в и на"', '"of the and"', '"the of"',
    '"and to the"', '"не в"', '"квадратный метр"', '"Prime Minister"', '"square meters"',
)
CORPUS_PHRASES = (
    '"of the"', '"in the"', '"as well as"', '"will be"', '"more than"', '"one of the"',
    '"the work of the"', '"Prime Minister"', '"Республики Казахстан"', '"в том числе"',
)


def _all_ids(searcher: Searcher, q: str) -> tuple[int, list[tuple[str, float]]]:
    """The total and every hit (id, score) of a search, page after page."""
    first = searcher.search(SearchRequest(q=q, per_page=100))
    assert first.partial is None
    hits = [(hit.id, round(hit.score or 0, 4)) for hit in first.hits]
    for page in range(2, first.pages + 1):
        hits += [(hit.id, round(hit.score or 0, 4))
                 for hit in searcher.search(SearchRequest(q=q, per_page=100, page=page)).hits]
    return first.total, hits


def _by_positions(index_dir: Path, q: str) -> set[str]:
    """The releases Whoosh's own phrase matcher finds, from word positions alone."""
    ix = open_index(index_dir)
    parsed = QueryParser(ix.schema).parse(q)
    with ix.searcher() as whoosh:
        return {hit["id"] for hit in whoosh.search(parsed.query, limit=None)}


@pytest.mark.parametrize("corpus", ["generated", "bundled"])
def test_a_phrase_finds_the_releases_whose_words_stand_one_after_another(
    corpus: str, generated_index: Path, corpus_index: Path
) -> None:
    index_dir, phrases = ((generated_index, GENERATED_PHRASES) if corpus == "generated"
                          else (corpus_index, CORPUS_PHRASES))
    searcher = Searcher(index_dir, time_budget=False)
    found_some = 0
    for q in phrases:
        total, hits = _all_ids(searcher, q)
        assert total == len(hits)
        assert {i for i, _ in hits} == _by_positions(index_dir, q), q
        found_some += bool(total)
    assert found_some >= len(phrases) // 2  # the comparison is not of empty answers
    # Most of them are phrases of frequent words, which pair terms answer.
    frequent = [q for q in phrases
                if phrase_pairs([query_terms(w)[0] for w in q.strip('"').split()])]
    assert len(frequent) >= len(phrases) - 3


def test_a_longer_phrase_needs_its_words_in_order_not_only_its_pairs(tmp_path: Path) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_text(
        "News\n"
        "Parks of the city 06.03.2025\n"
        "One of them opened. Most of the trees were planted.Source : "
        "https://www.gov.kz/memleket/entities/astana/press/news/details/1?lang=en\n"
        "A new park 07.03.2025\n"
        "It is one of the largest parks.Source : "
        "https://www.gov.kz/memleket/entities/astana/press/news/details/2?lang=en\n",
        encoding="utf-8",
    )
    index_paths([listing], tmp_path / "ix")
    searcher = Searcher(tmp_path / "ix", time_budget=False)
    # Both releases have the pairs `one of` and `of the` ...
    assert phrase_pairs(["one", "of", "the"]) == ["one of", "of the"]
    assert searcher.search(SearchRequest(q='"one of"')).total == 2
    assert searcher.search(SearchRequest(q='"of the"')).total == 2
    # ... only one has the three words one after another.
    found = searcher.search(SearchRequest(q='"one of the"'))
    assert [hit.id for hit in found.hits] == ["astana-2-en"]


def _documents() -> list[dict]:
    releases = []
    for path in iter_corpus_files([bundled_corpus()]):
        result = read_corpus_file(path).result
        releases += [build_release(raw) for raw in result.releases] if result else []
    return [document(release, digest(release)) for release in releases]


def _without_pairs(doc: dict) -> dict:
    """A document as a version before pair terms wrote it."""
    return {name: value for name, value in doc.items() if name not in PAIR_FIELDS.values()}


def _old_index(index_dir: Path, documents: list[dict]) -> None:
    older = release_schema()
    for field in PAIR_FIELDS.values():
        older.remove(field)  # the schema before INDEX_FORMAT 6
    index_dir.mkdir()
    writer = ArrayWriter(whoosh_index.create_in(str(index_dir), older, indexname=INDEX_NAME))
    for doc in documents:
        writer.add_document(**_without_pairs(doc))
    writer.commit()


def test_an_index_written_before_pair_terms_answers_phrases_as_a_new_one(
    tmp_path: Path, corpus_index: Path
) -> None:
    documents = _documents()
    _old_index(tmp_path / "old", documents)
    # Half the releases written before pair terms, half after, merged into one segment.
    _old_index(tmp_path / "mixed", documents[: len(documents) // 2])
    writer = ArrayWriter(open_or_create_index(tmp_path / "mixed"))
    for doc in documents[len(documents) // 2:]:
        writer.add_document(**doc)
    writer.commit(optimize=True)
    assert len(open_index(tmp_path / "mixed").reader().leaf_readers()) == 1

    new = Searcher(corpus_index, time_budget=False)
    for q in CORPUS_PHRASES:
        expected = _all_ids(new, q)
        for other in ("old", "mixed"):
            total, hits = _all_ids(Searcher(tmp_path / other, time_budget=False), q)
            assert total == expected[0], (q, other)
            assert sorted(hits) == sorted(expected[1]), (q, other)  # same scores too
