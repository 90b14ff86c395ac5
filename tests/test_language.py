"""Release language detection: script, Kazakh letters and a vote of frequent words."""

import re
from pathlib import Path

import pytest

from indexer.language import DEFAULT_LANGUAGE, detect_language

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "000_b09e075d879a1931.txt"
TITLE_WITH_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}\s*$")

KAZAKH = (
    "Ұлттық экономика министрі өңірлердің инвестициялық тартымдылығын арттыру жөнінде "
    "кеңес өткізді. Кездесуде биылғы жылдың алғашқы екі айындағы тұрғын үй құрылысының "
    "қорытындылары талқыланды."
)
RUSSIAN = (
    "На заседании штаба рассмотрели отрасль ЖКХ и инвестиционные показатели областей. "
    "Построить не менее 19 млн квадратных метров жилья – такая задача стоит в этом году."
)
ENGLISH = (
    "The Minister of Ecology held a meeting with residents of the Akmola region and "
    "representatives of non-profit organizations on waste management."
)


def corpus_releases() -> list[str]:
    """Each release of the sample listing as its title line, a newline and its body."""
    releases: list[list[str]] = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if TITLE_WITH_DATE.search(line):
            releases.append([line])
        elif releases and line.strip():
            releases[-1].append(line)
    return ["\n".join(lines) for lines in releases]


def test_bundled_corpus_first_three_releases_are_russian_the_rest_english():
    languages = [detect_language(text) for text in corpus_releases()]
    assert len(languages) == 20
    assert languages == ["ru"] * 3 + ["en"] * 17


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (RUSSIAN, "ru"),
        (ENGLISH, "en"),
        (KAZAKH, "kk"),
        (RUSSIAN.upper(), "ru"),
        (ENGLISH.upper(), "en"),
        (KAZAKH.upper(), "kk"),
    ],
)
def test_release_length_text_in_any_case(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Токаев провел совещание", "ru"),
        ("Kazakhstan and Croatia are strengthening economic cooperation", "en"),
        ("Ұлттық экономика министрлігі", "kk"),
        ("АСТАНА МЕН АЛМАТЫ АРАСЫНДАҒЫ ЖОЛ", "kk"),
        ("Жильё", "ru"),
        ("EBRD", "en"),
    ],
)
def test_short_titles(text, language):
    assert detect_language(text) == language


def test_kazakh_typed_without_its_own_letters_is_kazakh():
    text = "Министр Алматы облысы бойынша жумыс сапары туралы айтты. Осы жылы жана мектеп салынды."
    assert detect_language(text) == "kk"


def test_russian_quoting_kazakh_names_is_russian():
    text = (
        "Аким Алматинской области Марат Султанғазиев провел встречу с жителями Қонаева "
        "и обсудил вопросы водоснабжения и строительства дорог."
    )
    assert detect_language(text) == "ru"


def test_body_decides_over_an_untranslated_title():
    title = "Ввод 19 млн квадратных метров жилья рассмотрели в Правительстве"
    assert detect_language(f"{title}\n{ENGLISH}") == "en"
    assert detect_language(f"Housing construction in the regions\n{RUSSIAN}") == "ru"


def test_a_body_too_short_to_decide_leaves_it_to_the_whole_text():
    title = "Ввод 19 млн квадратных метров жилья рассмотрели в Правительстве"
    assert detect_language(f"{title}\nPress service") == "ru"


def test_urls_are_ignored():
    urls = " ".join(
        [
            "https://www.gov.kz/memleket/entities/economy/press/news/details/956947?lang=en",
            "https://primeminister.kz/ru/news/vvod-19-mln-kvadratnykh-metrov-29808",
            "www.gov.kz/memleket/entities/almaty",
        ]
    )
    assert detect_language(f"Подробнее о заседании: {urls}") == "ru"
    assert detect_language(f"Подробнее о заседании:{urls}") == "ru"


def test_russian_full_of_latin_names_is_russian():
    text = "Соглашение подписали Air Astana, Fitch Ratings и Samruk-Kazyna Invest в Астане"
    assert detect_language(text) == "ru"


@pytest.mark.parametrize("text", ["", "   \n ", "14.03.2025 19 5,4%", "https://www.gov.kz/x"])
def test_text_without_letters_gets_the_default(text):
    assert detect_language(text) == DEFAULT_LANGUAGE == "en"


def test_same_answer_every_time():
    texts = [*corpus_releases(), KAZAKH, "Astana Хаб"]
    first = [detect_language(text) for text in texts]
    for _ in range(20):
        assert [detect_language(text) for text in texts] == first
