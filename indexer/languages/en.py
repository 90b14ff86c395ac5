"""English: simplemma's dictionary lemma, and no stem of it.

A Snowball stem on top of the lemma merged different words (international = internal,
experience = experiment, university = universe, operator = operation, organ =
organization: 13 of 16 such pairs). simplemma is applied twice because its table maps some
forms to another form rather than to the lemma (`meetings` → `meeting` → `meet`).

nltk's Snowball stemmer serves only words simplemma does not know (new coinages, names,
transliterations), so that their plural and verb forms still meet; a known word is never
stemmed. On the bundled corpus 136 of its 1,317 Latin words are unknown to simplemma;
the stem merges one pair of them (microdistrict/microdistricts) and no two different
words.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import simplemma

from indexer.languages import common_words

if TYPE_CHECKING:
    from nltk.stem.snowball import SnowballStemmer

TERM_CACHE_SIZE = 200_000
"""English word forms whose lemma is remembered per process (names ask for it again)."""


@lru_cache(maxsize=TERM_CACHE_SIZE)
def term(word: str, capitalised: bool = False) -> str:
    """The lemma of a lower-case English word (`children` → `child`)."""
    lemma = _lemma(word)
    if lemma != word:
        return _lemma(lemma)
    return lemma if simplemma.is_known(word, lang="en") else _stemmer().stem(word)


def name_base(word: str, capitalised: bool, mid_sentence: bool) -> str | None:
    """The word as written (English names do not inflect; the tokenizer drops `'s`), for
    a rare word, or a common one capitalised inside a sentence (`Roman`, `Bolashak`)."""
    if word not in common_words("en") and term(word) not in common_words("en"):
        return word
    return word if capitalised and mid_sentence else None


def is_word(word: str) -> bool:
    """Whether the dictionary has this very form (not a stem of an unknown word)."""
    return simplemma.is_known(word, lang="en")


def known_forms(prefix: str) -> set[str]:
    """The lemmas of the dictionary's word forms that begin with `prefix`: what a prefix
    query means in a lemma index (`childr*` → `child`, for `children`)."""
    forms = _dictionary_forms()
    found = set()
    for i in range(bisect_left(forms, prefix), len(forms)):
        if not forms[i].startswith(prefix):
            break
        found.add(term(forms[i]))
    return found


@cache
def _dictionary_forms() -> list[str]:
    """simplemma's English word forms, lower case, sorted (~180,000; loaded on first use)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    forms = DefaultDictionaryFactory().get_dictionary("en")
    return sorted(form for form in forms if form.isalpha() and form.islower())


def _lemma(word: str) -> str:
    """simplemma's lemma, unless it is not a plain word (it maps `etc` to `etc.`)."""
    lemma = simplemma.lemmatize(word, lang="en").lower()
    return lemma if lemma.isalpha() else word


@cache
def _stemmer() -> SnowballStemmer:
    """nltk's Snowball English stemmer (needs no downloaded data), imported on first use:
    importing nltk costs ~0.9 s (it pulls in scipy)."""
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")
