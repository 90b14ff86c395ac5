"""Searching the bundled corpus as a user does: the query language, filters, sorting,
facets, snippets, suggestions, similar releases, hostile input, threads and new commits.

The corpus (corpus/, 20 releases): economy 6 (3 ru, dated 14.03, 12.03 and 05.03.2025;
3 en), ecogeo 4 (en), almaty 10 (en); every English release is dated 04.03.2025.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from indexer.indexing import index_paths
from search.request import MAX_QUERY_CHARS, BadParameter, SearchRequest
from search.results import SearchResults
from search.searcher import REFRESH_SECONDS, Searcher

HOUSING_RU = "economy-956947-ru"  # 14.03: «19 млн квадратных метров жилья», KPI
GDP_RU = "economy-954900-ru"  # 12.03: Бектенов, рост ВВП
CAPITAL_LAW_RU = "economy-951286-ru"  # 05.03: закон о развитии столицы
RU = [HOUSING_RU, GDP_RU, CAPITAL_LAW_RU]  # newest first
ECONOMY_EN = ["economy-948817-en", "economy-949210-en", "economy-949460-en"]
EBRD, TURKESTAN, CROATIA = ECONOMY_EN
ECOGEO = ["ecogeo-948546-en", "ecogeo-948718-en", "ecogeo-949770-en", "ecogeo-949841-en"]
AKMOLA_MEETING, AKMOLA_VISIT, CHINA_COMMISSION, UNDP_MEETING = ECOGEO
DOSSAYEV = [
    "almaty-947609-en",  # Congress Center, land in Kyrat
    "almaty-947611-en",  # water supply in Medeu
    "almaty-947613-en",  # Congress Center will be state-owned
    "almaty-947615-en",  # land purchased with budget funds
    "almaty-947618-en",  # illegally built building (Dossayev in the body only)
]
LONGEVITY, FITCH = "almaty-948124-en", "almaty-948131-en"
CAMPAIGN = ["almaty-948576-en", "almaty-948603-en", "almaty-948616-en"]  # "Clean Kazakhstan"
ALMATY = [*DOSSAYEV, LONGEVITY, FITCH, *CAMPAIGN]
ALL = RU + ALMATY + ECOGEO + ECONOMY_EN  # newest first, then by id
ENGLISH = sorted(ALMATY + ECOGEO + ECONOMY_EN)


@pytest.fixture(scope="module")
def searcher(corpus_index: Path) -> Searcher:
    return Searcher(corpus_index)


def find(searcher: Searcher, q: str = "", **params: object) -> SearchResults:
    """Search with URL-style parameters (`from_` for `from`); lists repeat a parameter."""
    query: dict[str, list[str]] = {"q": [q]}
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        query[name.rstrip("_")] = [str(v) for v in values]
    return searcher.search(SearchRequest.from_params(query))


def ids(results: SearchResults) -> list[str]:
    return [hit.id for hit in results.hits]


def found(searcher: Searcher, q: str = "", **params: object) -> set[str]:
    """Every release the search finds (one page of 100 holds the whole corpus)."""
    results = find(searcher, q, per_page=100, **params)
    assert results.total == len(results.hits)
    return set(ids(results))


def snippet_of(searcher: Searcher, q: str, release_id: str) -> str:
    hits = {hit.id: hit for hit in find(searcher, q, per_page=100).hits}
    return hits[release_id].snippet


def facet(results: SearchResults, name: str, choices: bool = False) -> list[tuple[str, int]]:
    values = (results.choices if choices else results.facets)[name]
    return [(v.value, v.count) for v in values]


# -- word forms: the query goes through the documents' analysis chain ----------------


@pytest.mark.parametrize("word", ["жильё", "жилье", "жилья", "жильём", "ЖИЛЬЁ"])
def test_any_russian_form_of_a_word_finds_the_release(searcher, word):
    assert found(searcher, word) == {HOUSING_RU}


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (("children", "child"), {UNDP_MEETING, *CAMPAIGN}),
        (("women", "woman"), {EBRD, LONGEVITY}),
        (("held", "hold", "holding"), {*ECOGEO, *CAMPAIGN, EBRD, CROATIA}),
        (("built", "build"), {*DOSSAYEV[:3], DOSSAYEV[4], TURKESTAN}),
        (("building", "buildings"), {DOSSAYEV[3], DOSSAYEV[4], CAMPAIGN[0], TURKESTAN}),
        (("planting", "plant", "plants"), {*CAMPAIGN, AKMOLA_MEETING, AKMOLA_VISIT}),
    ],
)
def test_english_irregular_and_inflected_forms_meet(searcher, forms, expected):
    for form in forms:
        assert found(searcher, form) == expected, form


@pytest.mark.parametrize(
    ("q", "release_id", "marked"),
    [
        ("жилье", HOUSING_RU, "жилья"),
        ("child", UNDP_MEETING, "children"),
        ("woman", EBRD, "women"),
        ("woman", EBRD, "Women"),
        ("hold", CHINA_COMMISSION, "held"),
        ("build", DOSSAYEV[4], "built"),
        ("KPI", HOUSING_RU, "KPI"),
        ("инвест*", HOUSING_RU, "инвестиций"),
        ("children*", UNDP_MEETING, "children"),
        ("planting*", AKMOLA_VISIT, "plant"),  # found by the term `plant` of `planting`
        ("жил*", CAPITAL_LAW_RU, "жилых"),
        ('"квадратный метр"', CAPITAL_LAW_RU, "квадратных</mark> <mark>метров"),
    ],
)
def test_snippet_marks_the_word_form_that_matched(searcher, q, release_id, marked):
    assert f"<mark>{marked}</mark>" in snippet_of(searcher, q, release_id)


def test_latin_words_inside_russian_text_are_found_as_english(searcher):
    assert ids(find(searcher, "KPI")) == [HOUSING_RU]
    assert ids(find(searcher, "kpi")) == [HOUSING_RU]
    assert ids(find(searcher, "KPI жилья")) == [HOUSING_RU]
    assert found(searcher, "Fitch OR жилье") == {FITCH, HOUSING_RU}
    assert find(searcher, "Fitch жилье").total == 0  # both words must match


def test_look_alike_letters_of_the_other_script_are_forgiven(searcher):
    assert found(searcher, "Аlmaty") == found(searcher, "Almaty") == set(ALMATY)  # Cyrillic А


# -- operators --------------------------------------------------------------------------


def test_all_words_must_match_by_default(searcher):
    assert find(searcher, "Fitch EBRD").total == 0
    assert found(searcher, "Dossayev Congress") == {DOSSAYEV[0], DOSSAYEV[2]}


def test_or_finds_either_word(searcher):
    assert found(searcher, "Fitch OR EBRD") == {FITCH, EBRD}
    assert found(searcher, "Croatia OR Turkestan OR Fitch") == {CROATIA, TURKESTAN, FITCH}


@pytest.mark.parametrize("q", ["Dossayev -land", "Dossayev NOT land"])
def test_minus_and_not_exclude_a_word(searcher, q):
    assert found(searcher, q) == {DOSSAYEV[1], DOSSAYEV[4]}


@pytest.mark.parametrize("q", ["-Almaty", "NOT Almaty"])
def test_a_query_of_only_a_negation_finds_everything_else(searcher, q):
    assert found(searcher, q) == set(RU + ECOGEO + ECONOMY_EN)


def test_parentheses_group(searcher):
    assert found(searcher, "Dossayev NOT (land OR water)") == {DOSSAYEV[4]}
    assert found(searcher, "Dossayev NOT land OR water") == {DOSSAYEV[1], DOSSAYEV[4]}
    assert found(searcher, "(Fitch OR EBRD) Kazakhstan") == {FITCH, EBRD}
    assert found(searcher, "Medeu -land -water") == {DOSSAYEV[4]}


@pytest.mark.parametrize("q", ['"квадратный метр"', '"квадратных метров"', '"Квадратного метра"'])
def test_phrase_matches_over_lemmas(searcher, q):
    assert found(searcher, q) == {HOUSING_RU, CAPITAL_LAW_RU}


def test_phrase_needs_its_words_in_order_and_adjacent(searcher):
    assert found(searcher, '"Clean Kazakhstan"') == set(CAMPAIGN)
    assert find(searcher, '"Kazakhstan Clean"').total == 0
    assert found(searcher, '"plant tree"') == {CAMPAIGN[2]}  # "planting trees" in its title
    assert found(searcher, '"Almaty is our common home"') == set(CAMPAIGN)


def test_phrase_with_negation(searcher):
    for q in ('"Clean Kazakhstan" -Almaty', '"Clean Kazakhstan" NOT Almaty'):
        results = find(searcher, q)
        assert (results.total, results.hits) == (0, []), q  # all three are Almaty releases
    assert found(searcher, '"Clean Kazakhstan" -Dossayev') == set(CAMPAIGN)


def test_title_scoping(searcher):
    assert ids(find(searcher, "title:Fitch")) == [FITCH]
    assert found(searcher, "title:meeting") == {AKMOLA_MEETING, CHINA_COMMISSION, UNDP_MEETING}
    assert find(searcher, "meeting").total == 9
    assert found(searcher, "title:Dossayev") == set(DOSSAYEV[:4])  # not the body-only one
    congress = {DOSSAYEV[0], DOSSAYEV[2]}
    assert found(searcher, "title:(Congress Center)") == congress
    assert found(searcher, 'title:"Congress Center"') == congress


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("инвест*", {HOUSING_RU}),
        ("жил*", {HOUSING_RU, CAPITAL_LAW_RU}),  # жилья, жилых, жилищном
        ("ЖИЛЬ*", {HOUSING_RU}),
        ("министер*", {HOUSING_RU, GDP_RU}),
        ("invest*", {FITCH, EBRD, CROATIA}),
        ("Dossa*", set(DOSSAYEV)),
        ("children*", {UNDP_MEETING, *CAMPAIGN}),  # the term `child` of the whole word
        ("title:Congr*", {DOSSAYEV[0], DOSSAYEV[2]}),
        ("инвест* Fitch", set()),
        ("инвест* OR Fitch", {HOUSING_RU, FITCH}),
    ],
)
def test_prefixes_in_both_scripts(searcher, q, expected):
    assert found(searcher, q) == expected


def test_a_prefix_shorter_than_three_letters_is_a_word(searcher):
    assert found(searcher, "wa*") == found(searcher, "wa") == set()


# -- relevance, filters, sorting ---------------------------------------------------------


def test_title_matches_rank_above_body_matches(searcher):
    top = ids(find(searcher, "meeting"))[:3]
    assert set(top) == {AKMOLA_MEETING, CHINA_COMMISSION, UNDP_MEETING}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"agency": "economy"}, RU + ECONOMY_EN),
        ({"agency": ["economy", "ecogeo"]}, RU + ECOGEO + ECONOMY_EN),
        ({"agency": "economy,ecogeo"}, RU + ECOGEO + ECONOMY_EN),
        ({"lang": "ru"}, RU),
        ({"lang": "en"}, ENGLISH),
        ({"lang": "kk"}, []),
        ({"from_": "2025-03-05"}, RU),  # inclusive
        ({"from_": "2025-03-06"}, RU[:2]),
        ({"to": "2025-03-04"}, ENGLISH),  # inclusive
        ({"to": "2025-03-05"}, [CAPITAL_LAW_RU, *ENGLISH]),
        ({"from_": "2025-03-05", "to": "2025-03-12"}, [GDP_RU, CAPITAL_LAW_RU]),
        ({"from_": "2025-03-12", "to": "2025-03-12"}, [GDP_RU]),
        ({"from_": "2025-03-15"}, []),
        ({"agency": "economy", "lang": "en"}, ECONOMY_EN),
        ({"agency": "almaty", "lang": "ru"}, []),
        ({"agency": ["almaty", "ecogeo"], "to": "2025-03-04"}, ALMATY + ECOGEO),
    ],
)
def test_filters_alone_browse_newest_first(searcher, params, expected):
    results = find(searcher, per_page=100, **params)
    assert ids(results) == expected
    assert results.total == len(expected)
    assert all(hit.score is None for hit in results.hits)


def test_filters_with_a_query(searcher):
    assert found(
        searcher, "Kazakhstan", agency=["economy", "ecogeo"], lang="en", to="2025-03-04"
    ) == set(ECOGEO + ECONOMY_EN)
    assert ids(find(searcher, "министерство", from_="2025-03-13")) == [HOUSING_RU]
    assert ids(find(searcher, "министерство", to="2025-03-12")) == [GDP_RU]
    assert find(searcher, "жилье", lang="en").total == 0
    assert found(searcher, "Dossayev", agency="almaty", lang="en") == set(DOSSAYEV)


@pytest.mark.parametrize(
    ("q", "params"),
    [
        ("Kazakhstan", {"agency": ["economy", "ecogeo"]}),
        ("held", {"lang": "en", "agency": "ecogeo"}),
        ("meeting OR city", {"agency": "almaty"}),
        ("министерство OR Kazakhstan", {"from_": "2025-03-05"}),
    ],
)
def test_filtering_does_not_reorder_relevance_results(searcher, q, params):
    unfiltered = find(searcher, q, per_page=100).hits
    filtered = find(searcher, q, per_page=100, **params).hits
    kept = {hit.id for hit in filtered}
    assert kept and len(kept) < len(unfiltered)
    assert [(h.id, h.score) for h in unfiltered if h.id in kept] == [
        (h.id, h.score) for h in filtered
    ]


def test_sort_newest_and_oldest(searcher):
    assert ids(find(searcher, sort="newest", per_page=100)) == ALL
    assert ids(find(searcher, per_page=100)) == ALL  # an empty query browses newest first
    oldest = ids(find(searcher, sort="oldest", per_page=100))
    assert oldest == ENGLISH + RU[::-1]  # same date: by id, in both directions
    assert ids(find(searcher, "министерство", sort="newest")) == [HOUSING_RU, GDP_RU]
    assert ids(find(searcher, "министерство", sort="oldest")) == [GDP_RU, HOUSING_RU]
    relevance = find(searcher, "министерство OR Kazakhstan", per_page=100)
    scores = [hit.score for hit in relevance.hits]
    assert scores == sorted(scores, reverse=True) and None not in scores


def test_equal_scores_are_ordered_by_date_then_id(searcher):
    # A pure negation gives every release the same score.
    assert ids(find(searcher, "NOT Almaty", per_page=100)) == RU + ECOGEO + ECONOMY_EN


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("q", ["", "NOT Almaty", "Kazakhstan", "meeting OR city", "Dossa*"])
def test_order_is_deterministic_and_pages_tile_the_results(searcher, q, sort):
    everything = find(searcher, q, sort=sort, per_page=100)
    assert ids(find(searcher, q, sort=sort, per_page=100)) == ids(everything)
    for per_page in (1, 3, 7):
        pages = [
            ids(find(searcher, q, sort=sort, per_page=per_page, page=page))
            for page in range(1, everything.total // per_page + 2)
        ]
        assert [i for page in pages for i in page] == ids(everything), per_page


def test_pages_beyond_the_last_are_empty_with_the_right_total(searcher):
    assert len(find(searcher).hits) == 20  # default page size
    for page in (2, 500):
        results = find(searcher, page=page)
        assert (results.total, results.hits, results.pages) == (20, [], 1)
    assert ids(find(searcher, "Dossayev", per_page=3, page=2)) == ids(
        find(searcher, "Dossayev")
    )[3:]
    results = find(searcher, "Dossayev", per_page=3, page=3)
    assert (results.total, results.hits, results.pages) == (5, [], 2)


def test_page_size_is_limited_to_100(searcher):
    assert len(find(searcher, per_page=100).hits) == 20
    with pytest.raises(BadParameter):
        find(searcher, per_page=101)


# -- what a hit holds ----------------------------------------------------------------------


def test_hit_fields(searcher):
    [hit] = find(searcher, "Fitch").hits
    assert hit.id == FITCH
    assert hit.title.startswith("Fitch Ratings affirmed the rating of the SEC")
    assert hit.date.isoformat() == "2025-03-04"
    assert (hit.agency, hit.lang) == ("almaty", "en")
    assert hit.agency_names.en == "Almaty City Akimat"
    assert hit.url == "https://www.gov.kz/memleket/entities/almaty/press/news/details/948131"
    assert hit.score > 0
    assert "<mark>Fitch</mark> Ratings" in hit.snippet
    as_json = hit.as_json("ru")
    assert set(as_json) == {
        "id", "title", "date", "agency", "agency_name", "lang", "url", "snippet", "score",
        "translations",
    }
    assert as_json["agency_name"] == "Акимат города Алматы"
    assert as_json["date"] == "2025-03-04"


def test_snippets_never_hold_unescaped_release_text(searcher):
    entity = re.compile(r"&(?!(?:lt|gt|amp|quot|#x27);)")
    for q in ("", "Kazakhstan", "квадратный метр", '"Clean Kazakhstan"', "инвест* OR BBB"):
        for hit in find(searcher, q, per_page=100).hits:
            text = re.sub(r"</?mark>", "", hit.snippet)
            assert "<" not in text and ">" not in text, hit.id
            assert not entity.search(text), hit.id
            assert len(text) < 400


LISTING = """Technology
Hostile <script>alert(1)</script> & friends 07.04.2025
The akimat warns: <script>alert(1)</script> & "quotes" are text. Zebrafish hatchery opened.
Source : https://www.gov.kz/memleket/entities/almaty/press/news/details/990001?lang=en
Новый зоопарк для зебр открыт 08.04.2025
В Алматы открыли зоопарк <b>для зебр</b> & жирафов. Директор Zebrafish Holding рассказал о планах.
Source : https://www.gov.kz/memleket/entities/almaty/press/news/details/990002?lang=ru
"""
NEWER = """News
Zebrafish hatchery expands 09.04.2025
The zebrafish hatchery doubled its ponds.
Source : https://www.gov.kz/memleket/entities/ecogeo/press/news/details/990003?lang=en
"""


@pytest.fixture
def tiny_index(tmp_path: Path) -> Path:
    listing = tmp_path / "listing.txt"
    listing.write_text(LISTING, encoding="utf-8")
    index_dir = tmp_path / "ix"
    index_paths([listing], index_dir)
    return index_dir


def test_snippets_escape_markup_in_release_text(tiny_index):
    searcher = Searcher(tiny_index)
    [hit] = find(searcher, "alert").hits
    assert hit.id == "almaty-990001-en"
    assert hit.title == "Hostile <script>alert(1)</script> & friends"  # plain data
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in (
        hit.snippet
    )
    assert "<script" not in hit.snippet
    [hit] = find(searcher, "зебра").hits
    assert "&lt;b&gt;для <mark>зебр</mark>&lt;/b&gt; &amp; жирафов" in hit.snippet
    assert "<b>" not in hit.snippet
    marked = find(searcher, "script", per_page=100).hits[0].snippet
    assert "&lt;<mark>script</mark>&gt;" in marked


# -- facets ----------------------------------------------------------------------------------


def test_facets_count_the_whole_filtered_result_set(searcher):
    browse = find(searcher, per_page=1)
    assert facet(browse, "agency") == [("almaty", 10), ("economy", 6), ("ecogeo", 4)]
    assert facet(browse, "lang") == [("en", 17), ("ru", 3)]
    assert facet(browse, "month") == [("2025-03", 20)]
    results = find(searcher, "Kazakhstan", per_page=2)  # and Russian «Казахстан» by its name
    assert results.total == 14 and len(results.hits) == 2
    assert facet(results, "agency") == [("almaty", 5), ("economy", 5), ("ecogeo", 4)]
    for name in ("agency", "lang", "month"):
        assert sum(count for _, count in facet(results, name)) == results.total
    ru = find(searcher, "министерство OR Kazakhstan", lang="ru")
    assert facet(ru, "lang") == [("ru", 3)] and facet(ru, "agency") == [("economy", 3)]


@pytest.mark.parametrize("q", ["", "Kazakhstan", "held OR министерство"])
def test_each_facet_value_works_as_the_next_filter(searcher, q):
    results = find(searcher, q)
    for value, count in facet(results, "agency"):
        assert find(searcher, q, agency=value).total == count
    for value, count in facet(results, "lang"):
        assert find(searcher, q, lang=value).total == count
    assert [value for value, _ in facet(results, "month")] == ["2025-03"]
    for value, count in facet(results, "month"):
        assert find(searcher, q, from_=f"{value}-01", to=f"{value}-31").total == count


def test_choices_keep_the_other_values_of_a_selected_facet(searcher):
    results = find(searcher, agency="economy")
    assert facet(results, "agency") == [("economy", 6)]
    assert facet(results, "agency", choices=True) == [
        ("almaty", 10), ("economy", 6), ("ecogeo", 4),
    ]
    assert facet(results, "lang", choices=True) == [("en", 3), ("ru", 3)]  # within economy
    ru = find(searcher, lang="ru")
    assert facet(ru, "lang") == [("ru", 3)]
    assert facet(ru, "lang", choices=True) == [("en", 17), ("ru", 3)]


def test_facet_labels_in_both_interface_languages(searcher):
    facets = find(searcher, per_page=1).as_json("en")["facets"]
    labels = {v["value"]: v["label"] for v in facets["agency"]}
    assert labels["economy"] == "Ministry of National Economy"
    assert labels["almaty"] == "Almaty City Akimat"
    assert facets["lang"][0] == {"value": "en", "label": "English", "count": 17}
    assert facets["month"] == [{"value": "2025-03", "label": "March 2025", "count": 20}]
    facets = find(searcher, per_page=1).as_json("ru")["facets"]
    assert facets["agency"][0]["label"] == "Акимат города Алматы"
    assert facets["month"][0]["label"] == "март 2025\u202fг."


# -- did you mean ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [
        ("Dossayef", "Dossayev"),
        ("министрество", "министерство"),
        ("title:Dossayef", "title:Dossayev"),
        ("Title:Dossayef", "Title:Dossayev"),
        ("Dossayef -land", "Dossayev -land"),
        ('"Yerbolat Dosayev"', '"Yerbolat Dossayev"'),  # a phrase matches words, not names
        ("Kazakhztan", "Kazakhstan"),
    ],
)
def test_suggestion_for_a_misspelling(searcher, q, suggestion):
    results = find(searcher, q)
    assert results.total == 0
    assert results.suggestion == suggestion
    assert find(searcher, suggestion).total > 0


@pytest.mark.parametrize(
    "q", ["Dossayev", "министерство", "Fitch", "жильё", "title:", "Congr*", "title:Congr*"]
)
def test_no_suggestion_for_a_correct_query_or_a_field_marker(searcher, q):
    assert find(searcher, q).suggestion is None


def test_no_suggestion_that_finds_nothing_within_the_filters(searcher):
    assert find(searcher, "Dossayef", agency="almaty").suggestion == "Dossayev"
    assert find(searcher, "Dossayef", agency="economy").suggestion is None


# -- similar releases --------------------------------------------------------------------


def test_similar_releases_rank_the_same_topic_first(searcher):
    similar = [hit.id for hit in searcher.similar(CAMPAIGN[2])]
    assert CAMPAIGN[2] not in similar
    assert set(similar[:2]) == {CAMPAIGN[0], CAMPAIGN[1]}
    similar = [hit.id for hit in searcher.similar(DOSSAYEV[2])]
    assert DOSSAYEV[2] not in similar
    assert similar[0] == DOSSAYEV[0]  # the other Congress Center release
    similar = [hit.id for hit in searcher.similar(HOUSING_RU)]
    assert set(similar[:2]) == {GDP_RU, CAPITAL_LAW_RU}
    assert len(searcher.similar(CAMPAIGN[0], limit=3)) == 3
    assert searcher.similar("no-such-release") == []


# -- anything can be typed ---------------------------------------------------------------------


HOSTILE = [
    '"', "(", ")", "title:", "title:(", 'title:"', "AND AND", "OR", "NOT", "NOT NOT", "*",
    "**", "-", "- -", "\\", '\\"', ":::", "%", "^", "~", "[a TO z]", "{}", "x" * 10_000,
    "Fitch " * 2000, "(" * 1000, "NOT " * 1000, "a* " * 2000, "\x00", "Fi\x00tch", "😀",
    "😀 Almaty", "Алматы Almaty жильё EBRD", "Fitch' OR '1'='1", "'; DROP TABLE releases; --",
    "<script>alert(1)</script>", "\u200b", "𝕱𝖎𝖙𝖈𝖍", "title:title:", "Fitch^2",
    "body:Fitch", "agency:almaty", "\udcff", "Fitch\udcff", "ТИТЛЕ:", '"Clean', "a:b:c",
]


@pytest.mark.parametrize("q", HOSTILE, ids=lambda q: repr(q[:20]))
def test_hostile_queries_are_searched_never_an_error(searcher, q):
    for sort in ("relevance", "newest"):
        results = find(searcher, q, sort=sort)
        assert 0 <= results.total <= 20
        assert len(results.hits) == min(results.total, 20)
        assert len(results.request.q) <= MAX_QUERY_CHARS
        for hit in results.hits:
            assert "<script" not in hit.snippet


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"Fitch', [FITCH]),  # unbalanced quote: plain words
        ("Fitch)", [FITCH]),
        ("(title:Fitch", [FITCH]),
        ("😀 Fitch", [FITCH]),
        ("Fitch\x00", [FITCH]),
        ("FITCH", [FITCH]),
        ("'; DROP TABLE releases; --", []),
    ],
)
def test_broken_syntax_is_searched_as_plain_words(searcher, q, expected):
    assert ids(find(searcher, q)) == expected


def test_operator_words_alone_are_searched_as_words(searcher):
    assert found(searcher, "AND AND") == found(searcher, "and")
    assert found(searcher, "OR") == found(searcher, "or") == {DOSSAYEV[4]}
    assert find(searcher, "title:").total == find(searcher, "title").total


def test_a_query_without_words_lists_everything(searcher):
    for q in ('"', "*", ":::", "😀", "\u200b"):
        assert ids(find(searcher, q, per_page=100)) == ALL, repr(q)


def test_long_queries_are_cut_to_the_limit(searcher):
    q = "Fitch" + " Fitch" * 200 + " zzzz"  # zzzz lies beyond the limit
    results = find(searcher, q)
    assert MAX_QUERY_CHARS - len(" Fitch") < len(results.request.q) <= MAX_QUERY_CHARS
    assert results.request.q.endswith(" Fitch")  # cut between words, not inside one
    assert ids(results) == [FITCH]
    assert len(find(searcher, "x" * 10_000).request.q) == MAX_QUERY_CHARS
    started = time.monotonic()
    direct = searcher.search(SearchRequest(q=q + "x" * 10_000))  # not via from_params
    assert ids(direct) == [FITCH]
    assert time.monotonic() - started < 3  # a 10,000-letter word is not respelled


def test_the_index_is_untouched_by_hostile_queries(searcher):
    find(searcher, "'; DROP TABLE releases; --")
    assert find(searcher).total == 20 == searcher.count_all()


# -- sharing and freshness ---------------------------------------------------------------------


def test_one_searcher_is_safe_across_threads(searcher):
    queries = [
        ("жильё", {}), ("Kazakhstan", {"agency": ["economy", "ecogeo"]}), ("NOT Almaty", {}),
        ("инвест* OR Fitch", {}), ("", {"lang": "ru"}), ("Dosayev", {}),
        ('"Clean Kazakhstan"', {"sort": "oldest"}), ("meeting", {"per_page": 3, "page": 2}),
    ]
    expected = [find(searcher, q, **p).as_json() for q, p in queries]
    errors: list[BaseException] = []
    mismatches: list[str] = []

    def work(offset: int) -> None:
        try:
            for n in range(20):
                i = (offset + n) % len(queries)
                q, params = queries[i]
                if find(searcher, q, **params).as_json() != expected[i]:
                    mismatches.append(q)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not mismatches


def test_a_searcher_forgets_words_an_updated_release_lost(tiny_index, tmp_path):
    """Postings read for one search are kept for the next; an update must still show."""
    searcher = Searcher(tiny_index)
    assert found(searcher, "zebrafish") == {"almaty-990001-en", "almaty-990002-ru"}
    assert found(searcher, "hatchery") == {"almaty-990001-en"}
    listing = tmp_path / "listing.txt"
    listing.write_text(LISTING.replace("Zebrafish hatchery opened.", "A pond opened."),
                       encoding="utf-8")
    assert sum(index_paths([listing], tiny_index).updated.values()) == 1
    time.sleep(REFRESH_SECONDS + 0.1)
    assert found(searcher, "zebrafish") == {"almaty-990002-ru"}
    assert found(searcher, "hatchery") == set()
    assert found(searcher, "pond") == {"almaty-990001-en"}


def test_a_searcher_sees_new_commits_without_restart(tiny_index, tmp_path):
    searcher = Searcher(tiny_index)
    assert find(searcher).total == 2
    assert found(searcher, "zebrafish") == {"almaty-990001-en", "almaty-990002-ru"}
    newer = tmp_path / "newer.txt"
    newer.write_text(NEWER, encoding="utf-8")
    index_paths([newer], tiny_index)
    time.sleep(REFRESH_SECONDS + 0.1)
    results = find(searcher)
    assert results.total == 3
    assert ids(results)[0] == "ecogeo-990003-en"  # the newest
    assert found(searcher, "zebrafish") == {
        "almaty-990001-en", "almaty-990002-ru", "ecogeo-990003-en",
    }
    assert facet(results, "agency") == [("almaty", 2), ("ecogeo", 1)]
    assert [hit.id for hit in searcher.similar("ecogeo-990003-en")][:1] == ["almaty-990001-en"]
