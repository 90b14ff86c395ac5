"""“Did you mean”: a respelling of the query's words that the index knows better.

Suggestions come from the surface word forms of the releases (the `words` field), so
they read as words (`Dossayev`, `министерство`), not as lemmas or stems.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whoosh.searching import Searcher as WhooshSearcher

if TYPE_CHECKING:
    from search.query import ParsedQuery, QueryParser

MAX_WORDS = 8


def _respell(searcher: WhooshSearcher, word: str) -> str | None:
    folded = word.lower().replace("ё", "е")
    if len(folded) < 4 or not folded.isalpha():
        return None
    reader = searcher.reader()
    if reader.doc_frequency("words", folded) > 0:
        return None
    candidates = searcher.corrector("words").suggest(folded, limit=1, maxdist=2)
    if not candidates:
        return None
    better = candidates[0]
    return better.capitalize() if word[:1].isupper() else better


def suggest(
    searcher: WhooshSearcher, parser: QueryParser, parsed: ParsedQuery, text: str, total: int
) -> str | None:
    """A better query than `text`, if respelling its words finds more releases."""
    words = parsed.words[:MAX_WORDS]
    respelled = {w: _respell(searcher, w) for w in words}
    if not any(respelled.values()):
        return None
    suggestion = text
    for word, better in respelled.items():
        if better:
            suggestion = suggestion.replace(word, better)
    better_query = parser.parse(suggestion)
    if better_query is None:
        return None
    found = sum(1 for _ in better_query.query.docs(searcher))
    return suggestion if found > total else None
