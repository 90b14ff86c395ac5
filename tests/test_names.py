"""Names meet across scripts, spellings and cases: the gold set `data/names_dev.tsv` (real
Russian / Kazakh / English spellings of people, places and organisations, with attested
Latin variants; half of a larger set, the other half checks the work).

A name "meets" another spelling when the two, each in a release of its own language, get
a common name key, so that either query finds both releases. Misses are printed."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pymorphy3
import pytest

from indexer.analysis import name_keys

DATA = Path(__file__).resolve().parent / "data" / "names_dev.tsv"


def rows() -> list[dict[str, str]]:
    """The rows under the header, which is the last `#` line (the others describe the set)."""
    lines = DATA.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    header = comments[-1].lstrip("# ")
    data = [line for line in lines if line.strip() and not line.startswith("#")]
    return list(csv.DictReader([header, *data], delimiter="\t"))


NAMES = rows()


def meet(word: str, lang: str, english: str) -> bool:
    return not set(name_keys(word, lang)).isdisjoint(name_keys(english, "en"))


def share(pairs: list[tuple[str, str, str]]) -> float:
    misses = [(word, english) for word, lang, english in pairs if not meet(word, lang, english)]
    for word, english in misses:
        print(f"miss: {word} / {english}: {name_keys(word)} / {name_keys(english, 'en')}")
    return 1 - len(misses) / len(pairs)


def test_the_gold_set_is_read():
    assert len(NAMES) > 60
    assert {"kind", "ru", "kk", "en", "en_variants"} <= set(NAMES[0])


def test_russian_spellings_meet_the_english():
    pairs = [(row["ru"], "ru", row["en"]) for row in NAMES if "exonym" not in row["flags"]]
    assert share(pairs) >= 0.95


def test_kazakh_spellings_meet_the_english():
    pairs = [(row["kk"], "kk", row["en"]) for row in NAMES if "exonym" not in row["flags"]]
    assert share(pairs) >= 0.9


def test_attested_latin_variants_meet_the_official_spelling():
    pairs = [
        (variant, "en", row["en"])
        for row in NAMES
        for variant in row["en_variants"].split(";")
        if variant
    ]
    assert share(pairs) >= 0.8


def russian_case_forms(row: dict[str, str]) -> list[str]:
    """Genitive, dative and instrumental: surnames by rule (-ов, -ова, -ову, -овым), other
    names by pymorphy3 when its dictionary knows them as names."""
    word = row["ru"]
    if row["kind"] == "surname" and re.search(r"(?:ов|ев|ин|ын)$", word):
        return [word + ending for ending in ("а", "у", "ым")]
    parse = next(
        (p for p in _morph().parse(word) if p.is_known and p.tag.grammemes & {"Name", "Geox"}),
        None,
    )
    if parse is None:
        return []
    forms = [parse.inflect({case}) for case in ("gent", "datv", "ablt")]
    return [form.word.capitalize() for form in forms if form is not None]


def test_russian_case_forms_meet_the_english():
    pairs = [(form, "ru", row["en"]) for row in NAMES for form in russian_case_forms(row)]
    assert len(pairs) > 100
    assert share(pairs) >= 0.97


def test_lower_case_russian_forms_meet_as_a_query_does():
    pairs = [
        (form.lower(), "ru", row["en"])
        for row in NAMES if row["kind"] == "surname"
        for form in [row["ru"], *russian_case_forms(row)]
    ]
    assert share(pairs) >= 0.95


@pytest.mark.parametrize(
    ("word", "lang"),
    [("to", "en"), ("то", "ru"), ("good", "en"), ("год", "ru"), ("more", "en"),
     ("море", "ru"), ("was", "en"), ("вас", "ru")],
)
def test_common_words_get_no_name_key(word, lang):
    assert name_keys(word, lang) == ()
    assert name_keys(word) == ()


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def kazakh_case_forms(word: str) -> list[str]:
    """Genitive, dative and locative of a Kazakh name, by the textbook rules: the suffix's
    vowel follows the word's last vowel (back а о ұ ы / front ә ө ү і е), its consonant
    the word's last sound (vowel, sonorant — final у and й too —, voiced or voiceless)."""
    vowels = [c for c in word.lower() if c in "аоұыуяәөүіеэиюё"]
    front = bool(vowels) and vowels[-1] in "әөүіеэи"
    last = word[-1].lower()
    if last in "аоұыяәөүіеэиюё":
        kind = "vowel"
    elif last in "лрйуwмнң":
        kind = "sonorant"
    elif last in "жз":
        kind = "voiced"
    else:
        kind = "voiceless"
    genitive = {"vowel": "ның", "sonorant": "дың", "voiced": "дың", "voiceless": "тың"}[kind]
    if kind == "sonorant" and last in "мнң":
        genitive = "нің" if front else "ның"
    dative = {"vowel": "ға", "sonorant": "ға", "voiced": "ға", "voiceless": "қа"}[kind]
    locative = {"vowel": "да", "sonorant": "да", "voiced": "да", "voiceless": "та"}[kind]
    if front:
        genitive = genitive.replace("ы", "і")
        dative = dative.replace("ға", "ге").replace("қа", "ке")
        locative = locative.replace("а", "е")
    return [word + suffix for suffix in (genitive, dative, locative)]


def test_kazakh_case_forms_meet_the_english():
    pairs = [(form, "kk", row["en"]) for row in NAMES for form in kazakh_case_forms(row["kk"])]
    assert share(pairs) >= 0.85
