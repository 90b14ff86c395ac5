"""Turn what a reader found (`RawRelease`) into the release record (`Release`).

This is where the id, the agency, the language and the other URLs are derived, so that
listing files and JSON Lines files give identical records for the same release.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from indexer.agencies import agency_name
from indexer.language import URL, detect_language
from indexer.release import RawRelease, Release

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
    digest = hashlib.sha1(f"{raw.title}\n{raw.date.isoformat()}".encode()).hexdigest()[:12]
    return f"{agency}-{digest}-{lang}"


def _language(raw: RawRelease) -> str:
    if raw.lang in LANGUAGES:
        return raw.lang
    return detect_language(f"{raw.title}\n{raw.body}")


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
    )
