"""Kazakh: one key per word shared by all its inflected forms (министрлігінің → министрлік).

The Apertium Kazakh analyser (`apertium_kaz/kaz.automorf.hfstol`, GPL-3.0, see its
PROVENANCE.md) gives every reading of a form; one key is chosen from them:
- A word that is itself a dictionary entry keys to itself: `келісім` 'agreement' is not
  `келіс` + 'my', `ақша` 'money' is not `ақ` 'white' + equative. Exceptions: an entry
  that is a verb's past participle keys to the verb (`өткен` 'past' → `өту`), a noun that
  is a verb's -у form keys with the verb (`ашылу`), a plural listed as an entry is the
  plural of its noun (`балалар` → `бала`), and a common verb's -ды/-ді past beats an
  entry spelled alike (`етті` 'did', not 'meaty'; see `_common_past`).
- Verbs key to their -у form (`өтті`, `өтеді` → `өту`), so they meet the nouns made from
  them (`даму`, `кездесу`, `қатысу` are dictionary nouns as well); a passive keys to its
  active verb (`ұсынылды` → `ұсыну`). Of several verb stems, the one read most often, then
  the longest (`өтеді` → `өт`, `қарады` → `қара`).
- Readings that add a derivational suffix (causative, cooperative, reflexive, comparative,
  similative, equative) are dropped when a plain reading exists (`қатысады` is `қатыс`,
  not `қат` + cooperative; `қолдайды` 'supports' is not `қол` 'hand' + 'like').
- A form read both as a noun and as a verb is taken as the noun (`орындар` 'places', not
  'they will fulfil'), unless it is a common verb's -ды/-ді past (`өтті` 'it took place',
  not 'the gall' in the accusative). Among nouns the longest lemma wins (the least taken
  off: `тұрғыны` → `тұрғын`, not `тұрғы`).
- Proper nouns are stored capitalised in the analyser: a lower-case word is also looked up
  capitalised (`тоқаевтың` → `тоқаев`); common-noun readings win over proper ones, and a
  given name that is also a verb's past (`Берді` 'gave') does not make it an entry.
Words the analyser does not know (new words such as `цифрландыру`, names in Russian
spelling) go to a suffix stripper that follows vowel harmony and consonant assimilation and
keeps a stem of at least `MIN_STEM` letters.

Lookup is pyhfst (its wheels carry a compiled extension, else pure Python: no compiler at
install); apertium_kaz/PROVENANCE.md has the comparison that chose it. The transducer loads
lazily once per process (~0.1 s); lookups make a fresh analyzer per call over read-only
tables, so threads may share it. Nothing is kept on objects: callers may be pickled.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

import pyhfst

CACHE_SIZE = 500_000
"""Word forms whose key is remembered per process: about a large corpus's vocabulary."""

MIN_STEM = 4
"""The suffix stripper leaves at least this many letters (short stems are dictionary words)."""

MAX_WORD = 48
"""Longer runs of letters are no Kazakh word (the longest have ~35 letters) and are kept as
they are: the analyser's time grows faster than the length (2,000 letters take ~1 s)."""

TRANSDUCER = "apertium_kaz/kaz.automorf.hfstol"

_READING = re.compile(r"([^<]+)((?:<[^<>]+>)*)")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+(?:-[\u0400-\u04ff]+)*")

_DERIVATIONAL = frozenset({"caus", "coop", "refl", "comp", "sim", "equ"})
_VERB = frozenset({"v", "vaux"})
_NOUN = frozenset({"n", "np"})
_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")

Reading = tuple[str, tuple[str, ...]]
"""(lemma as the analyser spells it, tags) of the main word of one analysis."""


@cache
def _analyser() -> pyhfst.Hfst:
    path = resources.files("indexer.languages").joinpath(TRANSDUCER)
    with resources.as_file(path) as file:
        return pyhfst.HfstInputStream(str(file), cache=False).read()


def _readings(word: str) -> list[Reading]:
    """The readings of one spelling; clitics after `+` (copula, emphasis) are left out."""
    found = []
    for analysis, _weight in _analyser().lookup(word):
        match = _READING.match(analysis)
        if match:
            found.append((match.group(1), tuple(re.findall(r"<([^<>]+)>", match.group(2)))))
    plurals = {lemma.lower() for lemma, tags in found if "pl" in tags}
    # A plural listed as an entry of its own (балалар 'children') is the plural of its noun.
    return [
        (lemma, tags)
        for lemma, tags in found
        if not any(lemma.lower() == stem + suffix for stem in plurals for suffix in _PLURAL)
    ]


def _infinitive(stem: str) -> str:
    """The -у form of a verb stem, spelled as Kazakh writes it: оқы → оқу, қой → қою."""
    if stem.endswith(("ы", "і")):
        return stem[:-1] + "у"
    if stem.endswith("й"):
        return stem[:-1] + "ю"
    if stem.endswith("и"):
        return stem + "ю"
    return stem + "у"


def _is_verb(reading: Reading) -> bool:
    return reading[1][:1] != () and reading[1][0] in _VERB


def _is_past_3rd_person(reading: Reading) -> bool:
    """A verb's -ды/-ді/-ты/-ті past ('took place', 'did': өтті, етті)."""
    tags = reading[1]
    return _is_verb(reading) and "ifi" in tags and "p3" in tags


def _common_past(readings: list[Reading]) -> list[Reading]:
    """The past readings that win over a noun or adjective spelled alike: those of a verb
    whose stem is that noun too (өт 'gall' + accusative, ет 'meat' + -ті 'with meat',
    қатыс 'relation' + -ты 'concerning'), or of an auxiliary, the commonest verbs (алды
    'took', not алды 'front'). Other entries stay themselves: `жасанды` 'artificial' is
    not 'dressed up'."""
    nouns = {lemma.lower() for lemma, tags in readings if tags[:1] != () and tags[0] in _NOUN}
    past = [r for r in readings if _is_past_3rd_person(r)]
    auxiliaries = {lemma.lower() for lemma, tags in readings if tags[:1] == ("vaux",)}
    return [r for r in past if r[0].lower() in nouns | auxiliaries]


def _plain(readings: list[Reading]) -> list[Reading]:
    """Readings without a derivational suffix, if there are any (the passive is not one)."""
    return [r for r in readings if not _DERIVATIONAL.intersection(r[1])] or readings


def _verb_key(verbs: list[Reading]) -> str:
    """The -у form of the stem read most often, then the longest: a passive (жасалды) is
    its active verb (жасау); `өтеді` is `өт` (transitive and intransitive) more than `өте`;
    `қарады` is `қара`, not `қар`."""
    plain = _plain(verbs)
    readings: dict[str, int] = {}
    for lemma, _tags in plain:
        readings[lemma.lower()] = readings.get(lemma.lower(), 0) + 1
    passives = {lemma.lower() for lemma, tags in plain if "pass" in tags}
    stem = max(readings, key=lambda s: (s in passives, readings[s], len(s), s))
    return _infinitive(stem)


def _verbal_noun(key: str, verbs: list[Reading]) -> str:
    """A noun that is the -у form of a verb read in the same word keys to that verb."""
    if verbs and key in {_infinitive(lemma.lower()) for lemma, _tags in _plain(verbs)}:
        return _verb_key(verbs)
    return key


def _choose(readings: list[Reading]) -> str:
    readings = _plain(readings)
    verbs = [r for r in readings if _is_verb(r)]
    nominal = [r for r in readings if not _is_verb(r)]
    if not nominal:
        return _verb_key(verbs)
    past = _common_past(readings)
    if past:
        return _verb_key(past)
    nouns = [r for r in nominal if r[1][:1] != () and r[1][0] in _NOUN] or nominal
    lemma, _tags = max(nouns, key=lambda r: (len(r[0]), r[0]))
    return _verbal_noun(lemma.lower(), verbs)


def _lexical_key(word: str) -> str | None:
    """The key from the analyser's readings, or None when it knows no reading."""
    common = _readings(word)
    proper = _readings(word.capitalize()) if word.capitalize() != word else []
    if not common and not proper:
        return None
    verbs = [r for r in common if _is_verb(r)]
    past = _common_past(common)
    # A given name that is also a verb's past (Берді 'gave') makes no word an entry.
    finite = any(_is_past_3rd_person(r) for r in verbs)
    entries = common + [r for r in proper if not (finite and "ant" in r[1])]
    if any(not _is_verb(r) and r[0].lower() == word for r in entries):
        participles = [r for r in verbs if r[1][-1] == "gpr_past"]
        if past or participles:
            return _verb_key(past or participles)
        return _verbal_noun(word, verbs)
    return _choose(common or proper)


@lru_cache(maxsize=CACHE_SIZE)
def lemma(word: str) -> str:
    """The key all forms of a Kazakh word share, lower-case; words of other scripts as is."""
    word = word.lower()
    if not _CYRILLIC_WORD.fullmatch(word):
        return word
    if len(word) <= MAX_WORD:
        key = _lexical_key(word)
        if key is not None:
            return key
    if "-" in word:
        return "-".join(lemma(part) for part in word.split("-"))
    if len(word) > MAX_WORD:
        return word
    return strip_suffixes(word)


@lru_cache(maxsize=CACHE_SIZE)
def is_known(word: str) -> bool:
    """Whether the analyser reads this very spelling (not a stem the suffix stripper made)."""
    return len(word) <= MAX_WORD and bool(_readings(word))


@lru_cache(maxsize=CACHE_SIZE)
def is_proper(word: str) -> bool:
    """Whether the analyser reads the word as a proper noun (it may be a common word too)."""
    if not _CYRILLIC_WORD.fullmatch(word) or len(word) > MAX_WORD:
        return False
    return any(tags[:1] == ("np",) for _lemma, tags in _readings(word.capitalize()))


# The suffix stripper for words the analyser does not know.
_BACK = frozenset("аоұыяё")
_FRONT = frozenset("әөүіеэи")
_VOWELS = _BACK | _FRONT | frozenset("ую")
_VOICELESS = frozenset("пткқсшфхцчщбвгд")  # б в г д: loanwords end in them, said voiceless
_NASAL = frozenset("мнң")
_VOICED = frozenset("жз")
_GLIDE = frozenset("рйу")


def _sound(letter: str) -> str:
    """The class of a stem's last letter that picks a suffix's first consonant."""
    if letter in _GLIDE:
        return "R"  # у is a vowel or a glide: after it Kazakh writes the vowel forms
    if letter in _VOWELS:
        return "V"
    if letter == "л":
        return "L"
    if letter in _NASAL:
        return "N"
    if letter in _VOICED:
        return "Z"
    if letter in _VOICELESS:
        return "K"
    return ""


# suffix (back form, front form) -> classes of the stem's last letter it follows.
_SUFFIXES: dict[tuple[str, str], str] = {
    ("лар", "лер"): "VR",  # plural
    ("дар", "дер"): "LNZ",
    ("тар", "тер"): "K",
    ("ның", "нің"): "VN",  # genitive
    ("дың", "дің"): "RLZ",
    ("тың", "тің"): "K",
    ("ны", "ні"): "V",  # accusative
    ("ды", "ді"): "RLNZ",
    ("ты", "ті"): "K",
    ("ға", "ге"): "VRLNZ",  # dative
    ("қа", "ке"): "K",
    ("да", "де"): "VRLNZ",  # locative
    ("та", "те"): "K",
    ("дағы", "дегі"): "VRLNZ",  # locative + attributive
    ("тағы", "тегі"): "K",
    ("дан", "ден"): "VRLZ",  # ablative
    ("нан", "нен"): "N",
    ("тан", "тен"): "K",
    ("мен", "мен"): "VRLN",  # instrumental
    ("бен", "бен"): "Z",
    ("пен", "пен"): "K",
    ("сы", "сі"): "V",  # possessive, 3rd person
    ("ы", "і"): "RLNZK",
    ("мыз", "міз"): "V",  # possessive, 1st person plural
    ("ымыз", "іміз"): "RLNZK",
}
# Case endings after a 3rd-person possessive (-ы/-і/-сы/-сі): облысының, ауданына.
_AFTER_POSSESSIVE = (
    ("ның", "нің"),
    ("ндағы", "ндегі"),
    ("нда", "нде"),
    ("нан", "нен"),
    ("на", "не"),
    ("н", "н"),
)
# A stem-final voiceless consonant turns voiced before a vowel: министрлік → министрлігі.
_DEVOICE = {"ғ": "қ", "г": "к", "б": "п"}


# Russian surname endings take either harmony in Kazakh text (Тоқаевтың, Бектеновтің).
_SURNAME_ENDINGS = ("ов", "ев", "ёв", "ин", "ова", "ева", "ёва", "ина")


def _harmony(stem: str) -> str:
    """'back', 'front' or '' (either) by the stem's last vowel that decides it."""
    if stem.endswith(_SURNAME_ENDINGS):
        return ""
    for letter in reversed(stem):
        if letter in "ую":  # у, ю stand for back and front sounds alike (су, Жетісу, келу)
            return ""
        if letter in _BACK:
            return "back"
        if letter in _FRONT:
            return "front"
    return ""


def _in_harmony(stem: str, suffix: tuple[str, str], written: str) -> bool:
    harmony = _harmony(stem)
    return not harmony or suffix[0] == suffix[1] or written == suffix[harmony == "front"]


def _fits(stem: str, suffix: tuple[str, str], written: str, follows: str) -> bool:
    if len(stem) < MIN_STEM or not any(letter in _VOWELS for letter in stem):
        return False
    return _in_harmony(stem, suffix, written) and _sound(stem[-1]) in follows


def _strip_once(word: str) -> str | None:
    """The word without its last suffix, longest suffix first, or None."""
    candidates = []
    for suffix, follows in _SUFFIXES.items():
        for written in set(suffix):
            if word.endswith(written):
                stem = word[: -len(written)]
                if written[0] in "ыі" and stem[-1:] in _DEVOICE and stem[-2:-1] in _VOWELS:
                    devoiced = stem[:-1] + _DEVOICE[stem[-1]]
                    if _fits(devoiced, suffix, written, follows):
                        candidates.append((len(written), devoiced))
                        continue
                if _fits(stem, suffix, written, follows):
                    candidates.append((len(written), stem))
    for suffix in _AFTER_POSSESSIVE:
        for written in set(suffix):
            stem = word[: -len(written)]
            if (
                word.endswith(written)
                and stem.endswith(("ы", "і"))
                and len(stem) > MIN_STEM
                and _in_harmony(stem, suffix, written)
            ):
                candidates.append((len(written), stem))
    if not candidates:
        return None
    return max(candidates)[1]


def strip_suffixes(word: str) -> str:
    """The stem left when every plural, possessive and case ending is taken off."""
    while (stem := _strip_once(word)) is not None:
        word = stem
    return word
