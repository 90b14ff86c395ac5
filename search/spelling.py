"""“Did you mean”: a respelling of the query's words that the index knows better.

Suggestions come from the surface word forms of the releases (the `words` field), so they
read as words (`Dossayev`), not as stems; a Russian word may also be respelled to a
dictionary lemma of the index (`министрество` → `министерство`), which reads as a word too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from whoosh.searching import Searcher as WhooshSearcher

from search.query import ParsedQuery, QueryParser

MAX_WORDS = 8
MAX_EDITS = 2
MIN_WORD_CHARS = 4
MAX_WORD_CHARS = 30  # longer is no word; Whoosh's corrector slows with length (~0.2 s at 500)
_CYRILLIC = re.compile(r"[\u0400-\u052f]")


def _respell(searcher: WhooshSearcher, word: str) -> str | None:
    folded = word.lower().replace("ё", "е")
    if not MIN_WORD_CHARS <= len(folded) <= MAX_WORD_CHARS or not folded.isalpha():
        return None
    if searcher.reader().doc_frequency("words", folded) > 0:
        return None
    fields = ("words", "body") if _CYRILLIC.search(folded) else ("words",)
    for field in fields:
        candidates = searcher.corrector(field).suggest(folded, limit=1, maxdist=MAX_EDITS)
        if candidates:
            better = candidates[0]
            return better.capitalize() if word[:1].isupper() else better
    return None


def suggest(
    searcher: WhooshSearcher,
    parser: QueryParser,
    parsed: ParsedQuery,
    text: str,
    count: Callable[[ParsedQuery], int],
) -> str | None:
    """A better query than `text`: its words respelled, if that finds more releases."""
    respelled = {word: _respell(searcher, word) for word in parsed.words[:MAX_WORDS]}
    if not any(respelled.values()):
        return None
    suggestion = text
    for word, better in respelled.items():
        if better:
            suggestion = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, suggestion)
    better_query = parser.parse(suggestion)
    if better_query is None or count(better_query) <= count(parsed):
        return None
    return suggestion
