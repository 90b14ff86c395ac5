"""The analysis chain: tokens, terms, spans and positions, and a Whoosh index built on it."""

import pickle
import re
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import ID, TEXT, Schema

from indexer.analysis import analyze, govpress_analyzer, in_language, normalize_word
from search.query import QueryParser as GovpressParser

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "000_b09e075d879a1931.txt"


def spans(text: str, **kwargs) -> list[tuple[str, int, str]]:
    """(term, position, original text of the span) for each token of a Russian release."""
    tokens = govpress_analyzer()(in_language(text, "ru"), positions=True, chars=True, **kwargs)
    return [(t.text, t.pos, text[t.startchar : t.endchar]) for t in tokens]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("жильё жилья жилье жильём Жильё ЖИЛЬЯ", ["жилье"] * 6),
        ("квадратных метров", ["квадратный", "метр"]),
        ("людей детей", ["человек", "ребенок"]),
        (
            "children women held built planting trees ministries meetings",
            ["child", "woman", "hold", "build", "plant", "tree", "ministry", "meet"],
        ),
        (
            "Kazakhstan's Women's Kazakhstan’s KAZAKHSTAN'S",
            ["kazakhstan", "woman", "kazakhstan", "kazakhstan"],
        ),
    ],
)
def test_word_forms_meet_their_base_form(text, terms):
    assert analyze(text, "ru") == terms


def test_english_forms_share_a_term():
    assert len(set(analyze("plant plants planted planting", "ru"))) == 1
    assert analyze("child", "ru") == analyze("children", "ru") == analyze("Children's", "ru")


def test_latin_words_in_russian_text_are_normalized_as_english():
    russian = analyze("Программа ЕБРР и KPI агентства Fitch Ratings", "ru")
    english = analyze("EBRD programme, KPI, Fitch rating", "ru")
    assert {"ebrd", "kpi", "fitch", "rating"} <= set(english)
    assert {"kpi", "fitch", "rating"} <= set(russian)
    assert analyze("EBRD", "ru") == analyze("ЕБРР и EBRD", "ru")[-1:]


def test_words_with_a_letter_of_the_other_script_are_read_in_their_main_script():
    # Latin "a" in a Russian word, Cyrillic "а" in an English one, Latin "i" for Kazakh "і".
    assert analyze("Кaзахстане Almаty министрлiгi", "ru") == [
        *analyze("Казахстан", "ru"),
        *analyze("Almaty", "ru"),
        *analyze("министрлігі", "ru"),
    ]


def test_glued_sentences_split():
    assert analyze("in 2024.Among them online.The event", "ru") == analyze(
        "in 2024 Among them online The event"
    )
    assert analyze("2024.Among", "ru") == ["2024", "among"]


def test_urls_give_no_tokens_even_glued_to_a_word():
    text = (
        "Government.https://primeminister.kz/ru/news/vvod-19-mln-29808 next "
        "www.gov.kz/memleket/entities/almaty then GovernmentHTTPS://x.kz/a end"
    )
    assert [original for _, _, original in spans(text)] == [
        "Government",
        "next",
        "then",
        "Government",
        "end",
    ]


def test_hyphenated_words_split_into_parts():
    assert analyze("Al-Farabi январь-февраль Kazakh-Croatian Samal-1", "ru") == [
        *analyze("Al Farabi январь февраль Kazakh Croatian", "ru"),
        "samal",
        "1",
    ]


def test_numbers_are_kept_as_written():
    text = "19 млн, 5,4% роста, $541 млн, 2025 год, 04.03.2025, 1,000 trees, COVID19, 3rd"
    assert [original for _, _, original in spans(text)] == [
        "19", "млн", "5,4", "роста", "541", "млн", "2025", "год",
        "04.03.2025", "1,000", "trees", "COVID19", "3rd",
    ]  # fmt: skip
    terms = set(analyze(text, "ru"))
    assert {"19", "5,4", "541", "2025", "04.03.2025", "1,000", "covid19"} <= terms


def test_punctuation_and_apostrophes_separate_words():
    assert analyze("«Алматы – наш общий дом»: (KPI) it's O'Brien under_score", "ru") == [
        *analyze("Алматы наш общий дом KPI it", "ru"),
        "o",
        *analyze("Brien under score", "ru"),
    ]


def test_spans_are_the_original_words_and_positions_count_tokens():
    text = "Government.https://x.kz/a Kazakhstan’s Al-Farabi: 5,4%, жильё.Ввод"
    assert spans(text) == [
        ("government", 0, "Government"),
        ("kazakhstan", 1, "Kazakhstan"),
        ("al", 2, "Al"),
        ("farabi", 3, "Farabi"),
        ("5,4", 4, "5,4"),
        ("жилье", 5, "жильё"),
        ("ввод", 6, "Ввод"),
    ]


def test_start_offsets_shift_spans_and_positions():
    tokens = govpress_analyzer()("a b", positions=True, chars=True, start_pos=5, start_char=100)
    assert [(t.pos, t.startchar, t.endchar) for t in tokens] == [(5, 100, 101), (6, 102, 103)]


def test_every_span_of_the_corpus_is_a_word_or_number():
    text = CORPUS.read_text(encoding="utf-8")
    originals = [original for _, _, original in spans(text)]
    assert len(originals) > 6000
    assert all(re.fullmatch(r"[^\W_]+|\d+(?:[.,]\d+)+", original) for original in originals)
    assert not {"https", "http", "www", "memleket", "primeminister"} & {
        o.lower() for o in originals
    }


def test_queries_analyze_like_documents():
    """A query word's first term is its Russian one; a Kazakh reading may follow it at the
    same position."""
    text = "Детей и children: 19 млн квадратных метров жилья"
    first: dict[int, str] = {}
    for t in govpress_analyzer()(text, mode="query", positions=True):
        first.setdefault(t.pos, t.text)
    assert list(first.values()) == analyze(text, "ru")


def test_untokenized_query_text_is_only_case_and_yo_folded():
    tokens = govpress_analyzer()("Жильё*", tokenize=False, mode="query")
    assert [t.text for t in tokens] == ["жилье*"]


def test_normalize_word_gives_the_index_term():
    assert normalize_word("Жильём") == "жилье"
    assert normalize_word("Children") == "child"
    assert normalize_word("2025") == "2025"
    assert normalize_word("жил*") == "жил*"


def test_analyzer_pickles_small_and_equal():
    analyzer = govpress_analyzer()
    dumped = pickle.dumps(analyzer)
    assert len(dumped) < 1000
    assert pickle.loads(dumped) == analyzer


@pytest.fixture
def searcher(tmp_path):
    """A Whoosh index on disk with this analyzer, reopened so its schema is unpickled."""
    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=govpress_analyzer()),
        body=TEXT(analyzer=govpress_analyzer(), stored=True),
    )
    with index.create_in(tmp_path, schema).writer() as writer:
        for release_id, lang, body in [
            ("housing", "ru", "Ввод 19 млн квадратных метров жилья"),
            ("children", "en", "Schools for children were built."),
            ("scattered", "ru", "Метров жилья нет, квадратных тоже."),
        ]:
            writer.add_document(id=release_id, body=in_language(body, lang), _stored_body=body)
    with index.open_dir(tmp_path).searcher() as opened:
        yield opened


def found(searcher, query: str) -> list[str]:
    parsed = GovpressParser(searcher.schema).parse(query)
    return sorted(hit["id"] for hit in searcher.search(parsed.query))


def test_index_finds_every_form_of_a_query_word(searcher):
    assert found(searcher, "жильё") == ["housing", "scattered"]
    assert found(searcher, "child") == ["children"]
    assert found(searcher, "build") == ["children"]


def test_index_phrase_query_matches_inflected_phrase(searcher):
    assert found(searcher, '"квадратный метр"') == ["housing"]
    assert found(searcher, '"квадратных метров"') == ["housing"]


def test_index_highlights_the_original_word(searcher):
    parsed = GovpressParser(searcher.schema).parse("жильё")
    hit = next(hit for hit in searcher.search(parsed.query) if hit["id"] == "housing")
    assert re.search(r"<b[^>]*>жилья</b>", hit.highlights("body"))


def test_find_terms_is_the_analyzers_tokens_filtered():
    from indexer.analysis import find_terms

    text = CORPUS.read_text(encoding="utf-8")
    tokens = [
        (t.startchar, t.endchar, t.text)
        for t in govpress_analyzer()(in_language(text, "ru"), chars=True)
    ]
    for wanted in ({"жилье", "метр"}, {"child", "almaty", "2025"}, {"primeminister", "kz"}):
        expected = [span for span in tokens if span[2] in wanted]
        assert expected
        assert find_terms(text, "ru", wanted.__contains__) == expected
