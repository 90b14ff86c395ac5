"""Opening the Whoosh index directory, for writing (indexer) and reading (search)."""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.index import FileIndex

from indexer.schema import release_schema

INDEX_NAME = "releases"


class IndexError_(Exception):
    """An index directory that cannot be used; the message says which and why."""


class IndexMissing(IndexError_):
    pass


def index_exists(index_dir: Path) -> bool:
    return index_dir.is_dir() and index.exists_in(str(index_dir), indexname=INDEX_NAME)


def open_index(index_dir: Path) -> FileIndex:
    """The existing index, or `IndexMissing` naming the directory and what to run."""
    if not index_exists(index_dir):
        raise IndexMissing(
            f"{index_dir}: no govpress index here; run `govpress index` to build one"
        )
    try:
        return index.open_dir(str(index_dir), indexname=INDEX_NAME)
    except Exception as exc:  # whoosh raises many kinds on a damaged directory
        raise IndexError_(f"{index_dir}: cannot open the index ({exc})") from exc


def open_or_create_index(index_dir: Path) -> FileIndex:
    """The index to write into; an empty one is created the first time."""
    if index_exists(index_dir):
        return open_index(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        return index.create_in(str(index_dir), release_schema(), indexname=INDEX_NAME)
    except OSError as exc:
        raise IndexError_(f"{index_dir}: cannot create the index ({exc.strerror})") from exc
