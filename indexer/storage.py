"""Opening the Whoosh index directory, for writing (indexer) and reading (search)."""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.fields import Schema
from whoosh.index import FileIndex

from indexer.codec import ArrayWriter
from indexer.schema import release_schema

INDEX_NAME = "releases"


class IndexError_(Exception):
    """An index directory that cannot be used; the message says which and why."""


class IndexMissing(IndexError_):
    pass


def index_exists(index_dir: Path) -> bool:
    """Whether `index_dir` holds a govpress index (readable or not: see `open_index`)."""
    return index_dir.is_dir() and any(index_dir.glob(f"_{INDEX_NAME}_*.toc"))


def open_index(index_dir: Path) -> FileIndex:
    """The existing index, or `IndexMissing` / `IndexError_` saying what to run."""
    if not index_exists(index_dir):
        raise IndexMissing(
            f"{index_dir}: no govpress index here; run `govpress index` to build one"
        )
    try:
        return index.open_dir(str(index_dir), indexname=INDEX_NAME)
    except Exception as exc:  # whoosh raises many kinds on a damaged or foreign directory
        raise IndexError_(
            f"{index_dir}: cannot open the index ({type(exc).__name__}: {exc}); it may have "
            "been built by another version of govpress: run `govpress index --rebuild`"
        ) from exc


def open_or_create_index(index_dir: Path, *, rebuild: bool = False) -> FileIndex:
    """The index to write into; an empty one the first time.

    With `rebuild`, an index this version cannot use (unreadable, or with other fields)
    is replaced by an empty one; a usable one is kept, to be emptied in the rebuild's own
    transaction, so that a failed rebuild leaves it as it was.
    """
    if index_exists(index_dir):
        try:
            ix = open_index(index_dir)
        except IndexError_:
            if not rebuild:
                raise
        else:
            if not rebuild or set(ix.schema.names()) == set(release_schema().names()):
                return _with_current_schema(ix, index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        return index.create_in(str(index_dir), release_schema(), indexname=INDEX_NAME)
    except OSError as exc:
        raise IndexError_(f"{index_dir}: cannot create the index ({exc.strerror})") from exc


def _with_current_schema(ix: FileIndex, index_dir: Path) -> FileIndex:
    """The index with this version's schema (fields and analysis chain), its releases kept.

    An index written by an earlier version keeps that version's schema, analyzers
    included, in its table of contents, and writers (worker processes too) take it from
    there. Its releases are all analyzed again by the run (`INDEX_FORMAT` is in their
    digests), so the new schema is committed first, with no other change: old segments
    simply lack the new fields until their releases are replaced.
    """
    current = release_schema()
    if _signature(ix.schema) == _signature(current):
        return ix
    writer = ArrayWriter(ix)
    writer.schema = current
    writer.commit(merge=False)
    return index.open_dir(str(index_dir), indexname=INDEX_NAME)


def _signature(schema: Schema) -> list[tuple[str, str, object]]:
    """What a schema means: its fields, their types and postings formats, and the
    analyzers of the text fields (Whoosh's own schema equality compares column objects by
    identity)."""
    return [
        (name, type(field).__name__, type(field.format).__name__,
         field.analyzer if field.scorable else None)
        for name, field in schema.items()
    ]
