"""Releases as files for other programs: CSV, JSON Lines, Atom, OpenSearch.

Shared by the web routes (`webui/tools.py`) and `govpress export`, so a download and a
command-line export of the same search are the same bytes. XML is built with
`xml.etree.ElementTree`, never by pasting text together, so any title or query is escaped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote
from xml.etree import ElementTree as ET

from indexer.agencies import agency_name
from indexer.release import Release
from search.request import SearchRequest
from webui.display import paragraphs

CSV_COLUMNS = ("id", "date", "agency", "agency_name", "lang", "title", "url")
BODY_COLUMN = "body"
BOM = "\ufeff"  # lets Excel recognise UTF-8 and show Cyrillic, not mojibake
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"): such cells get a leading apostrophe, shown as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What may come before such a character without being seen, so a cell still starts with it
# as far as the reader can tell (and some spreadsheets skip it): format characters
# (U+FEFF, U+2060, zero-width spaces and joiners, bidi marks and isolates) and spaces.
_INVISIBLE_CATEGORIES = ("Cf", "Zs", "Zl", "Zp")
CSV_ROWS_PER_CHUNK = 200
SUMMARY_CHARS = 400
TIMEZONE = dt.timezone(dt.timedelta(hours=5), "Asia/Almaty")  # releases carry dates only

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TAG_AUTHORITY = "tag:govpress,2025:"  # entry and feed ids that survive a change of host
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")



# -- CSV and JSON Lines -----------------------------------------------------------------


def record(release: Release, ui: str, body: bool) -> dict[str, str]:
    """One release as the columns of an export (`agency_name` in the `ui` language)."""
    row = {
        "id": release.id,
        "date": release.date.isoformat(),
        "agency": release.agency,
        "agency_name": agency_name(release.agency).in_language(ui),
        "lang": release.lang,
        "title": release.title,
        "url": release.url or "",
    }
    if body:
        row[BODY_COLUMN] = release.body
    return row


def csv_cell(value: str) -> str:
    """`value`, defused if a spreadsheet would run it as a formula (`=HYPERLINK(…)`), also
    behind invisible characters (`\ufeff=HYPERLINK(…)`)."""
    return "'" + value if _visible_start(value).startswith(FORMULA_START) else value


def _visible_start(value: str) -> str:
    for start, char in enumerate(value):
        if char in FORMULA_START or not (
            char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        ):
            return value[start:]
    return ""


def csv_chunks(releases: Iterable[Release], ui: str, body: bool = False) -> Iterator[str]:
    """The CSV file in pieces of `CSV_ROWS_PER_CHUNK` rows, BOM and header first, so a
    10,000-row download streams instead of sitting in memory as one string."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow((*CSV_COLUMNS, BODY_COLUMN) if body else CSV_COLUMNS)
    for number, release in enumerate(releases, 1):
        writer.writerow([csv_cell(value) for value in record(release, ui, body).values()])
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_lines(releases: Iterable[Release], ui: str, body: bool = False) -> Iterator[str]:
    """One JSON object per line, the CSV's columns as keys, text exactly as indexed."""
    for release in releases:
        yield json.dumps(record(release, ui, body), ensure_ascii=False) + "\n"


# -- file names ---------------------------------------------------------------------------

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    ("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya "
     "a g q n o u u h i").replace("_", "").split(" "),
    strict=True,
))


def _slug(text: str, limit: int = 60) -> str:
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())
    return "-".join(words)[:limit].strip("-")


def _ascii(name: str) -> str:
    text = "".join(_TRANSLIT.get(char, char) for char in name)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9._-]", "-", text)).strip("-")


def export_filename(search: SearchRequest, extension: str, first: int | None = None) -> str:
    """A name that says which search the file holds (`govpress-жилье-economy-ru-2025-03-01--
    2025-03-31.csv`), ending `-first-10000` when the export was cut at that many releases."""
    parts = ["govpress", _slug(search.q), *search.agencies, search.lang or ""]
    if search.date_from and search.date_to:
        parts.append(f"{search.date_from}--{search.date_to}")
    elif search.date_from or search.date_to:
        parts.append(f"from-{search.date_from}" if search.date_from else f"to-{search.date_to}")
    parts = [part for part in parts if part]
    if len(parts) == 1:
        parts.append("all")
    if first is not None:
        parts.append(f"first-{first}")
    return f"{'-'.join(parts)[:150]}.{extension}"


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII name for old clients and the real one (RFC 6266)."""
    fallback = _ascii(filename.rsplit(".", 1)[0]) or "govpress"
    extension = filename.rsplit(".", 1)[-1]
    return (f'attachment; filename="{fallback}.{extension}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")


# -- Atom -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    """One release as a feed entry; `link` is its page here, absolute."""

    release: Release
    link: str


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (they would break every reader)."""
    return _NOT_XML.sub("", text)


def _timestamp(date: dt.date) -> str:
    return dt.datetime.combine(date, dt.time(), TIMEZONE).isoformat()


def _summary(body: str) -> str:
    text = " ".join(paragraphs(body))  # glued sentences ("2024.Among") spaced for reading
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text.rfind(" ", 0, SUMMARY_CHARS)
    return text[: cut if cut > SUMMARY_CHARS // 2 else SUMMARY_CHARS].rstrip(" ,.;:") + "…"


def feed_id(search: SearchRequest) -> str:
    """The same search has the same feed id on any host and in either interface language."""
    params = search.with_changes(sort="relevance", page=1, per_page=20).to_params()
    return TAG_AUTHORITY + "search" + (f"?{quote_params(params)}" if params else "")


def quote_params(params: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in params)


def atom_feed(
    *,
    title: str,
    search: SearchRequest,
    self_url: str,
    alternate_url: str,
    entries: list[FeedEntry],
    ui: str,
    now: dt.datetime | None = None,
) -> bytes:
    """An Atom 1.0 document (RFC 4287): `updated` is the newest entry's date, so the
    bytes change only when the results do, and feed readers can cache them."""

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    # Unprefixed tags and an `xmlns` attribute: ElementTree's `default_namespace` refuses
    # unqualified attributes, and `register_namespace` would change global state.
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: ui})
    add(feed, "id", feed_id(search))
    add(feed, "title", title)
    newest = max((e.release.date for e in entries), default=None)
    updated = _timestamp(newest) if newest else (now or dt.datetime.now(dt.UTC)).isoformat(
        timespec="seconds")
    add(feed, "updated", updated)
    add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    add(feed, "link", rel="alternate", type="text/html", href=alternate_url)
    add(add(feed, "author"), "name", "govpress")
    add(feed, "generator", "govpress")
    for item in entries:
        release = item.release
        entry = add(feed, "entry")
        add(entry, "id", f"{TAG_AUTHORITY}release/{release.id}")
        add(entry, "title", release.title.strip() or "—").set(XML_LANG, release.lang)
        add(entry, "updated", _timestamp(release.date))
        add(entry, "published", _timestamp(release.date))
        add(entry, "link", rel="alternate", type="text/html", href=item.link)
        if release.url and release.url.startswith(("http://", "https://")):
            add(entry, "link", rel="via", href=xml_text(release.url))
        add(add(entry, "author"), "name", agency_name(release.agency).in_language(ui))
        add(entry, "category", term=release.agency,
            label=xml_text(agency_name(release.agency).in_language(ui)))
        if release.body.strip():
            add(entry, "summary", _summary(release.body), type="text").set(XML_LANG, release.lang)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# -- OpenSearch -----------------------------------------------------------------------------


def opensearch_description(
    *, short_name: str, description: str, html_template: str, atom_template: str,
    icon_url: str, ui: str,
) -> bytes:
    """The OpenSearch 1.1 description browsers read to add govpress as a search engine."""
    root = ET.Element("OpenSearchDescription", {"xmlns": OPENSEARCH})

    def add(tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(root, tag, attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    add("ShortName", short_name)
    add("Description", description)
    add("InputEncoding", "UTF-8")
    add("OutputEncoding", "UTF-8")
    add("Language", ui)
    add("Image", icon_url, type="image/svg+xml", width="64", height="64")
    add("Url", type="text/html", template=html_template)
    add("Url", type="application/atom+xml", template=atom_template)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
