"""“Did you mean”: a respelling of the query's words that the index knows better.

Candidates are the index's own terms (lemmas) within two edits of the query word's term
(one for words of up to five letters), the one in the most releases first (`Dosaev` →
Dossayev, 5 releases, not Dossaev, 1). A lemma is not shown as such: the suggestion is
a word as a release of the query word's own language and script writes it (Cyrillic
with a Kazakh letter: a Kazakh release; other Cyrillic: Russian or Kazakh; Latin: any),
the written form (or the lemma, where it is a dictionary word) closest to the typed
word and as close as the candidate, so no stem (`Бектену` → «Бектен») and no word of
another language (`желі` → «дело») is offered. Field names are never words to respell
(`Title:Fitch`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from itertools import islice

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh.query import And, Or, Term
from whoosh.searching import Searcher as WhooshSearcher

from indexer.analysis import find_terms, is_word, normalize_word, word_language
from search.columns import segment_id
from search.query import ParsedQuery, QueryParser

FIELD = "body"
MAX_WORDS = 8
MAX_EDITS = 2
SHORT_WORD_CHARS = 5
MIN_WORD_CHARS = 4
MAX_WORD_CHARS = 30  # longer is no word
CANDIDATES = 20
RELEASES_READ = 10  # per candidate, to find how the query word's language writes it
_LANGUAGES = {"kk": ("kk",), "ru": ("ru", "kk"), "en": ("en", "ru", "kk")}
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
    edits = _edits(word)
    close = sorted(
        (-reader.doc_frequency(FIELD, candidate), distance, candidate)
        for candidate, distance, _ in process.extract(
            term, lexicon.terms(searcher), scorer=DamerauLevenshtein.distance,
            score_cutoff=edits, limit=CANDIDATES,
        )
        if candidate.isalpha() and bool(_CYRILLIC.search(candidate)) == cyrillic
    )
    languages = _LANGUAGES[word_language(word) or "en"]
    for _, _, candidate in close:
        better = _written_form(searcher, candidate, word, languages, edits)
        if better is not None:
            return better.capitalize() if word[:1].isupper() else better
    return None


def _edits(word: str) -> int:
    """Edits allowed: one in a word of up to 5 letters (`Roman` is not a typo of `Road`)."""
    return 1 if len(word) <= SHORT_WORD_CHARS else MAX_EDITS


def _written_form(
    searcher: WhooshSearcher, term: str, word: str, languages: tuple[str, ...], edits: int
) -> str | None:
    """How a release in one of `languages` writes a word whose term is `term`: the form
    closest to the typed `word`, if it is within `edits` of it."""
    in_language = Or([Term("lang", lang) for lang in languages])
    typed = word.lower()
    forms: set[str] = set()
    wanted = And([Term(FIELD, term), in_language])
    for docnum in islice(searcher.docs_for_query(wanted), RELEASES_READ):
        fields = searcher.stored_fields(docnum)
        body = fields.get(FIELD) or ""
        forms.update(body[s:e].lower() for s, e, _ in find_terms(body, fields["lang"],
                                                                   term.__eq__))
        if is_word(term, fields["lang"]):
            forms.add(term)
    scored = sorted((DamerauLevenshtein.distance(typed, form), form) for form in forms)
    if scored and scored[0][0] <= edits and scored[0][1] != typed:
        return scored[0][1]
    return None


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
