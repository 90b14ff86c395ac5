"""The query language: what a person types → a Whoosh query over lemmas and name keys.

Words all must match; `OR`, `NOT` / `-word`, `"exact phrase"`, `prefix*`, `title:` and
parentheses work as documented in the README; field names in any case (`Title:`). Query
words go through the very analysis chain the documents went through, so any word form
finds every form; a word read in two languages (Cyrillic without Kazakh letters: Russian
and Kazakh) matches either term, and a plain word also matches its name key in `names`
(any script and spelling of a name), scored below the word itself. Phrases and prefixes
match words, not name keys. Nothing a person types is an error: input that does not parse
as syntax is searched as plain words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, replace

from whoosh import qparser, query
from whoosh.fields import Schema
from whoosh.qparser.syntax import attach
from whoosh.reading import IndexReader

from indexer.analysis import query_terms, word_language
from indexer.languages import en
from search.request import BadParameter, cut_query

TEXT_FIELDS = ("title", "body")
NAMES_FIELD = "names"
FIELD_BOOSTS = {"title": 2.5, "body": 1.0, NAMES_FIELD: 0.4}
MIN_PREFIX = 3
# What one query may ask for (README, "Limits"): each costs postings to read, a phrase
# also the positions of its words in every release that has them all.
MAX_PHRASES = 8
MAX_PREFIXES = 8
MAX_WORDS = 40  # different words, those of phrases included
LIGHT_WORDS = 8  # a query with more words, or any phrase or prefix, is `costly`
RECENT_QUERIES = 512
_UNKNOWN = object()
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"'})
_SYNTAX = re.compile(r"[\"'()*:+\-^~\[\]{}]")
_OPERATORS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
_MINUS = re.compile(r"(?:(?<=\s)|^)-(?=[\w\"(])")
_FIELD_MARKER = re.compile(rf"(?<!\w)(?:{'|'.join(TEXT_FIELDS)}):", re.IGNORECASE)
_PREFIX_WORD = re.compile(r"[^\s*\"()]+\*")
_FIELD_NAME = re.compile(rf"(?<!\w)(?:{'|'.join((*TEXT_FIELDS, NAMES_FIELD))})(?=:)",
                         re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuery:
    """A Whoosh query plus what its words look for, to mark them in snippets."""

    query: query.Query
    terms: frozenset[str]  # analyzed terms that count as a match
    keys: frozenset[str]  # name keys that count as a match
    prefixes: tuple[str, ...]  # prefix queries, as typed (folded)
    words: tuple[str, ...]  # the plain words, for spelling suggestions
    phrases: int = 0  # different phrases, prefixes and words, NOT-ed ones included
    prefix_count: int = 0
    word_count: int = 0

    @property
    def costly(self) -> bool:
        """Whether evaluating it may read positions or many postings."""
        return bool(self.phrases or self.prefix_count) or self.word_count > LIGHT_WORDS

    def matches(self, term: str) -> bool:
        if term in self.terms:
            return True
        return bool(self.prefixes) and any(term.startswith(p) for p in self.prefixes)

    def expanded(self, reader: IndexReader) -> ParsedQuery:
        """The same query with its prefixes replaced by the terms they match in `reader`,
        so that a snippet marks exactly the words that matched (`childr*` marks
        `children`, whose term `child` does not start with `childr`)."""
        if not self.prefixes:
            return self
        terms = set(self.terms)
        for leaf in _positive_leaves(self.query):
            if isinstance(leaf, WordPrefix):
                terms.update(btext.decode("utf-8") for btext in leaf.expanded_btexts(reader))
        return replace(self, terms=frozenset(terms), prefixes=())


class WordPrefix(query.Prefix):
    """`word*`: releases with a word that starts with the prefix as written.

    The index holds lemmas, so the prefix matches the lemmas that start with it
    (`жил*` → `жилье`, `жилой`; `инвест*` → `инвестиция`), the lemma of the prefix read
    as a whole word (`planting*` → `plant`), and for a Latin prefix the lemmas of the
    English dictionary's word forms that start with it (`childr*` → `child`, for
    `children`).
    """

    def _btexts(self, ixreader):
        return self.expanded_btexts(ixreader)

    def expanded_btexts(self, ixreader: IndexReader) -> Iterator[bytes]:
        seen = set()
        for btext in ixreader.expand_prefix(self.fieldname, self.text):
            seen.add(btext)
            yield btext
        whole = set(query_terms(self.text))
        if word_language(self.text) == "en":
            whole |= en.known_forms(self.text)
        for term in sorted(whole):
            bterm = term.encode("utf-8")
            if bterm not in seen and (self.fieldname, bterm) in ixreader:
                seen.add(bterm)
                yield bterm


class _PrefixNode(qparser.PrefixPlugin.PrefixNode):
    """`word*` as typed, case and `ё` folded, never itself analyzed.

    Whoosh would put the prefix through the field's analyzer, which takes the start of a
    word for a whole word and lemmatizes it: `жил*` became `жить*` and missed `жилья`.
    """

    def query(self, parser: qparser.QueryParser) -> query.Query:
        fieldname = self.fieldname or parser.fieldname
        if fieldname == NAMES_FIELD:
            return query.NullQuery
        text = unicodedata.normalize("NFC", self.text).lower().replace("ё", "е")
        q = WordPrefix(fieldname, text, boost=self.boost)
        return attach(q, self)


class _PrefixPlugin(qparser.PrefixPlugin):
    nodetype = _PrefixNode


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):
    """A phrase of words, in one reading: when its words are read in two languages, the
    phrase in Russian lemmas or in Kazakh keys. Never a phrase of name keys."""

    def query(self, parser: qparser.QueryParser) -> query.Query:
        fieldname = self.fieldname or parser.fieldname
        if fieldname == NAMES_FIELD:
            return query.NullQuery
        positions = _positions(parser.schema[fieldname], self.text)
        if not positions:
            return query.NullQuery
        readings = dict.fromkeys(
            tuple(alternatives[i if i < len(alternatives) else -1] for alternatives in positions)
            for i in range(max(map(len, positions)))
        )
        phrases = [
            (_AlternativePhrase if i else query.Phrase)(
                fieldname, list(words), slop=self.slop, boost=self.boost
            )
            for i, words in enumerate(readings)
        ]
        return attach(phrases[0] if len(phrases) == 1 else query.Or(phrases), self)


class _PhraseTagger(qparser.PhrasePlugin.PhraseTagger):
    def create(self, parser: qparser.QueryParser, match: re.Match) -> _PhraseNode:
        slop = match.group("slop")
        return _PhraseNode(match.group("text"), match.start("text"), int(slop) if slop else 1)


class _PhrasePlugin(qparser.PhrasePlugin):
    def taggers(self, parser: qparser.QueryParser) -> list:
        return [(_PhraseTagger(self.expr), 0)]


class _Parser(qparser.QueryParser):
    """Whoosh's parser, with a word's terms at one position read as alternatives."""

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True,
                   removestops=True):
        if fieldname not in self.schema or not tokenize:
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        positions = _positions(self.schema[fieldname], text)
        if not positions:
            return None
        words = [
            termclass(fieldname, texts[0], boost=boost) if len(texts) == 1
            else query.Or([_term(termclass, fieldname, t, boost, i > 0)
                           for i, t in enumerate(texts)])
            for texts in positions
        ]
        return words[0] if len(words) == 1 else self.group.qclass(words)


class _AlternativeTerm(query.Term):
    """A word's second reading (its Kazakh key): part of the word for the query limits."""

    alternative = True


class _AlternativePhrase(query.Phrase):
    """A phrase's second reading (in Kazakh keys): one phrase for the query limits."""

    alternative = True


def _term(termclass, fieldname: str, text: str, boost: float, alternative: bool):
    """One reading of a word, the second an `_AlternativeTerm` (class kept by normalize)."""
    return (_AlternativeTerm if alternative else termclass)(fieldname, text, boost=boost)


def _positions(field, text: str) -> list[list[str]]:
    """The terms of `text` by position: most words have one, some two alternatives."""
    positions: dict[int, list[str]] = {}
    for token in field.tokenize(text, mode="query", positions=True):
        texts = positions.setdefault(token.pos, [])
        if token.text not in texts:
            texts.append(token.text)
    return list(positions.values())


def _parser(schema: Schema) -> qparser.QueryParser:
    # Only the text fields can be named in a query; `agency:` etc. are filters, not syntax.
    fields = (*TEXT_FIELDS, NAMES_FIELD) if NAMES_FIELD in schema else TEXT_FIELDS
    text_schema = Schema(**{name: schema[name] for name in fields})
    parser = _Parser(None, text_schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.MultifieldPlugin(list(fields), fieldboosts=FIELD_BOOSTS))
    for plugin in (qparser.WildcardPlugin, qparser.RangePlugin, qparser.BoostPlugin,
                   qparser.EveryPlugin, qparser.PhrasePlugin):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(_PrefixPlugin())
    parser.add_plugin(_PhrasePlugin())
    return parser


class QueryParser:
    """Parses user queries for one schema; safe to share between threads.

    The last `RECENT_QUERIES` answers are kept: Whoosh's parser and the analysis of the
    words take milliseconds for a long query, and the same text comes back (the next
    page, a facet, a client repeating a query that was refused).
    """

    def __init__(self, schema: Schema) -> None:
        self._parser = _parser(schema)
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, ParsedQuery | BadParameter | None] = OrderedDict()

    def parse(self, text: str) -> ParsedQuery | None:
        """The query for `text`, or None when it holds no word to search.

        Text beyond `MAX_QUERY_CHARS` is ignored, however the request was made; a query
        over `MAX_PHRASES`, `MAX_PREFIXES` or `MAX_WORDS` is a `BadParameter` naming `q`.
        """
        with self._lock:
            found = self._recent.get(text, _UNKNOWN)
            if found is not _UNKNOWN:
                self._recent.move_to_end(text)
        if found is _UNKNOWN:
            try:
                found = self._parse(text)
            except BadParameter as error:
                found = error
            with self._lock:
                self._recent[text] = found
                while len(self._recent) > RECENT_QUERIES:
                    self._recent.popitem(last=False)
        if isinstance(found, BadParameter):  # a new one: an exception is not shared
            raise BadParameter(found.name, found.problem, **found.details)
        return found  # type: ignore[return-value]

    def _parse(self, text: str) -> ParsedQuery | None:
        text = _FIELD_NAME.sub(lambda m: m.group().lower(),
                               cut_query(text).translate(_QUOTES).strip())
        if not text:
            return None
        parsed = self._parse_syntax(text)
        if parsed is None:
            parsed = self._parse_plain(text)
        if parsed is None:
            return None
        return _within_limits(_describe(parsed, _plain_words(text)))

    def _parse_syntax(self, text: str) -> query.Query | None:
        if text.count('"') % 2:
            return None
        try:
            # `-word` is `NOT word` (Whoosh's own +/- syntax drops a lone `-word`).
            parsed = self._parser.parse(_MINUS.sub("NOT ", text))
        except Exception:  # whoosh's parser has many failure modes; all mean "not syntax"
            return None
        parsed = _short_prefixes_as_words(parsed)
        if parsed is query.NullQuery or not _positive_leaves(parsed):
            return None if not _has_negation(parsed) else parsed
        return parsed

    def _parse_plain(self, text: str) -> query.Query | None:
        plain = _OPERATORS.sub(lambda m: m.group(0).lower(), _SYNTAX.sub(" ", text))
        if not plain.split():
            return None
        parsed = self._parser.parse(plain)
        return None if parsed is query.NullQuery else parsed


def _plain_words(text: str) -> tuple[str, ...]:
    """The words typed as words: not operators, field markers (`title:`) or prefixes."""
    text = _PREFIX_WORD.sub(" ", _FIELD_MARKER.sub(" ", text))
    return tuple(w for w in _SYNTAX.sub(" ", text).split() if not _OPERATORS.fullmatch(w))


def _short_prefixes_as_words(q: query.Query) -> query.Query:
    """`a*` would expand to most of the vocabulary: a prefix under 3 letters is a word."""
    if isinstance(q, WordPrefix) and len(q.text) < MIN_PREFIX:
        terms = [query.Term(q.fieldname, t, boost=q.boost) for t in query_terms(q.text)]
        return terms[0] if len(terms) == 1 else query.Or(terms)
    if q.is_leaf():
        return q
    return q.apply(_short_prefixes_as_words)


def _has_negation(q: query.Query) -> bool:
    return isinstance(q, query.Not) or any(_has_negation(c) for c in q.children())


def _positive_leaves(q: query.Query) -> list[query.Query]:
    """The leaves of a query that are not under NOT."""
    if isinstance(q, query.Not):
        return []
    if isinstance(q, query.AndNot):
        return _positive_leaves(q.a)
    if q.is_leaf():
        return [] if q is query.NullQuery else [q]
    return [leaf for child in q.children() for leaf in _positive_leaves(child)]


def _describe(q: query.Query, words: tuple[str, ...]) -> ParsedQuery:
    terms: set[str] = set()
    keys: set[str] = set()
    prefixes: list[str] = []
    for leaf in _positive_leaves(q):
        if isinstance(leaf, query.Term) and leaf.fieldname == NAMES_FIELD:
            keys.add(leaf.text)
        elif isinstance(leaf, query.Prefix):
            prefixes.append(leaf.text)
        elif isinstance(leaf, query.Phrase):
            terms.update(leaf.words)
        elif isinstance(leaf, query.Term):
            terms.add(leaf.text)
    # What it costs, whatever the fields: every leaf, under NOT too. A name key and a
    # word's second reading (`alternative`) come with the word typed and are not counted.
    phrases, prefix_texts, all_words = set(), set(), set()
    for leaf in [q] if q.is_leaf() else q.leaves():
        if getattr(leaf, "alternative", False) or leaf.field() == NAMES_FIELD:
            continue
        if isinstance(leaf, query.Prefix):
            prefix_texts.add(leaf.text)
        elif isinstance(leaf, query.Phrase):
            phrases.add((tuple(leaf.words), leaf.slop))
            all_words.update(leaf.words)
        elif isinstance(leaf, query.Term):
            all_words.add(leaf.text)
    return ParsedQuery(q, frozenset(terms), frozenset(keys), tuple(dict.fromkeys(prefixes)),
                       words, len(phrases), len(prefix_texts), len(all_words))


def _within_limits(parsed: ParsedQuery) -> ParsedQuery:
    for count, limit, problem in ((parsed.phrases, MAX_PHRASES, "too_many_phrases"),
                                  (parsed.prefix_count, MAX_PREFIXES, "too_many_prefixes"),
                                  (parsed.word_count, MAX_WORDS, "too_many_words")):
        if count > limit:
            raise BadParameter("q", problem, count=count, limit=limit)
    return parsed
