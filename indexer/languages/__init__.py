"""Each language's analysis behind one interface: what a word becomes as terms.

A language module answers, for one lower-case word of its script:
- `term(word, capitalised)`: the index term of title and body (a dictionary lemma);
- `name_base(word, capitalised, mid_sentence)`: the form whose cross-script key
  (`names.keys`) names the word, or None for a common word, which gets no key;
- `is_word(word)`: whether the dictionary has that very form (a term that reads as a word,
  for spelling suggestions).

`capitalised` says the word was written with a capital first letter; `mid_sentence` that
it did not start a sentence (queries count as mid-sentence: they have no sentences).
Which module reads a word is `indexer.analysis`'s choice, by script and document language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_COMMON_DIR = Path(__file__).resolve().parent / "wordfreq_common"
_FREQUENT_DIR = Path(__file__).resolve().parent / "frequent_lemmas"


@cache
def common_words(lang: str) -> frozenset[str]:
    """The shipped list of `lang`'s most common words (see wordfreq_common/PROVENANCE.md)."""
    return _word_list(_COMMON_DIR / f"{lang}.txt")


def frequent_lemmas(lang: str, count: int) -> frozenset[str]:
    """`lang`'s `count` most frequent lemmas, from a shipped list (see
    frequent_lemmas/PROVENANCE.md)."""
    return frozenset(_lines(_FREQUENT_DIR / f"{lang}.txt")[:count])


def _word_list(path: Path) -> frozenset[str]:
    return frozenset(_lines(path))


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]
