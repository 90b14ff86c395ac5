"""Shared fixtures: the bundled corpus indexed once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.indexing import index_paths
from indexer.locations import bundled_corpus
from webui import create_app


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled corpus (20 releases), built once and shared read-only."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    index_paths([bundled_corpus()], index_dir)
    return index_dir


@pytest.fixture(scope="module")
def app(corpus_index: Path) -> Flask:
    """The web app over the bundled corpus."""
    return create_app(corpus_index)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
