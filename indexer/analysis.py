"""The one text analysis chain, used for indexing, queries, snippets and suggestions alike.

Three analyzers share one tokenizer:
- `govpress_analyzer` (`title`, `body`): `WordTokenizer | LemmaFilter`, each word's
  dictionary lemma in its language (`indexer.languages.ru`, `en`, `kazakh`);
- `names_analyzer` (`names`): `NameKeyTokenizer`, a cross-script Latin key
  (`indexer.languages.names`) for each word that names someone or something;
- `pairs_analyzer` (`title_pairs`, `body_pairs`): `PairTokenizer`, one term for each two
  adjacent words that are both frequent (`квадратный метр`), so that a phrase of frequent
  words is answered without positions (`phrase_pairs`, CommonGrams-style).

Which language reads a word: Latin letters → English (also inside Russian and Kazakh text:
EBRD, KPI, Fitch); Cyrillic → the document's language, Kazakh for a word with a
Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) whatever the document. Kazakh text is full of words
written with Russian letters only (`операторлары`, `бойынша`), so it is the release's
language, detected at indexing and passed with its text (`in_language`), that decides.
A query word has no document: a Cyrillic one with only Russian letters is read both ways,
and its Russian lemma and Kazakh key stand at the same position, either matching
(`оператор` finds Russian `операторы` and Kazakh `операторлары`). Measured on the
Kazakh gold set (tests/data/kk_dev.tsv): 39 of its 122 forms have Russian letters only;
typed as a query, all 39 meet their lemma this way, 1 when read as Russian alone. The
alternative, a language prefix on every term, would need the same two readings of the
query word and would split words the languages share (`астана`, `оператор`) into two
terms with two document frequencies.

The words are not case folded before lemmatizing: a capital letter tells a name
(`Бектенова` → бектенов, not бектеновый). A query typed in lower case still finds names
through their key: a query word gets one whatever its case, and the key reads a rare word
as a name (`токаева` → tokaev).

Names: in a release, a capitalised word gets a key when it is not one of its language's
common words (a shipped list for English and Russian, the Apertium dictionary for
Kazakh), or when it is a common word used as a name (`Роман`, `Казахстан`: known as a
name to pymorphy3; `Семей`: a Kazakh proper noun, inside a sentence; in English, inside a
sentence, titles aside). Keys of common words would merge to/то, good/год, more/море.
Name keys have their own field, scored below a match of the lemma, so a Russian query
ranks Russian text with its very word first and still finds the English release with
the name.

Tokens: runs of letters and digits. Everything else separates them, so glued sentences
(`2024.Among`), hyphenated words (`Al-Farabi` → `al`, `farabi`) and letter-digit pairs
(`Samal-1`) split. A possessive `'s`/`’s` is dropped with its apostrophe; any other
apostrophe separates. Digits joined by `.` or `,` stay one token as written: `5,4`,
`1,000`, `04.03.2025`; `5,4%` gives `5,4`. URLs (`https://…`, `www.…`), also glued to
a word (`Government.https://…`), give no token. Combining accents and soft hyphens inside
a word are kept in its span and dropped from its term. A word mixing scripts is read in
its main one: look-alike letters (`Кaзахстан`, `Кumis`) and Kazakh letters in a Latin
word (`Eңbek` → `enbek`) are rewritten.

The filters hold no state (Whoosh pickles the schema into the index): the morphology
lives in module-level, per-process caches of one entry per word form, language and
context. Moving these classes breaks existing indexes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import pairwise
from types import ModuleType

from whoosh.analysis import CompositeAnalyzer, Filter, Token, Tokenizer

from indexer.language import KAZAKH_LETTERS, URL
from indexer.languages import common_words, en, frequent_lemmas, kazakh, names, ru

TERM_CACHE_SIZE = 500_000
"""Word forms whose term is remembered per process: about a large corpus's vocabulary."""

READERS: dict[str, ModuleType] = {"ru": ru, "en": en, "kk": kazakh}
"""The language modules, by the language codes of releases."""

_WORD = re.compile(
    r"(\d+(?:[.,]\d+)+"  # a number with decimal or group separators, as written
    r"|[^\W_ʼ]+(?:[\u0300-\u036f\u00ad]+[^\W_ʼ]+)*)"  # letters/digits, with inner marks
    r"(?:['’‘ʼ][sS](?![^\W_]))?"  # a possessive 's, consumed but not part of the token
)
_IGNORABLE = re.compile(r"[\u0300-\u036f\u00ad]")
_CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһі]+")
_LATIN_WORD = re.compile(r"[a-zß-öø-ÿ\u0100-\u024f]+")
_LATIN_LETTER = re.compile(r"[a-zß-öø-ÿ\u0100-\u024f]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u052f]")
_RUSSIAN_COMMON = common_words("ru")
FREQUENT_LEMMAS = 100
"""Lemmas per language (Russian, English; by wordfreq frequency of their forms) that count
as frequent for pair terms: the function words and commonest verbs (`в`, `и`, `быть`,
`the`, `of`, `have`), whose positions are most of a phrase's cost. Measured on 3,000
generated releases (merged index): 30 → +5% index size, 100 → +13%, 300 → +36%,
5,000 → about five times as large (mostly pairs seen once), which rules out the lemmas
of topic phrases (`квадратный` ranks ~4,100, `meter` ~2,900)."""
FREQUENT = frequent_lemmas("ru", FREQUENT_LEMMAS) | frequent_lemmas("en", FREQUENT_LEMMAS)
PAIRS_MARK = " "
"""The term every release has in each pairs field (no pair is a space alone): a segment
whose releases all have it was written with pair terms, so its pairs can be trusted."""
_SENTENCE_END = frozenset(".!?…\n")
_CAPITAL = re.compile(
    r"(?<![^\W_ʼ])[A-ZÀ-ÖØ-ÞА-ЯЁЀ-ЏӘҒҚҢӨҰҮҺІ]"  # an upper-case letter starting a token
)
_GAP_NOISE = " \t\r«»\"'“”„()[]–—-"

# Lower-case look-alikes, including those of capitals (H/Н, B/В, M/М, T/Т), for words
# typed with a letter of the wrong script; a Latin word keeps a Kazakh letter's sound.
_LATIN_LOOKALIKES = "aceopxykimthb"
_CYRILLIC_LOOKALIKES = "асеорхукімтнв"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(
    {**dict(zip(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES, strict=True)),
     **dict(zip("әғқңөұүһ", "agqnouuh", strict=True))}
)


class LangText(str):
    """A release's text that knows its language: how its Cyrillic words are read."""

    lang: str | None = None


def in_language(text: str, lang: str) -> LangText:
    """`text` marked as written in `lang` (`ru`, `en`, `kk`), for the analyzers."""
    marked = LangText(text)
    marked.lang = lang
    return marked


class WordTokenizer(Tokenizer):
    """Words and numbers of a text with their positions and character spans; each token
    carries `lang`, the language of the text (None for a query)."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        """Yield one reused Token per word, as Whoosh's RegexTokenizer does.

        With `tokenize=False` (Whoosh's query parser, for wildcard and range terms) the
        whole value is one token.
        """
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.lang = getattr(value, "lang", None)
        spans = _word_spans(value) if tokenize else iter([(0, len(value))])
        for pos, (start, end) in enumerate(spans, start_pos):
            token.text = value[start:end]
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class LemmaFilter(Filter):
    """Replaces each token by its term; a query word read in two languages gives both
    terms at its position."""

    is_morph = True  # Whoosh leaves it out for spelling words (`no_morph=True`).

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            for term in _TERMS.get(token.lang, _QUERY_TERMS)(token.text):
                token.text = term
                yield token


class _FewTermsTokenizer(Tokenizer):
    """Whoosh's tokenizer interface over `terms`, for analyzers whose words give few
    terms or none (name keys, pairs): one reused Token filled for each. (`WordTokenizer`
    fills its tokens itself: it runs once for every word indexed, and a layer between
    would cost indexing time.)"""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, start, end, texts in self.terms(value, start_pos, tokenize):
            for text in texts:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = value[start:end]
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + end
                yield token

    def terms(
        self, value: str, start_pos: int, tokenize: bool
    ) -> Iterator[tuple[int, int, int, tuple[str, ...]]]:
        """(position, start, end, terms) of the words of `value` that give terms."""
        raise NotImplementedError


class NameKeyTokenizer(_FewTermsTokenizer):
    """The name keys of a text; other words give none.

    In a release (`title\nbody` in its language) only capitalised words name anything,
    and whether a word starts a sentence (or is in the title line) matters to English
    common words (`Roman` inside a sentence is a name): this runs over every release's
    whole text a second time, so a regular expression finds the capitalised words and
    the rest are never looked at; `names` keeps no positions, and a release's tokens are
    numbered in order. A query's words are all read, whatever their case, as inside a
    sentence, at their word positions (a word's keys share one).
    """

    def terms(
        self, value: str, start_pos: int, tokenize: bool
    ) -> Iterator[tuple[int, int, int, tuple[str, ...]]]:
        lang = getattr(value, "lang", None)
        if lang is not None:
            return _document_keys(value, lang, start_pos)
        spans = _word_spans(value) if tokenize else iter([(0, len(value))])
        return ((pos, start, end, _name_keys(value[start:end], None, True))
                for pos, (start, end) in enumerate(spans, start_pos))


class PairTokenizer(_FewTermsTokenizer):
    """`PAIRS_MARK`, then a pair term (`pair_term`) for every two words at adjacent
    positions whose terms are both frequent (`is_frequent`).

    Adjacent as phrases see it: word positions, whatever punctuation or sentence ends lie
    between (a phrase matches across them today), inside one field. Its own field, with no
    positions: BM25 lengths, prefixes, suggestions and similar releases never meet a pair.
    """

    def terms(
        self, value: str, start_pos: int, tokenize: bool
    ) -> Iterator[tuple[int, int, int, tuple[str, ...]]]:
        terms_of = _TERMS.get(getattr(value, "lang", None), _QUERY_TERMS)
        yield start_pos, 0, 0, (PAIRS_MARK,)
        before: tuple[str, ...] = ()
        for start, end in _word_spans(value):
            here = tuple(term for term in terms_of(value[start:end]) if term in FREQUENT)
            if before and here:
                yield start_pos, start, end, tuple(
                    pair_term(first, second) for first in before for second in here
                )
            before = here


def is_frequent(term: str) -> bool:
    """Whether two adjacent words with such terms get a pair term (a release's or a
    query's: the same list decides both)."""
    return term in FREQUENT


def pair_term(first: str, second: str) -> str:
    """The one term of two adjacent words' terms (a space never occurs inside a term)."""
    return f"{first} {second}"


def phrase_pairs(words: list[str]) -> list[str] | None:
    """The pair terms that a release has when it has the phrase of these terms (one after
    another), or None when some word is not frequent: then only positions tell."""
    if len(words) < 2 or not all(map(is_frequent, words)):
        return None
    return [pair_term(first, second) for first, second in pairwise(words)]


def _document_keys(
    text: str, lang: str, start_pos: int
) -> Iterator[tuple[int, int, int, tuple[str, ...]]]:
    """(number, start, end, keys) of each capitalised word of a release's `title\nbody`
    that has keys, URLs skipped."""
    body_start = text.find("\n") + 1
    urls = [match.span() for match in URL.finditer(text)] if "/" in text or "ww" in text else []
    pos = start_pos
    for capital in _CAPITAL.finditer(text):
        word = _WORD.match(text, capital.start())
        start, end = word.span(1)
        if urls and any(s <= start < e for s, e in urls):
            continue
        keys = _name_keys(text[start:end], lang, not _starts_sentence(text, start, body_start))
        if keys:
            yield pos, start, end, keys
            pos += 1


def _starts_sentence(text: str, start: int, body_start: int) -> bool:
    """Whether the word at `start` is in the title line or begins a sentence of the body."""
    if start < body_start:
        return True
    i = start
    while i > body_start and text[i - 1] in _GAP_NOISE:
        i -= 1
    return i == body_start or text[i - 1] in _SENTENCE_END


def govpress_analyzer() -> CompositeAnalyzer:
    """The analyzer of `title` and `body` and their queries: one chain, so terms meet."""
    return WordTokenizer() | LemmaFilter()


def names_analyzer() -> CompositeAnalyzer:
    """The analyzer of `names` (index a release's `title\\nbody`) and of its queries."""
    return CompositeAnalyzer(NameKeyTokenizer())


def pairs_analyzer() -> CompositeAnalyzer:
    """The analyzer of `title_pairs` and `body_pairs` (index only: queries look pairs up
    with `phrase_pairs`)."""
    return CompositeAnalyzer(PairTokenizer())


def normalize_word(word: str, lang: str | None = None) -> str:
    """The index term of one token (as `WordTokenizer` cuts it), e.g. `Жильём` → `жилье`;
    without a language, in the language its letters suggest (Russian for Cyrillic without
    Kazakh letters). Anything that is not a word (`жил*`) is only case and `ё` folded."""
    return _terms(word, lang or _own_language(word))[0]


def query_terms(word: str) -> tuple[str, ...]:
    """Every term a query word looks for: its Russian lemma and its Kazakh key for a
    Cyrillic word without Kazakh letters, else one."""
    return _terms(word, None)


def word_language(word: str) -> str | None:
    """The language a word's own letters say (`ru` for Cyrillic without Kazakh letters),
    None for digits."""
    script = _script(_clean(word).lower())
    return None if script is None else _own_language(word)


def name_keys(word: str, lang: str | None = None) -> tuple[str, ...]:
    """The cross-script keys of a word as written (in a release in `lang`, inside a
    sentence; None: a query word); none for a common word."""
    return _name_keys(word, lang, True)


def is_word(term: str, lang: str) -> bool:
    """Whether a term of `lang` is itself a dictionary word (`министерство`, not a stem)."""
    return READERS[lang].is_word(term)


def analyze(text: str, lang: str | None = None) -> list[str]:
    """The terms of a text (of a release in `lang`), in order."""
    return [token.text for token in _ANALYZER(in_language(text, lang) if lang else text)]


def learn_forms(text: str, lang: str) -> None:
    """Analyze every distinct word form of `text` now (terms, and capitalised words' name
    keys), into the per-process cache: a server that has met a corpus's common forms
    shows the snippets of a new query without running the morphology on them (~27 µs a
    form, thousands on a results page)."""
    for form in set(_WORD.findall(text)):
        _terms(form, lang)
        if form[:1].isupper():
            _name_keys(form, lang, True)


def load_languages() -> None:
    """Load every language's dictionaries, analyser and stemmer now (seconds in all):
    indexing workers, forked afresh for every batch from the process that calls this,
    then start with them loaded instead of loading them again each time. The samples
    reach each of them: a Russian, an English and a Kazakh word, a capitalised name in
    each, and an English word no dictionary knows (nltk's stemmer)."""
    for lang, sample in (("ru", "Жилья Токаева"), ("en", "Children Tokayev zzyxqing"),
                         ("kk", "қаласы Тоқаевтың")):
        analyze(sample, lang)
        learn_forms(sample, lang)


def find_terms(
    text: str,
    lang: str | None,
    wanted: Callable[[str], bool],
    keys: frozenset[str] = frozenset(),
) -> list[tuple[int, int, str]]:
    """The start, end and term of each word of `text` whose term is `wanted` or, for a
    capitalised word (the only ones a release's names are keyed from), whose name key is
    one of `keys`: the analyzer's tokens a caller would keep, found faster for long
    texts with few matches (snippets). Each distinct word form is analyzed once; the forms
    that match are then found by one regular expression, and words inside URLs are
    dropped as the tokenizer skips them."""
    terms_of = _TERMS.get(lang, _QUERY_TERMS)
    keys_of = _KEYS.get((lang, True), _KEYS[None, True])
    forms = {}
    for form in set(_WORD.findall(text)):
        term = terms_of(form)[0]
        if wanted(term) or (
            keys and form[0].isupper() and not keys.isdisjoint(keys_of(form))
        ):
            forms[form] = term
    if not forms:
        return []
    alternatives = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")
    urls = [match.span() for match in URL.finditer(text)]
    return [
        (match.start(), match.end(), forms[match.group()])
        for match in pattern.finditer(text)
        if _is_token(text, match.start(), match.end())
        and not any(start <= match.start() < end for start, end in urls)
    ]


def _is_token(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a whole token, not the tail of `04.03.2025` or `5,4,3`."""
    token = _WORD.match(text, start)
    if token is None or token.span(1) != (start, end):
        return False
    inside_number = start >= 2 and text[start - 1] in ".," and text[start - 2].isdigit()
    return not (inside_number and text[start].isdigit())


def _word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Start and end offsets of each token in `text`, URLs skipped."""
    start = 0
    for url in URL.finditer(text):
        for match in _WORD.finditer(text, start, url.start()):
            yield match.span(1)
        start = url.end()
    for match in _WORD.finditer(text, start):
        yield match.span(1)


def _terms(token: str, lang: str | None) -> tuple[str, ...]:
    """The terms of a token as written, in a text of `lang` (None: a query word, read in
    every language its letters allow); cached because most tokens repeat."""
    return _TERMS.get(lang, _TERMS[None])(token)


def _name_keys(token: str, lang: str | None, mid_sentence: bool) -> tuple[str, ...]:
    """The name keys of a token as written (none for a common word or a number), inside
    a sentence or at its start."""
    return _KEYS.get((lang, mid_sentence), _KEYS[None, mid_sentence])(token)


def _cached_per_language(compute: Callable[..., tuple[str, ...]], *context: object):
    """`compute(token, *context)` cached by the token alone: functools' cache keys a lone
    string by itself, much faster than a tuple of arguments (this is per token)."""

    @lru_cache(maxsize=TERM_CACHE_SIZE)
    def cached(token: str) -> tuple[str, ...]:
        return compute(token, *context)

    return cached


def _compute_terms(token: str, lang: str | None) -> tuple[str, ...]:
    word = _clean(token)
    lower = word.lower()
    # Only Russian reads a capital (`Бектенова`), and not on a common word (`Сегодня`):
    # `Children` and `children`, `Сегодня` and `сегодня` share an entry.
    capitalised = word[:1].isupper() and lower not in _RUSSIAN_COMMON and (
        _script(lower) == "cyrillic"
    )
    return _lower_terms(lower, capitalised, lang)


@lru_cache(maxsize=TERM_CACHE_SIZE)
def _lower_terms(lower: str, capitalised: bool, lang: str | None) -> tuple[str, ...]:
    readers = _readers(lower, lang)
    if len(readers) == 1:
        return (READERS[readers[0]].term(lower, capitalised).replace("ё", "е"),)
    found = [READERS[reader].term(lower, capitalised) for reader in readers]
    return tuple(dict.fromkeys(term.replace("ё", "е") for term in found)) or (
        lower.replace("ё", "е"),
    )


def _compute_name_keys(token: str, lang: str | None, mid_sentence: bool) -> tuple[str, ...]:
    word = _clean(token)
    lower = word.lower()
    capitalised = word[:1].isupper()
    readers = _readers(lower, lang)
    found: list[str] = []
    for reader in readers:
        base = READERS[reader].name_base(lower, capitalised, mid_sentence)
        if (base is None and reader == "ru" and capitalised and mid_sentence
                and kazakh.is_proper(lower)):
            # A Kazakh place or name in Russian text that is a Russian word too (Семей).
            base = kazakh.term(lower)
        if base is None and len(readers) > 1:
            # A query word common in Russian (`год`, `море`) or in Kazakh (`бар`) names
            # nothing in the other language either.
            return ()
        if base is not None and len(base) > 1:
            found.extend(names.keys(base.replace("ё", "е")))
    return tuple(dict.fromkeys(found))


def _clean(token: str) -> str:
    return _one_script(_IGNORABLE.sub("", unicodedata.normalize("NFC", token)))


def _readers(lower: str, lang: str | None) -> tuple[str, ...]:
    """The languages that read a lower-case word of a text in `lang` (None: a query)."""
    script = _script(lower)
    if script == "latin":
        return ("en",)
    if script != "cyrillic":
        return ()
    if lang == "kk" or not KAZAKH_LETTERS.isdisjoint(lower):
        return ("kk",)
    return ("ru",) if lang is not None else ("ru", "kk")


def _own_language(word: str) -> str:
    lower = _clean(word).lower()
    if _script(lower) == "latin":
        return "en"
    return "kk" if not KAZAKH_LETTERS.isdisjoint(lower) else "ru"


def _script(lower: str) -> str | None:
    if _CYRILLIC_WORD.fullmatch(lower):
        return "cyrillic"
    if _LATIN_WORD.fullmatch(lower):
        return "latin"
    return None


def _one_script(word: str) -> str:
    """Rewrite look-alike letters of a mixed Latin/Cyrillic word into its main script."""
    if not _CYRILLIC_LETTER.search(word) or not _LATIN_LETTER.search(word.lower()):
        return word
    latin = len(_LATIN_LETTER.findall(word.lower()))
    cyrillic = len(_CYRILLIC_LETTER.findall(word))
    lower = word.lower()
    rewritten = lower.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)
    return rewritten.capitalize() if word[:1].isupper() else rewritten


_TERMS = {lang: _cached_per_language(_compute_terms, lang) for lang in (None, *READERS)}
_QUERY_TERMS = _TERMS[None]
_KEYS = {
    (lang, mid): _cached_per_language(_compute_name_keys, lang, mid)
    for lang in (None, *READERS) for mid in (True, False)
}
_ANALYZER = govpress_analyzer()
