"""The one text analysis chain, used for indexing and for queries alike.

`WordTokenizer | LowercaseFilter | LemmaFilter`: words and numbers (URLs skipped), case
folded, then each word normalized by its own script, so Latin words inside Russian text
meet their English forms and a query word finds every inflected form of itself:
- Russian (Cyrillic letters only from the Russian alphabet): pymorphy3 dictionary lemma.
- Other Cyrillic (Kazakh-only letters ә ғ қ ң ө ұ ү һ і): as is; no Kazakh lemmatizer exists.
- Latin: simplemma's English lemma (children→child, held→hold), then the Snowball
  English stem (planting/plants/planted meet too).
- Digits and letter-digit mixes (`2025`, `5,4`, `covid19`): as is.
`ё` is folded to `е` everywhere, after lemmatizing (pymorphy3 answers `жильё`).

Tokens: runs of letters and digits. Everything else separates them, so glued sentences
(`2024.Among`), hyphenated words (`Al-Farabi` → `al`, `farabi`) and letter-digit pairs
(`Samal-1`) split. A possessive `'s`/`’s` is dropped with its apostrophe; any other
apostrophe separates. Digits joined by `.` or `,` stay one token as written: `5,4`,
`1,000`, `04.03.2025`; `5,4%` gives `5,4`. URLs (`https://…`, `www.…`), also glued to
a word (`Government.https://…`), give no token. Combining accents and soft hyphens inside
a word are kept in its span and dropped from its term.

The filters hold no state (Whoosh pickles the schema into the index): the morphology
lives in module-level, per-process caches. Moving these classes breaks existing indexes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import pymorphy3
import simplemma
from whoosh.analysis import CompositeAnalyzer, Filter, LowercaseFilter, Token, Tokenizer

from indexer.language import URL

if TYPE_CHECKING:
    from nltk.stem.snowball import SnowballStemmer

TERM_CACHE_SIZE = 500_000
"""Word forms whose term is remembered per process: about a large corpus's vocabulary."""

_WORD = re.compile(
    r"(\d+(?:[.,]\d+)+"  # a number with decimal or group separators, as written
    r"|[^\W_ʼ]+(?:[\u0300-\u036f\u00ad]+[^\W_ʼ]+)*)"  # letters/digits, with inner marks
    r"(?:['’‘ʼ][sS](?![^\W_]))?"  # a possessive 's, consumed but not part of the token
)
_IGNORABLE = re.compile(r"[\u0300-\u036f\u00ad]")
_RUSSIAN_WORD = re.compile(r"[а-яё]+")
_LATIN_WORD = re.compile(r"[a-zß-öø-ÿ\u0100-\u024f]+")
_LATIN_LETTER = re.compile(r"[a-zß-öø-ÿ\u0100-\u024f]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u052f]")

# Lower-case look-alikes, including those of capitals (H/Н, B/В, M/М, T/Т), for words
# typed with a letter of the wrong script.
_LATIN_LOOKALIKES = "aceopxykimthb"
_CYRILLIC_LOOKALIKES = "асеорхукімтнв"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)



class WordTokenizer(Tokenizer):
    """Words and numbers of a text with their positions and character spans."""

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
    """Replaces each lower-case token by its term: lemma, stem or the token itself."""

    is_morph = True  # Whoosh leaves it out for spelling words (`no_morph=True`).

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = _term(token.text)
            yield token


def govpress_analyzer() -> CompositeAnalyzer:
    """The analyzer for every text field and every query: one chain, so terms meet."""
    return WordTokenizer() | LowercaseFilter() | LemmaFilter()


def normalize_word(word: str) -> str:
    """The index term of one token (as `WordTokenizer` cuts it), e.g. `Жильём` → `жилье`.

    Anything that is not a word (`жил*`) is only case and `ё` folded.
    """
    return _term(word.lower())


def analyze(text: str) -> list[str]:
    """The terms of a text, in order."""
    return [token.text for token in _ANALYZER(text)]


def term_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Each token's start, end and term: exactly what `govpress_analyzer` yields, without
    Whoosh's token objects — snippets re-analyze whole bodies for every hit shown."""
    for start, end in _word_spans(text):
        yield start, end, _term(text[start:end].lower())


def learn_forms(text: str) -> None:
    """Analyze every distinct word form of `text` now, into the per-process cache: a server
    that has met a corpus's common forms shows the snippets of a new query without
    running the morphology on them (~27 µs a form, thousands on a results page)."""
    for form in set(_WORD.findall(text.lower())):
        _term(form)


def find_terms(text: str, wanted: Callable[[str], bool]) -> list[tuple[int, int, str]]:
    """The start, end and term of each word of `text` whose term is `wanted`: the
    `term_spans` a caller would keep, found faster for long texts with few matches
    (snippets). Each distinct word form is analyzed once; the forms that match are then
    found by one regular expression, and words inside URLs are dropped as the tokenizer
    skips them."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer: go word by word
        return [span for span in term_spans(text) if wanted(span[2])]
    forms = {}
    for form in set(_WORD.findall(lowered)):
        term = _term(form)
        if wanted(term):
            forms[form] = term
    if not forms:
        return []
    alternatives = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")
    urls = [match.span() for match in URL.finditer(text)]
    return [
        (match.start(), match.end(), forms[match.group()])
        for match in pattern.finditer(lowered)
        if _is_token(lowered, match.start(), match.end())
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


@lru_cache(maxsize=TERM_CACHE_SIZE)
def _term(token: str) -> str:
    """The term for a lower-case token; cached because most tokens repeat."""
    word = _one_script(_IGNORABLE.sub("", unicodedata.normalize("NFC", token)))
    if _RUSSIAN_WORD.fullmatch(word):
        word = _morph().parse(word)[0].normal_form
    elif _LATIN_WORD.fullmatch(word):
        word = _english_stemmer().stem(_english_lemma(word))
    return word.replace("ё", "е")


def _english_lemma(word: str) -> str:
    """simplemma's lemma, unless it is not a plain word (it maps `etc` to `etc.`)."""
    lemma = simplemma.lemmatize(word, lang="en")
    return lemma if lemma.isalpha() else word


def _one_script(word: str) -> str:
    """Rewrite look-alike letters of a mixed Latin/Cyrillic word into its main script."""
    latin = len(_LATIN_LETTER.findall(word))
    cyrillic = len(_CYRILLIC_LETTER.findall(word))
    if not latin or not cyrillic:
        return word
    return word.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


@cache
def _english_stemmer() -> SnowballStemmer:
    """nltk's Snowball English stemmer (needs no downloaded data).

    Imported on the first English word, not at start-up: importing nltk costs ~0.9 s here
    (it pulls in scipy), which processes that never meet English need not pay.
    """
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    """One Russian analyzer per process, loaded on first use (~0.1 s, ~15 MB)."""
    return pymorphy3.MorphAnalyzer()


_ANALYZER = govpress_analyzer()
