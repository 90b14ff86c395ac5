"""What each language's analysis lets a user find: names in any script, spelling and case,
Russian surnames, English lemmas without false stems, mixed-script words, suggestions and
marks — over small written releases and the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.indexing import index_paths
from search.request import SearchRequest
from search.searcher import Searcher

# (agency slug, title, body): the language is detected from the text, as for any listing.
RELEASES = [
    ("akorda", "President Tokayev met investors",
     "President Kassym-Jomart Tokayev met foreign investors in Astana."),
    ("akorda", "Токаев встретился с инвесторами",
     "Президент Касым-Жомарт Токаев встретился с иностранными инвесторами в Астане."),
    ("akorda", "Тоқаев инвесторлармен кездесті",
     "Мемлекет басшысы Қасым-Жомарт Тоқаев шетелдік инвесторлармен кездесті."),
    ("akorda", "Встреча с Токаевым",
     "Руководители компаний встретились с Президентом Токаевым в столице."),
    ("akorda", "Тоқаевтың сапары",
     "Президент Тоқаевтың Түркістан облысына сапары басталды."),
    ("gov", "Премьер-министр провел совещание",
     "Премьер-министр Олжас Бектенов провел совещание по вопросам экономики."),
    ("gov", "Смаилов посетил завод",
     "Алихан Смаилов посетил новый завод в Караганде и осмотрел цеха."),
    ("culture", "Роман Скляр открыл выставку",
     "Заместитель премьер-министра Роман Скляр открыл выставку в Павлодаре."),
    ("culture", "Новый роман писателя",
     "Писатель представил новый роман о степи читателям библиотеки."),
    ("culture", "Deputy Prime Minister opened an exhibition",
     "Deputy Prime Minister Roman Sklyar opened an exhibition in Pavlodar."),
    ("ecology", "Good news for the Caspian region",
     "More trees were planted and it was good to see volunteers go to the shore."),
    ("ecology", "Год моря",
     "Волонтеры высадили деревья у моря, то есть на берегу, где вас ждут."),
    ("mvd", "Ministry of Internal Affairs reports",
     "The Ministry of Internal Affairs reported on public order during the holidays."),
    ("mfa", "International cooperation expands",
     "Kazakhstan expands international cooperation with partners in the region."),
    ("mininfo", "A publication on media law",
     "The ministry released a publication explaining the new media law."),
    ("edu", "University admission opens",
     "The university opens admission for students of the new academic year."),
    ("edu", "Universe of science exhibition",
     "Pupils visited an exhibition about the universe and the stars."),
    ("enbek", "Eңbek programme helps jobseekers",
     "The Eңbek programme helped jobseekers in Кumis village find work."),
    ("enbek", "Enbek centre in Kumis opens",
     "A new Enbek employment centre opened in Kumis."),
    ("economy", "Ұлттық экономика министрлігінің алқа отырысы",
     "Экономика министрлігінің отырысында министрлікке жүктелген міндеттер талқыланды."),
    ("mdai", "Ұялы байланыс операторлары бойынша шешім",
     "Ұялы байланыс операторлары желіні кеңейтеді, министрлік бақылайды."),
    ("mdai", "Операторы связи расширят сеть",
     "Операторы мобильной связи расширят сеть в регионах."),
    ("mfa", "Моңғолиядағы елшілік қабылдау өткізді",
     "Моңғолиядағы Қазақстан елшілігі қабылдау ұйымдастырды."),
]


def listing(releases: list[tuple[str, str, str]]) -> str:
    lines = []
    for number, (slug, title, body) in enumerate(releases, 1):
        url = f"https://www.gov.kz/memleket/entities/{slug}/press/news/details/{number}"
        lines += [f"{title} 05.03.2025", f"{body}Source : {url}"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    root = tmp_path_factory.mktemp("languages")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "releases.txt").write_text(listing(RELEASES), encoding="utf-8")
    index_paths([corpus], root / "index")
    return Searcher(root / "index")


@pytest.fixture(scope="module")
def bundled(corpus_index: Path) -> Searcher:
    return Searcher(corpus_index)


def titles(searcher: Searcher, q: str) -> list[str]:
    results = searcher.search(SearchRequest(q=q, per_page=100))
    return [hit.title for hit in results.hits]


def hits(searcher: Searcher, q: str) -> dict[str, str]:
    """Title → snippet of every release found."""
    results = searcher.search(SearchRequest(q=q, per_page=100))
    return {hit.title: hit.snippet for hit in results.hits}


TOKAYEV = {
    "President Tokayev met investors",
    "Токаев встретился с инвесторами",
    "Тоқаев инвесторлармен кездесті",
    "Встреча с Токаевым",
    "Тоқаевтың сапары",
}


@pytest.mark.parametrize(
    "q", ["Токаев", "Tokayev", "Тоқаев", "Токаева", "Тоқаевтың", "Toqayev", "Tokaev",
          "токаева", "TOKAYEV", "Токаеву"],
)
def test_a_name_in_any_script_spelling_and_case_finds_all_three_languages(small, q):
    assert set(titles(small, q)) == TOKAYEV


def test_a_name_ranks_releases_with_the_very_word_first(small):
    found = titles(small, "Токаев")
    assert set(found[:2]) == {"Токаев встретился с инвесторами", "Встреча с Токаевым"}
    assert titles(small, "Tokayev")[0] == "President Tokayev met investors"


def test_the_name_is_marked_in_every_language(small):
    found = hits(small, "Токаев")
    assert "<mark>Tokayev</mark>" in found["President Tokayev met investors"]
    assert "<mark>Тоқаев</mark>" in found["Тоқаев инвесторлармен кездесті"]
    assert "<mark>Токаевым</mark>" in found["Встреча с Токаевым"]
    assert "<mark>Тоқаевтың</mark>" in found["Тоқаевтың сапары"]


@pytest.mark.parametrize(
    "q", ["Бектенова", "Олжаса Бектенова", "Бектенову", "Бектеновым", "бектенова", "Bektenov"]
)
def test_russian_surnames_in_any_case_find_the_nominative(small, q):
    assert titles(small, q) == ["Премьер-министр провел совещание"]


def test_a_feminine_or_inflected_surname_finds_the_masculine(small):
    assert titles(small, "Смаилова") == ["Смаилов посетил завод"]
    assert titles(small, "Smailov") == ["Смаилов посетил завод"]
    assert "<mark>Бектенов</mark>" in hits(small, "Бектенова")["Премьер-министр провел совещание"]


def test_a_name_that_is_a_common_word(small):
    sklyar = {"Роман Скляр открыл выставку", "Deputy Prime Minister opened an exhibition"}
    assert set(titles(small, "Роман")) == {*sklyar, "Новый роман писателя"}
    assert set(titles(small, "Roman")) == sklyar
    assert set(titles(small, "роман")) == {"Роман Скляр открыл выставку", "Новый роман писателя"}
    assert set(titles(small, "Скляр")) == set(titles(small, "Sklyar")) == sklyar


@pytest.mark.parametrize(
    ("english", "russian"), [("good", "год"), ("more", "море"), ("to", "то"), ("was", "вас")]
)
def test_common_words_that_transliterate_alike_stay_apart(small, english, russian):
    assert titles(small, english) == ["Good news for the Caspian region"]
    assert titles(small, russian) == ["Год моря"]
    assert titles(small, english.capitalize()) == ["Good news for the Caspian region"]
    assert titles(small, russian.capitalize()) == ["Год моря"]


@pytest.mark.parametrize(
    ("word", "other"),
    [("international", "internal"), ("university", "universe"), ("public", "publication")],
)
def test_english_words_with_a_common_stem_stay_apart(small, word, other):
    assert set(titles(small, word)).isdisjoint(titles(small, other))
    assert titles(small, word)
    assert titles(small, other)


def test_english_false_stems_on_the_bundled_corpus(bundled):
    assert titles(bundled, "international")
    assert not titles(bundled, "internal")
    assert not set(titles(bundled, "operator")) & set(titles(bundled, "operation"))


def test_a_prefix_matches_the_lemmas_of_the_words_it_begins(bundled):
    assert titles(bundled, "childr*") == titles(bundled, "children")
    assert "<mark>children</mark>" in "".join(hits(bundled, "childr*").values())


def test_mixed_script_words_meet_their_one_script_spelling(small):
    both = {"Eңbek programme helps jobseekers", "Enbek centre in Kumis opens"}
    assert set(titles(small, "Enbek")) == set(titles(small, "Eңbek")) == both
    assert set(titles(small, "Kumis")) == set(titles(small, "Кumis")) == both


@pytest.mark.parametrize("q", ["Title:Tokayev", "TITLE:Tokayev", "title:Tokayev"])
def test_field_names_in_any_case(small, q):
    assert titles(small, q) == ["President Tokayev met investors"]


def test_bundled_corpus_names_across_scripts(bundled):
    dossayev = set(titles(bundled, "Dossayev"))
    assert len(dossayev) == 5
    assert set(titles(bundled, "Досаев")) == set(titles(bundled, "Dossaev")) == dossayev
    almaty = bundled.search(SearchRequest(q="Алматы", agencies=("almaty",), per_page=100))
    assert almaty.total == 10 and {hit.lang for hit in almaty.hits} == {"en"}


@pytest.mark.parametrize("q", ["Токаев", "желі", "Бектенову", "Title:Fitch"])
def test_no_suggestion_from_another_language_a_stem_or_a_field_name(bundled, q):
    suggestion = bundled.search(SearchRequest(q=q)).suggestion
    assert suggestion is None, suggestion


def test_a_suggestion_prefers_the_spelling_with_more_releases(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    releases = [("almaty", f"Akim Dossayev visited school {n}",
                 "Akim Yerbolat Dossayev visited a school.") for n in range(4)]
    releases.append(("almaty", "Akim Dossaev opened a park", "Akim Dossaev opened a park."))
    (corpus / "releases.txt").write_text(listing(releases), encoding="utf-8")
    index_paths([corpus], tmp_path / "index")
    searcher = Searcher(tmp_path / "index")
    assert searcher.search(SearchRequest(q="Dossaef")).suggestion == "Dossayev"  # not Dossaev
    assert searcher.search(SearchRequest(q="Dosaev")).total == 5  # by the name key


def test_kazakh_word_forms_meet_their_lemma(small):
    assert set(titles(small, "министрлік")) == {
        "Ұлттық экономика министрлігінің алқа отырысы",
        "Ұялы байланыс операторлары бойынша шешім",
    }
    assert titles(small, "Моңғолия") == ["Моңғолиядағы елшілік қабылдау өткізді"]
    assert "<mark>министрлігінің</mark>" in "".join(hits(small, "министрлік").values())


def test_a_russian_letter_query_word_finds_kazakh_forms_too(small):
    assert set(titles(small, "оператор")) == {
        "Ұялы байланыс операторлары бойынша шешім",
        "Операторы связи расширят сеть",
    }
    assert "<mark>операторлары</mark>" in hits(small, "оператор")[
        "Ұялы байланыс операторлары бойынша шешім"
    ]


def test_an_index_of_the_previous_version_is_upgraded_by_an_incremental_run(tmp_path):
    """The schema of format 2: no `names`, words case-folded before lemmatizing."""
    from whoosh import index
    from whoosh.analysis import LowercaseFilter
    from whoosh.fields import TEXT

    from indexer.analysis import LemmaFilter, WordTokenizer
    from indexer.locations import bundled_corpus
    from indexer.schema import release_schema
    from indexer.storage import INDEX_NAME

    old = release_schema()
    old.remove("names")
    for name in ("title", "body"):
        old.remove(name)
        old.add(name, TEXT(analyzer=WordTokenizer() | LowercaseFilter() | LemmaFilter(),
                           stored=True, phrase=True))
    index.create_in(str(tmp_path), old, indexname=INDEX_NAME)
    index_paths([bundled_corpus()], tmp_path)
    searcher = Searcher(tmp_path)
    assert len(titles(searcher, "Досаев")) == 5
    assert titles(searcher, "Бектенова") == titles(searcher, "Бектенов")
