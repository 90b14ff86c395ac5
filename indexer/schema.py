"""The Whoosh schema: which parts of a release are searched, filtered, sorted and shown."""

from __future__ import annotations

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import govpress_analyzer, names_analyzer
from indexer.codec import ArrayPositions

# Raise when the analysis chain or the schema changes meaning: every release then counts
# as changed on the next incremental run and is analyzed again.
INDEX_FORMAT = "5"  # 4: Kazakh and English lemmas, name keys (`names`), `news`; 5: ArrayCodec


def release_schema() -> Schema:
    """Full text in `title` and `body` (terms: lemmas), the cross-script keys of the names
    in both in `names` (not stored; no positions: no phrases), exact filters
    `agency`/`lang`, a sortable `date` (YYYYMMDD), and the gov.kz `news` number (0 when
    the source has none) that, with the agency, names the news item whose translations
    a release is (found at search time, so a translation indexed later is seen at once)."""
    analyzer = govpress_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=_phrase_text(analyzer),
        body=_phrase_text(analyzer),
        names=TEXT(analyzer=names_analyzer(), phrase=False),
        date=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        month=ID(sortable=True),
        agency=ID(stored=True, sortable=True),
        lang=ID(stored=True, sortable=True),
        category=ID(stored=True),
        url=STORED(),
        urls=STORED(),
        where=STORED(),
        incomplete=STORED(),
        digest=ID(stored=True, sortable=True),
        news=NUMERIC(int, bits=32, sortable=True, signed=False),
    )


def _phrase_text(analyzer) -> TEXT:
    """A stored text field whose positions are kept as arrays (`indexer.codec`)."""
    field = TEXT(analyzer=analyzer, stored=True, phrase=True)
    field.format = ArrayPositions(field_boost=field.format.field_boost)
    return field
