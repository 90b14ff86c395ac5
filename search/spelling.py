"""“Did you mean”: a respelling of the query's words that the index knows better.

Candidates are the index's own terms within two edits of the query word's term: for
Russian dictionary lemmas (`министрество` → `министерство`), which read as words; for
English stems, which may not (`economi`), so an English candidate is shown as the word
form of a release that has it (`Dosayev` → `Dossayev`, `ecconomy` → `economy`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from whoosh.query import Term
from whoosh.searching import Searcher as WhooshSearcher

from indexer.analysis import normalize_word, term_spans
from search.query import ParsedQuery, QueryParser

FIELD = "body"
MAX_WORDS = 8
MAX_EDITS = 2
MIN_WORD_CHARS = 4
MAX_WORD_CHARS = 30  # longer is no word; Whoosh's corrector slows with length (~0.2 s at 500)
_CYRILLIC = re.compile(r"[\u0400-\u052f]")


def _respell(searcher: WhooshSearcher, word: str) -> str | None:
    term = normalize_word(word)
    if not MIN_WORD_CHARS <= len(term) <= MAX_WORD_CHARS or not term.isalpha():
        return None
    reader = searcher.reader()
    if reader.doc_frequency(FIELD, term) > 0:
        return None
    candidates = searcher.corrector(FIELD).suggest(term, limit=1, maxdist=MAX_EDITS)
    if not candidates:
        return None
    better = candidates[0] if _CYRILLIC.search(term) else _written_form(searcher, candidates[0])
    return better.capitalize() if word[:1].isupper() else better


def _written_form(searcher: WhooshSearcher, term: str) -> str:
    """A word of a release whose term is `term`: how a stem reads in the text."""
    for docnum in searcher.docs_for_query(Term(FIELD, term)):
        body = searcher.stored_fields(docnum).get(FIELD) or ""
        for start, end, found in term_spans(body):
            if found == term:
                return body[start:end].lower()
        break
    return term


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
