"""The data that flows from the corpus readers to the index.

`RawRelease` is what a reader (listing text or JSON Lines) found in a file, before
enrichment; `Release` is the record the index stores (see DESIGN.md, "The release record");
`Skipped` is a release a reader or the indexer could not use, with where and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where something came from: a file and a 1-based line number."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def public(self) -> str:
        """"name.txt:12": the file's name and line, never the folders it is in (on a
        server, those tell its layout to every visitor)."""
        return f"{self.file.replace(chr(92), '/').rsplit('/', 1)[-1]}:{self.line}"


@dataclass(frozen=True)
class RawRelease:
    """One release as a reader found it; `records.build_release` turns it into a `Release`."""

    title: str
    body: str
    date: dt.date
    source_url: str | None
    category: str | None
    where: Location
    # Cut off: the listing ended (or the next release began) before a whole source
    # address. Such a release is kept, and a complete copy of it replaces it.
    incomplete: bool = False
    # Fields a JSON Lines record may state outright instead of having them derived.
    id: str | None = None
    agency: str | None = None
    lang: str | None = None
    urls: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Skipped:
    """A release (or a whole file) that was not indexed, and the reason."""

    where: Location
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class Release:
    """The release record, as indexed and as returned by `/api/doc/<id>`."""

    id: str
    title: str
    body: str
    date: dt.date
    agency: str
    agency_name_ru: str
    agency_name_en: str
    lang: str
    url: str | None
    urls: tuple[str, ...] = field(default_factory=tuple)
    category: str | None = None
    where: Location | None = None
    incomplete: bool = False  # only a cut-off copy was found (no source address)
