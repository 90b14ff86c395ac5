"""Shared fixtures: the bundled corpus indexed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.indexing import index_paths
from indexer.locations import bundled_corpus


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled corpus (20 releases), built once and shared read-only."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    index_paths([bundled_corpus()], index_dir)
    return index_dir
