"""Release language detection: `ru`, `en` or `kk`, by script and a word vote.

The script rule is right on release-length text; its weak spots on short text, Kazakh
typed without its own letters and Russian quoting Kazakh names, are settled by counting
frequent words. langdetect (seeded, so deterministic) is asked only when Latin and
Cyrillic are near a tie and the word vote is tied too: it knows no Kazakh (Kazakh comes
back `ru`), answers `bg`, `et` or `es` on such text, and costs ~12 ms per release here
against ~0.2 ms for the rules, so it only breaks ties between English and Cyrillic.
"""

from __future__ import annotations

import re
from functools import lru_cache

DEFAULT_LANGUAGE = "en"
"""Answer for text without letters; English is the most common language of the listings."""

KAZAKH_LETTERS = frozenset("әғқңөұүһі")
"""Cyrillic letters Kazakh has and Russian lacks (lower case; text is case folded first)."""

URL = re.compile(
    # Any case; the leading character class lets the regex engine skip ahead fast.
    r"[hHfFwW](?:(?<=[hH])(?i:ttps?)://\S*|(?<=[fF])(?i:tp)://\S*|(?<=[wW])(?i:ww)\.\S+)"
)
"""A URL (`http://`, `https://`, `ftp://`, `www.`), also glued to a preceding word.

Language detection ignores URLs and the tokenizer skips them: slugs are not words.
"""
_LATIN_WORD = re.compile(r"[a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u052f]+")
_KAZAKH_LETTER_WORD = re.compile(r"[әғқңөұүһі][\u0400-\u052f]*")
"""From a word's first Kazakh-only letter on: one match per word that has any."""
_LETTERS = re.compile(r"[^\W\d_]+")

_BODY_LETTERS = 50
"""A body with at least this many letters decides alone: titles are sometimes untranslated."""

_NEAR_TIE = 0.5
"""Scripts are near a tie when the minority has at least this share of the majority's letters."""

_KAZAKH_SHARE = 0.01
"""Kazakh-only letters per Cyrillic letter above which text is Kazakh when the vote ties."""

# Frequent words that tell the languages apart, in lower case. The Kazakh ones have none
# of the Kazakh-only letters (words with those count anyway); words both languages use
# (`да`, `не`, `те`) are left out.
# fmt: off
_KAZAKH_WORDS = frozenset({
    "мен", "бен", "пен", "ал", "осы", "ол", "олар", "жылы", "бойынша", "туралы", "облысы",
    "ауданы", "арасында", "бастап", "болып", "болады", "болды", "деп", "деді", "атты",
    "сайын", "тиіс"
})
_RUSSIAN_WORDS = frozenset({
    "и", "в", "во", "на", "по", "с", "со", "к", "ко", "о", "об", "от", "из", "за", "для",
    "при", "что", "как", "также", "это", "его", "их", "который", "которые", "года", "году"
})
_ENGLISH_WORDS = frozenset({
    "the", "of", "and", "in", "to", "a", "for", "on", "with", "is", "was", "by", "as", "at",
    "from", "that", "this", "will", "are", "be"
})
# fmt: on
_CYRILLIC_WORDS = _RUSSIAN_WORDS | _KAZAKH_WORDS
_CYRILLIC_LANGDETECT = frozenset({"ru", "uk", "bg", "mk", "sr"})


def detect_language(text: str) -> str:
    """Return "ru", "en" or "kk" for a release's text: its title, a newline, its body.

    Latin against Cyrillic letters decides (URLs ignored); a near tie goes to a vote of
    frequent English against Russian and Kazakh words. Cyrillic text is Kazakh when words
    with Kazakh-only letters plus frequent Kazakh words outvote frequent Russian words,
    and on a tie when Kazakh-only letters make at least 1% of the Cyrillic ones.
    """
    text = _decisive_part(URL.sub(" ", text)).lower()
    latin_words = _LATIN_WORD.findall(text)
    cyrillic_words = _CYRILLIC_WORD.findall(text)
    latin = sum(map(len, latin_words))
    cyrillic = sum(map(len, cyrillic_words))
    if not latin and not cyrillic:
        return DEFAULT_LANGUAGE
    if min(latin, cyrillic) >= _NEAR_TIE * max(latin, cyrillic):
        english = _count_in(latin_words, _ENGLISH_WORDS)
        other = _count_in(cyrillic_words, _CYRILLIC_WORDS)
        if english != other:
            return "en" if english > other else _cyrillic_language(text, cyrillic_words, cyrillic)
        verdict = _langdetect_says_english(text)
        if verdict is not None:
            return "en" if verdict else _cyrillic_language(text, cyrillic_words, cyrillic)
    if latin > cyrillic:
        return "en"
    return _cyrillic_language(text, cyrillic_words, cyrillic)


@lru_cache(maxsize=1024)
def _langdetect_says_english(text: str) -> bool | None:
    """langdetect's word on English against a Cyrillic language; None if it has none."""
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        answer = detect(text)
    except LangDetectException:
        return None
    if answer == "en":
        return True
    return False if answer in _CYRILLIC_LANGDETECT else None


def _decisive_part(text: str) -> str:
    """The body alone when it has enough letters, else the whole text."""
    _, newline, body = text.partition("\n")
    return body if newline and _has_letters(body, _BODY_LETTERS) else text


def _has_letters(text: str, wanted: int) -> bool:
    found = 0
    for run in _LETTERS.finditer(text):
        found += len(run.group())
        if found >= wanted:
            return True
    return False


def _cyrillic_language(text: str, words: list[str], letters: int) -> str:
    """Kazakh or Russian for lower-case `text`, its Cyrillic `words` and their `letters`."""
    kazakh = len(_KAZAKH_LETTER_WORD.findall(text)) + _count_in(words, _KAZAKH_WORDS)
    russian = _count_in(words, _RUSSIAN_WORDS)
    if kazakh != russian:
        return "kk" if kazakh > russian else "ru"
    joined = "".join(words)
    kazakh_letters = sum(joined.count(letter) for letter in KAZAKH_LETTERS)
    return "kk" if kazakh_letters >= _KAZAKH_SHARE * letters else "ru"


def _count_in(words: list[str], vocabulary: frozenset[str]) -> int:
    return sum(map(vocabulary.__contains__, words))
