"""Russian: pymorphy3's dictionary lemma; names read as names.

pymorphy3 guesses an unknown surname as some other word (Бектенов → бектен, Бектенова →
бектеновый, Токаев → токай, Токаеву → токаева). A capitalised word that is not a common
word is therefore read as a name first (`_name_lemma`): a singular surname reading, a
dictionary first name, patronymic or place, else by the shape of Russian surnames
(-ов/-ев/-ин/-ын with their case endings, feminine folded to the masculine: Бектенова,
Бектеновым, Токаеву → бектенов, токаев). Measured on 200 inflected surname forms: 199
met their English spelling this way, 157 with pymorphy3's first reading. Common words
keep their ordinary lemma even when capitalised at a sentence start (Мира → мир, not
the name Мира).

A name's cross-script key reads the name this way whatever the case, so a query typed in
lower case (`токаева`) still finds the name through the key.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pymorphy3

from indexer.languages import common_words

_NAME_TAGS = frozenset({"Name", "Patr", "Geox"})
_SURNAME = re.compile(r"(.{2,}?(?:ов|ев|ин|ын))(?:а|у|ым|ом|ой|ою|е|ы|ых|ыми)?")
"""A Russian surname in any case form, its masculine nominative captured."""


def term(word: str, capitalised: bool = False) -> str:
    """The lemma of a lower-case Russian word (`жилья` → `жилье`, `Токаеву` → `токаев`)."""
    if capitalised and not _is_common(word):
        name = _name_lemma(word)
        if name is not None:
            return name
    return _lemma(word)


def name_base(word: str, capitalised: bool, mid_sentence: bool) -> str | None:
    """The name a rare word reads as (or its lemma); a common word only when capitalised
    and pymorphy3 knows it as a name (`Роман`, `Казахстан`), never `год` or `море`."""
    if not _is_common(word):
        return _name_lemma(word) or _lemma(word)
    if capitalised and _is_known_name(word):
        return _name_lemma(word)
    return None


def is_word(word: str) -> bool:
    """Whether the dictionary has this very form (a lemma that reads as a word)."""
    return _morph().word_is_known(word)


def _is_common(word: str) -> bool:
    common = common_words("ru")
    return word in common or _lemma(word) in common


def _is_known_name(word: str) -> bool:
    return any(
        parse.is_known and parse.tag.grammemes & (_NAME_TAGS | {"Surn"})
        for parse in _parse(word)
    )


def _name_lemma(word: str) -> str | None:
    """The word read as a name: a singular surname reading; a dictionary first name,
    patronymic or place; the shape of a surname; the word itself where some reading
    has it as its lemma (unknown indeclinable names: Маулен, Акорда); a guessed singular
    name reading; else None."""
    parses = _parse(word)
    for parse in parses:
        if {"Surn", "sing"} <= parse.tag.grammemes:
            surname = _masculine(parse.normal_form.replace("ё", "е"))
            if _SURNAME.fullmatch(surname):
                return surname
    for parse in parses:
        if parse.is_known and "sing" in parse.tag.grammemes and parse.tag.grammemes & _NAME_TAGS:
            return parse.normal_form.replace("ё", "е")
    surname = _SURNAME.fullmatch(word)
    if surname:
        return surname.group(1)
    names = [
        parse.normal_form.replace("ё", "е") for parse in parses
        if parse.tag.grammemes & (_NAME_TAGS | {"Surn"}) and "sing" in parse.tag.grammemes
        and "Infr" not in parse.tag.grammemes
    ]
    if word in names or any(parse.normal_form == word for parse in parses):
        return word
    return names[0] if names else None


def _masculine(surname: str) -> str:
    """Бектенова → бектенов: pymorphy3 names some feminine surnames by their own form."""
    return surname[:-1] if re.search(r"(?:ов|ев|ин|ын)а$", surname) else surname


def _lemma(word: str) -> str:
    return _parse(word)[0].normal_form.replace("ё", "е")


@lru_cache(maxsize=4096)
def _parse(word: str) -> list:
    """pymorphy3's readings, kept for the few calls one word's term and key make (the
    name keys of a release are read right after its body's terms)."""
    return _morph().parse(word)


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    """One Russian analyzer per process, loaded on first use (~0.1 s, ~15 MB)."""
    return pymorphy3.MorphAnalyzer()
