"""Turn what a reader found (`RawRelease`) into the release record (`Release`).

This is where the id, the agency, the language and the other URLs are derived, so that
listing files and JSON Lines files give identical records for the same release, and where
what one release may hold is capped (`within_limits`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from urllib.parse import urlsplit

from indexer.agencies import agency_name
from indexer.language import URL, detect_language
from indexer.release import RawRelease, Release

# What one release may hold. The largest real releases are tens of KB; one of 50 MB made
# its page take 24 s (55 MB of HTML), the feed 7 s, a search that found it 3 s.
MAX_BODY_CHARS = 200_000
MAX_TITLE_CHARS = 1_000
MAX_URLS = 100

LANGUAGES = ("ru", "en", "kk")
UNKNOWN_AGENCY = "unknown"
MAX_NEWS_DIGITS = 9  # gov.kz numbers have 6-7 digits; the index keeps them in 32 bits

_GOV_KZ = re.compile(
    r"gov\.kz/memleket/entities/(?P<agency>[A-Za-z0-9_-]+)"
    r"(?:/press/news/details/(?P<news>\d+))?"
)
_URL_TRAILING_PUNCT = ".,;:!?)]}’”"
_SLUG_UNSAFE = re.compile(r"[^a-z0-9-]+")


def urls_in(text: str) -> list[str]:
    """The web addresses in a text, without the punctuation that ends a sentence."""
    found = []
    for match in URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING_PUNCT)
        if url.lower().startswith("www."):
            url = "https://" + url
        if url not in found:
            found.append(url)
    return found


def _slug(text: str) -> str:
    return _SLUG_UNSAFE.sub("-", text.lower()).strip("-")


def agency_of(url: str | None) -> str:
    """The agency slug of a gov.kz release address (`unknown` for any other address)."""
    match = _GOV_KZ.search(url or "")
    return _slug(match.group("agency")) if match else UNKNOWN_AGENCY


def news_number(url: str | None) -> int:
    """The gov.kz news number of a release address (0 when it has none): releases of one
    agency with one number are the language versions of one news item."""
    match = _GOV_KZ.search(url or "")
    news = match.group("news") if match else None
    return int(news) if news and len(news) <= MAX_NEWS_DIGITS else 0


def _clean_source(url: str | None) -> str | None:
    """A usable source address, or None for a fragment cut off mid-address (`htt`)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def _release_id(raw: RawRelease, url: str | None, agency: str, lang: str) -> str:
    """A stable, URL-safe id: agency, news number and language where the address has them.

    The language is part of the id because one gov.kz news item is published in several
    translations under one address; each translation is its own searchable release.
    """
    match = _GOV_KZ.search(url or "")
    if match and match.group("news"):
        return f"{agency}-{match.group('news')}-{lang}"
    return f"{agency}-{_title_and_date(raw.title, raw.date)}-{lang}"


def _title_and_date(title: str, date: dt.date) -> str:
    return hashlib.sha1(f"{title}\n{date.isoformat()}".encode()).hexdigest()[:12]


def cut_off_ids(release: Release) -> list[str]:
    """The ids a cut-off copy of `release` (same title and date, no address, so agency
    `unknown`) has in each language: its language is detected from a shorter text."""
    digest = _title_and_date(release.title, release.date)
    return [f"{UNKNOWN_AGENCY}-{digest}-{lang}" for lang in LANGUAGES]


def _language(raw: RawRelease) -> str:
    if raw.lang in LANGUAGES:
        return raw.lang
    return detect_language(f"{raw.title}\n{raw.body}")


def within_limits(raw: RawRelease) -> tuple[RawRelease, list[str]]:
    """The release cut to `MAX_TITLE_CHARS`, `MAX_BODY_CHARS` and `MAX_URLS`, and a
    "file:line: what" message for each cut."""
    cuts: dict[str, object] = {}
    messages = []
    for name, limit in (("title", MAX_TITLE_CHARS), ("body", MAX_BODY_CHARS)):
        text: str = getattr(raw, name)
        if len(text) > limit:
            cuts[name] = _cut(text, limit)
            messages.append(f"{raw.where}: the {name} is {len(text):,} characters, over the "
                            f"limit of {limit:,}: cut to {len(cuts[name]):,}")
    if raw.urls is not None and len(raw.urls) > MAX_URLS:
        cuts["urls"] = raw.urls[:MAX_URLS]
        messages.append(f"{raw.where}: {len(raw.urls):,} other addresses, over the limit of "
                        f"{MAX_URLS}: the first {MAX_URLS} kept")
    return (dataclasses.replace(raw, **cuts) if cuts else raw), messages


def _cut(text: str, limit: int) -> str:
    """The text's first characters, ending between words when one ends near, and " …":
    at most `limit` in all."""
    cut = text[: limit - 2]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit - 1000 else cut).rstrip() + " …"


# A Cyrillic letter in UTF-8 read as cp1251 is `Р` or `С` and one of these (its second byte,
# 0x80–0xBF, in cp1251): found in one pass, so that real text costs no more than that.
_MOJIBAKE_LETTER = re.compile(
    "[РС][\u0401-\u040f\u0451-\u045f\u0490\u0491\u00a0-\u00bf\u2013-\u203a\u20ac\u2116\u2122]"
)


def looks_garbled(text: str) -> bool:
    """Whether text is mojibake: UTF-8 read as cp1251 (`Р’РІРѕРґ` for `Ввод`).

    Such a word turns back into UTF-8 when encoded as cp1251; a real Russian or Kazakh
    word almost never does (its cp1251 bytes are not valid UTF-8). A third of the first
    200 non-ASCII words is enough.
    """
    if not _MOJIBAKE_LETTER.search(text):
        return False
    words = [word for word in text.split(maxsplit=1000) if not word.isascii()][:200]
    garbled = 0
    for word in words:
        try:
            word.encode("cp1251").decode("utf-8")
        except UnicodeError:
            continue
        garbled += 1
    return bool(words) and garbled * 3 >= len(words)


def build_release(raw: RawRelease) -> Release:
    """The release record for one raw release."""
    url = _clean_source(raw.source_url)
    agency = _slug(raw.agency) if raw.agency and _slug(raw.agency) else agency_of(raw.source_url)
    lang = _language(raw)
    release_id = _slug(raw.id) if raw.id and _slug(raw.id) else _release_id(raw, url, agency, lang)
    if raw.urls is not None:
        urls = tuple(raw.urls)
    else:
        urls = tuple(u for u in urls_in(raw.body) if u != url)
    names = agency_name(agency)
    return Release(
        id=release_id,
        title=raw.title,
        body=raw.body,
        date=raw.date,
        agency=agency,
        agency_name_ru=names.ru,
        agency_name_en=names.en,
        lang=lang,
        url=url,
        urls=urls,
        category=raw.category,
        where=raw.where,
        incomplete=raw.incomplete,
    )
