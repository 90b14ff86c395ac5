"""Rebuild `en.txt` and `ru.txt`: each language's most common written words.

    python -m indexer.languages.wordfreq_common.build

Needs `wordfreq` (the `bench` extra), which the product itself does not: the lists are
shipped so that analysis reads two small files instead of loading wordfreq's tables.
"""

from __future__ import annotations

import re
from pathlib import Path

WORDS = 5000
"""Per language: the measured size at which keying only rarer words merged no two common
words across languages (to/то, good/год) and no gold name collided with a common word."""

_LETTERS = {"en": re.compile(r"[a-z]+"), "ru": re.compile(r"[а-яё]+")}


def main() -> None:
    from importlib.metadata import version

    import wordfreq

    here = Path(__file__).resolve().parent
    for lang, letters in _LETTERS.items():
        words = []
        for word in wordfreq.top_n_list(lang, WORDS * 2):
            if letters.fullmatch(word):
                words.append(word.replace("ё", "е"))
            if len(words) == WORDS:
                break
        header = (f"# wordfreq {version('wordfreq')} top_n_list({lang!r}): the {WORDS} most"
                  " common words of letters only, ё as е")
        lines = [header, *sorted(set(words))]
        (here / f"{lang}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
