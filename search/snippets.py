"""Snippets: the best passage of a release, escaped, with every matching word form marked.

The text is re-analyzed with the index's own analysis chain in the release's language, so
a word is marked exactly when its lemma is one the query looked for (`жилье` marks
`жилья`, `child` marks `children`, `министрлік` marks `министрлігінің`) or its name key is
(`Токаев` marks `Tokayev`); everything else is HTML-escaped.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import TYPE_CHECKING

from indexer.analysis import find_terms

if TYPE_CHECKING:
    from search.query import ParsedQuery

SNIPPET_CHARS = 280
MAX_ANALYZED_CHARS = 50_000  # the best passage is looked for in a body's first 50k chars


def _spans(text: str, lang: str, parsed: ParsedQuery) -> list[tuple[int, int, str]]:
    return find_terms(text[:MAX_ANALYZED_CHARS], lang, parsed.matches, parsed.keys)


def _best_window(spans: list[tuple[int, int, str]], size: int) -> int:
    """Where the window of `size` chars holding the most distinct matched terms starts.

    Two pointers over the spans (in text order, so their ends grow too): linear in the
    number of matches.
    """
    best_start, best_score = spans[0][0], -1
    in_window: Counter[str] = Counter()
    end = 0  # spans[i:end] are in the window that starts at spans[i]
    for i, (start, _, term) in enumerate(spans):
        end = max(end, i)
        while end < len(spans) and spans[end][1] - start <= size:
            in_window[spans[end][2]] += 1
            end += 1
        if len(in_window) > best_score:
            best_start, best_score = start, len(in_window)
        if i < end:  # spans[i] leaves the window
            in_window[term] -= 1
            if not in_window[term]:
                del in_window[term]
    return best_start


def _cut(text: str, start: int, size: int) -> tuple[int, int]:
    """A window of about `size` chars around `start`, moved to word boundaries."""
    start = max(0, start - size // 4)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + size // 2 else end
    return start, end


def snippet(text: str, lang: str, parsed: ParsedQuery | None, size: int = SNIPPET_CHARS) -> str:
    """HTML for the passage of `text` (in `lang`) that best shows what `parsed` matched;
    its opening if nothing."""
    text = " ".join(text.split())
    spans = _spans(text, lang, parsed) if parsed is not None else []
    start, end = _cut(text, _best_window(spans, size) if spans else 0, size)
    if not spans:
        start = 0
        end = _cut(text, 0, size)[1]
    ellipsis = ("…" if start > 0 else "", "…" if end < len(text) else "")
    return ellipsis[0] + _marked(text, spans, start, end) + ellipsis[1]


def marked(text: str, lang: str, parsed: ParsedQuery | None) -> str:
    """All of `text` (in `lang`) as HTML, every matching word form marked: a result's
    title, and a release opened from a search (its title and paragraphs)."""
    return _marked(text, _spans(text, lang, parsed) if parsed else [], 0, len(text))


def _marked(text: str, spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    """`text[start:end]` escaped, with the spans inside it in `<mark>`."""
    parts = []
    position = start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        parts.append(escape(text[position:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        position = e
    parts.append(escape(text[position:end]))
    return "".join(parts)
