"""Where govpress keeps its index and where the bundled sample corpus lives."""

from __future__ import annotations

import os
from pathlib import Path

INDEX_DIR_ENV = "GOVPRESS_INDEX_DIR"


def default_index_dir() -> Path:
    """`$GOVPRESS_INDEX_DIR`, else the user's data folder: the index outlives a checkout."""
    if os.environ.get(INDEX_DIR_ENV):
        return Path(os.environ[INDEX_DIR_ENV]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "govpress" / "index"


def bundled_corpus() -> Path:
    """The sample corpus shipped in the project checkout (`corpus/` beside `indexer/`)."""
    return Path(__file__).resolve().parent.parent / "corpus"
