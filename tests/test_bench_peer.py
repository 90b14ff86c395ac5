"""The benchmark's tantivy peer (`bench.peer`) searches what govpress searches: the same
releases of the bundled corpus, and for queries where a stemmer and a lemmatizer agree,
the same matches and counts per agency. A peer that indexed other releases or dropped a
filter would make every ratio of `python -m bench.run` meaningless."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import peer
from bench.queries import Query
from indexer.indexing import index_paths
from indexer.locations import bundled_corpus
from search.request import SearchRequest
from search.searcher import Searcher

AGREEING = (
    Query("en word", "cooperation"),
    Query("en two words", "Kazakhstan cooperation"),
    Query("en phrase", '"common home"'),
    Query("ru inflected word", "инвестиционный"),
    Query("ru phrase", '"квадратных метров"'),
    Query("en prefix", "constr*"),
    Query("agency filter", "cooperation", agencies=("economy",)),
    Query("two agencies", "meeting", agencies=("ecogeo", "almaty")),
    Query("date filter", "Almaty", date_from="2025-03-04", date_to="2025-03-04"),
    Query("browse", "", agencies=("economy",)),
    Query("nothing", "zqxwvjk"),
)


@pytest.fixture(scope="module")
def tantivy_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, peer.Built]:
    index_dir = tmp_path_factory.mktemp("tantivy") / "index"
    return index_dir, peer.build(bundled_corpus(), index_dir)


def _govpress(searcher: Searcher, query: Query):
    params = {name: value if isinstance(value, list) else [value]
              for name, value in query.params().items()}
    return searcher.search(SearchRequest.from_params({**params, "per_page": ["50"]}))


def test_the_peer_indexes_the_releases_govpress_indexes(
    corpus_index: Path, tantivy_index: tuple[Path, peer.Built]
) -> None:
    index_dir, built = tantivy_index
    assert built.releases == Searcher(corpus_index).count_all() == 20
    assert built.size > 0 and built.seconds > 0
    every = peer.page(peer.open_index(index_dir).searcher(), peer.to_query(
        peer.open_index(index_dir), Query("all", "")), browse=True)
    assert every.agencies == {"almaty": 10, "economy": 6, "ecogeo": 4}
    newest = Searcher(corpus_index).search(SearchRequest.from_params({"q": [""]})).hits[:3]
    assert every.ids[:3] == [hit.id for hit in newest]  # browsing is newest first
    assert len({hit.date for hit in newest}) == 3


@pytest.mark.parametrize("query", AGREEING, ids=[q.label for q in AGREEING])
def test_the_peer_finds_what_govpress_finds(
    corpus_index: Path, tantivy_index: tuple[Path, peer.Built], query: Query
) -> None:
    index = peer.open_index(tantivy_index[0])
    answer = peer.page(index.searcher(), peer.to_query(index, query), peer.kind(query) == "browse")
    expected = _govpress(Searcher(corpus_index), query)
    assert answer.total == expected.total
    assert answer.agencies == {v.value: v.count for v in expected.facets["agency"] if v.count}
    assert set(answer.ids) <= {hit.id for hit in expected.hits}
    assert len(answer.ids) == min(peer.TOP, expected.total)


def test_a_filtered_query_counts_only_the_agencies_asked(
    tantivy_index: tuple[Path, peer.Built],
) -> None:
    index = peer.open_index(tantivy_index[0])
    searcher = index.searcher()
    everywhere = peer.page(searcher, peer.to_query(index, Query("all", "Kazakhstan")), False)
    economy = peer.page(searcher, peer.to_query(
        index, Query("economy", "Kazakhstan", agencies=("economy",))), False)
    assert set(everywhere.agencies) > {"economy"}
    assert economy.agencies == {"economy": everywhere.agencies["economy"]}
    assert all(title for title in economy.titles)


# a gov.kz home page listing whose last release is cut off (also in the other tests)
HOME_PAGE = (Path(__file__).parent / "data" / "listing_home_page.txt").read_text(encoding="utf-8")
CATEGORY_PAGE = (
    "Society\nAkimat opened a new school in Astana 07.03.2025\nThe akim of Astana opened a "
    "school for 1,200 pupils in the new district. Classes begin in September.Source : "
    "https://www.gov.kz/memleket/entities/astana/press/news/details/103?lang=en\n"
    "Аким открыл парк 08.03.2025\nАким Астаны открыл новый парк для жителей района.Source : "
    "https://www.gov.kz/memleket/entities/astana/press/news/details/104?lang=ru\n"
)
ONLY_CUT_OFF = """Culture
A museum opened in Astana 09.03.2025
The museum of modern art opened its doors to visitors on Sunday"""


def test_duplicates_and_cut_off_copies_are_left_out_as_govpress_leaves_them(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a-home.txt").write_text(HOME_PAGE)  # the school, cut off: its copy is kept
    (corpus / "b-category.txt").write_text(CATEGORY_PAGE)
    (corpus / "c-again.txt").write_text(CATEGORY_PAGE)  # duplicates of both
    (corpus / "d-museum.txt").write_text(ONLY_CUT_OFF)  # only cut off: indexed
    index_paths([corpus], tmp_path / "govpress")
    indexed = Searcher(tmp_path / "govpress").search(SearchRequest.from_params({"q": [""]}))
    built = peer.build(corpus, tmp_path / "tantivy")
    index = peer.open_index(tmp_path / "tantivy")
    every = peer.page(index.searcher(), peer.to_query(index, Query("all", "")), browse=True)
    assert built.releases == indexed.total == 4
    assert sorted(every.ids) == sorted(hit.id for hit in indexed.hits)
    assert every.agencies == {"astana": 3, "unknown": 1}
