"""The cross-script name key: one Latin spelling-insensitive key for a name in Russian
Cyrillic, Kazakh Cyrillic or any common Latin spelling (Токаев, Тоқаев, Tokayev, Toqayev,
Tokaev → `tokaev`).

Cyrillic is first folded to Russian letters (Kazakh-only letters to their Russian
neighbours: қ → к, ң → н, ұ ү → у, і → и …), transliterated by iuliia's WIKIPEDIA scheme
(the closest to official English spellings, 85% exact), then every Latin spelling is
folded alike: accents dropped, only letters kept (apostrophes, hyphens), sh/ch/zh kept
apart, zh = j, kh = h = k, q = k, c = k, y = i, w = v, x = ks, an i before e dropped
(Yerbolat = Erbolat, Dossayev = Dossaev), ui before a consonant = u (Kazakh уы:
Bauyrzhan = Baurzhan), doubled letters single (Dossayev = Dosayev).
Measured on 159 real name pairs: 157 Russian↔English and 140 Kazakh↔English met.

Kazakh ө is written о or у in Russian (Көкшетау/Кокшетау, Шөкеев/Шукеев): a word with
it gets both keys.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import iuliia

KEY_CACHE_SIZE = 200_000
"""Name bases whose keys are remembered per process: iuliia takes ~0.1 ms a word."""

_TO_RUSSIAN = str.maketrans("әғқңұүһі", "агкнуухи")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_NOT_LETTER = re.compile(r"[^a-z]")
_DIGRAPHS = (("shch", "S"), ("sh", "S"), ("ch", "C"), ("zh", "J"), ("kh", "k"), ("ph", "f"))
_LETTERS = str.maketrans({"j": "J", "h": "k", "q": "k", "c": "k", "y": "i", "w": "v",
                          "x": "ks"})
_SPECIAL = str.maketrans({"ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d",
                          "ł": "l"})
_I_BEFORE_E = re.compile(r"i+(?=e)")
_UI = re.compile(r"ui(?=[^aeiou])")  # Kazakh уы/ұы: Бауыржан = Baurzhan
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=KEY_CACHE_SIZE)
def keys(base: str) -> tuple[str, ...]:
    """The keys of a name's base form (lower case, lemmatized): one, or two for Kazakh ө."""
    if not _CYRILLIC.search(base):
        return (_fold(base),)
    russian = base.translate(_TO_RUSSIAN)
    variants = [russian.replace("ө", "о"), russian.replace("ө", "у")] if "ө" in russian \
        else [russian]
    return tuple(dict.fromkeys(_fold(iuliia.WIKIPEDIA.translate(v)) for v in variants))


def _fold(latin: str) -> str:
    text = unicodedata.normalize("NFKD", latin.lower().translate(_SPECIAL))
    text = _NOT_LETTER.sub("", text)
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    text = _UI.sub("u", _I_BEFORE_E.sub("", text.translate(_LETTERS)))
    return _DOUBLED.sub(r"\1", text)
