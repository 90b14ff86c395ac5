"""Rebuild `en.txt` and `ru.txt`: each language's most frequent lemmas, for pair terms.

    python -m indexer.languages.frequent_lemmas.build

A lemma's frequency is the sum of wordfreq's frequencies of the written forms the
analysis chain reads as it (`метров`, `метра`, `метр` → `метр`), so a lemma of an inflected
language ranks by all its forms. Needs `wordfreq` (the `bench` extra), which the product
itself does not. The lists depend on the lemmas: rebuild them (and raise
`indexer.schema.INDEX_FORMAT`) when the analysis of a language changes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

LEMMAS = 5000
"""Per language, in order of frequency: the analysis reads the first
`indexer.analysis.FREQUENT_LEMMAS` (the measured choice), so trying another cut needs no
rebuild."""

FORMS = 60_000  # wordfreq forms read per language: far past the last lemma kept
_LETTERS = {"en": re.compile(r"[a-z]+"), "ru": re.compile(r"[а-яё]+")}


def main() -> None:
    from importlib.metadata import version

    import wordfreq

    from indexer.analysis import normalize_word

    here = Path(__file__).resolve().parent
    for lang, letters in _LETTERS.items():
        frequency: dict[str, float] = defaultdict(float)
        for form in wordfreq.top_n_list(lang, FORMS):
            if letters.fullmatch(form):
                frequency[normalize_word(form, lang)] += wordfreq.word_frequency(form, lang)
        ranked = sorted(frequency, key=lambda lemma: (-frequency[lemma], lemma))[:LEMMAS]
        header = (f"# wordfreq {version('wordfreq')} top_n_list({lang!r}, {FORMS}) read by the"
                  f" analysis chain: the {LEMMAS} lemmas of most frequent forms, most"
                  " frequent first")
        lines = [header, *ranked]
        (here / f"{lang}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
