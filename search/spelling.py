"""“Did you mean”: a respelling of the query's words that the index knows better.

Candidates are the index's own terms within two edits of the query word's term: for
Russian dictionary lemmas (`министрество` → `министерство`), which read as words; for
English stems, which may not (`economi`), so an English candidate is shown as the word
form of a release that has it (`Dosayev` → `Dossayev`, `ecconomy` → `economy`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh.query import Term
from whoosh.searching import Searcher as WhooshSearcher

from indexer.analysis import normalize_word, term_spans
from search.columns import segment_id
from search.query import ParsedQuery, QueryParser

FIELD = "body"
MAX_WORDS = 8
MAX_EDITS = 2
MIN_WORD_CHARS = 4
MAX_WORD_CHARS = 30  # longer is no word
CANDIDATES = 20
_CYRILLIC = re.compile(r"[\u0400-\u052f]")


class Lexicon:
    """Every term of the searched field, for rapidfuzz's C++ to search.

    Whoosh's own corrector computes an edit distance in Python for every term of the
    index (seconds on a large one). Terms are read once per segment and only ever added:
    a merged segment brings no new ones, and a term whose releases were all deleted can
    cost nothing worse than a suggestion that `suggest` drops because it finds nothing.
    Keeping each segment's list instead held every term once per segment (190 MB for
    100,000 releases).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._read: set[str] = set()  # segments whose terms are in `_known`
        self._known: set[str] = set()
        self._generation: int | None = None
        self._terms: list[str] = []

    def terms(self, searcher: WhooshSearcher) -> list[str]:
        generation = searcher.reader().generation()
        with self._lock:
            if generation != self._generation:
                before = len(self._known)
                for leaf, _ in searcher.leaf_searchers():
                    reader = leaf.reader()
                    key = segment_id(reader)
                    if key is None or key not in self._read:
                        self._known.update(b.decode() for b in reader.lexicon(FIELD))
                        if key is not None:
                            self._read.add(key)
                if len(self._known) != before or not self._terms:
                    self._terms = sorted(self._known)
                self._generation = generation
            return self._terms


def _respell(searcher: WhooshSearcher, lexicon: Lexicon, word: str) -> str | None:
    term = normalize_word(word)
    if not MIN_WORD_CHARS <= len(term) <= MAX_WORD_CHARS or not term.isalpha():
        return None
    reader = searcher.reader()
    if reader.doc_frequency(FIELD, term) > 0:
        return None
    cyrillic = bool(_CYRILLIC.search(term))
    close = [
        (distance, -reader.doc_frequency(FIELD, candidate), candidate)
        for candidate, distance, _ in process.extract(
            term, lexicon.terms(searcher), scorer=DamerauLevenshtein.distance,
            score_cutoff=MAX_EDITS, limit=CANDIDATES,
        )
        if candidate.isalpha() and bool(_CYRILLIC.search(candidate)) == cyrillic
    ]
    if not close:
        return None
    better = min(close)[2]
    if not cyrillic:
        better = _written_form(searcher, better)
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
    lexicon: Lexicon,
    parser: QueryParser,
    parsed: ParsedQuery,
    text: str,
    count: Callable[[ParsedQuery], int],
) -> str | None:
    """A better query than `text`: its words respelled, if that finds more releases."""
    respelled = {word: _respell(searcher, lexicon, word) for word in parsed.words[:MAX_WORDS]}
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
