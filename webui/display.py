"""Presentation helpers for release text: readable paragraphs and safe links.

Release bodies arrive as one long line with sentences glued together (`2024.Among`); the
index keeps them exactly as published, and only the page splits them for reading. All
output here is plain text: the templates escape it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from search.results import SearchResults
from webui.i18n import format_number, text

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOWER = "a-zа-яёәғқңөұүһі"
# A sentence end glued to the next sentence: "2024.Among", "года.В", "тенге).Кроме".
_GLUED = re.compile(rf"(?<=[{_LOWER}0-9)»\"%])([.!?…])(?=[«\"„]?[{_UPPER}][{_LOWER}])")
# A sentence boundary after the spaces are in place.
_BOUNDARY = re.compile(rf"(?<=[.!?…])\s+(?=[«\"„(]?[{_UPPER}0-9])")
# Words that end in a full stop without ending a sentence ("г. Алматы", "Mr. Smith").
_ABBREVIATIONS = frozenset({
    "г", "гг", "им", "ул", "пр", "просп", "пос", "обл", "р-н", "ст", "проф", "акад", "тел",
    "mr", "mrs", "ms", "dr", "st", "no", "vs", "jr", "sr", "prof", "gen",
})
PARAGRAPH_CHARS = 420
PARAGRAPH_SENTENCES = 4


def is_web_url(url: str | None) -> bool:
    """Only http(s) addresses become links: never `javascript:`, `data:` or the like."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _spaced(passage: str) -> str:
    """Insert the missing space after glued sentence ends and before glued URLs."""
    pieces = []
    position = 0
    for match in _URL.finditer(passage):
        before = passage[position : match.start()]
        before = _GLUED.sub(r"\1 ", before)
        if before and not before[-1].isspace() and before[-1] in ".,;:!?)»":
            before += " "
        pieces.append(before)
        pieces.append(match.group(0))
        position = match.end()
    pieces.append(_GLUED.sub(r"\1 ", passage[position:]))
    return "".join(pieces)


def _sentences(passage: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(passage):
        words = passage[start : match.start()].split()
        last_word = words[-1].rstrip(".") if words else ""
        if last_word.lower() in _ABBREVIATIONS or len(last_word) == 1:
            continue  # "г. Алматы", "Mr. Smith", initials: not a sentence end
        sentences.append(passage[start : match.start()].strip())
        start = match.end()
    tail = passage[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def paragraphs(body: str) -> list[str]:
    """The body as a few-sentence paragraphs, for display only (the text is unchanged)."""
    result: list[str] = []
    for block in re.split(r"\n\s*\n|\n", body.replace("\u200b", "")):
        block = " ".join(block.split())
        if not block:
            continue
        current: list[str] = []
        length = 0
        for sentence in _sentences(_spaced(block)):
            current.append(sentence)
            length += len(sentence)
            if length >= PARAGRAPH_CHARS or len(current) >= PARAGRAPH_SENTENCES:
                result.append(" ".join(current))
                current, length = [], 0
        if current:
            result.append(" ".join(current))
    return result


def url_label(url: str, limit: int = 80) -> str:
    """A link text that is readable yet says where it goes: host and path, shortened."""
    parts = urlsplit(url)
    label = parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
    label = label.removeprefix("www.")
    return label if len(label) <= limit else label[: limit - 1] + "…"


def is_gov_kz(url: str | None) -> bool:
    """Whether a source address is on gov.kz (the link then says so)."""
    if not is_web_url(url):
        return False
    host = (urlsplit(url or "").hostname or "").lower()
    return host == "gov.kz" or host.endswith(".gov.kz")


def partial_notices(results: SearchResults, ui: str) -> list[str]:
    """Why the results may miss matches (README, "Limits"): one line per reason."""
    partial = results.partial
    if partial is None:
        return []
    notices = [text("partial_stopped", ui, seconds=partial.budget)] if partial.stopped else []
    notices += [text("partial_prefix", ui, prefix=f"{cut.prefix}*", searched=cut.searched,
                     terms=format_number(cut.terms, ui)) for cut in partial.prefixes]
    return notices
