"""Kazakh behind the common language interface: the Apertium analyser's key (`kk.lemma`),
and name keys for proper nouns and for words the analyser does not know.

A word the analyser knows as a common word (it looks lower-case words up among common
entries; proper nouns are stored capitalised) gets a name key only when capitalised and
also a proper noun (`Мұрат`, `Семей`) or inside a sentence: Kazakh has no shipped
common-word list, its dictionary is one.
"""

from __future__ import annotations

from indexer.languages import kk


def term(word: str, capitalised: bool = False) -> str:
    """The key all forms of a lower-case Kazakh word share (`министрлігінің` → `министрлік`)."""
    return kk.lemma(word)


def is_word(word: str) -> bool:
    """Whether the dictionary reads this very form (not a stem the suffix stripper made)."""
    return kk.is_known(word)


def is_proper(word: str) -> bool:
    """Whether the analyser knows the word as a proper noun (`семей`: Semey)."""
    return kk.is_proper(word)


def name_base(word: str, capitalised: bool, mid_sentence: bool) -> str | None:
    """The lemma of a word the analyser does not know, or of a capitalised dictionary word
    that is a proper noun or stands inside a sentence (Kazakh capitalises only names
    there: the holding `Бәйтерек`, 'poplar')."""
    if kk.is_known(word):
        named = capitalised and (mid_sentence or kk.is_proper(word))
        return kk.lemma(word) if named else None
    return kk.lemma(word)
