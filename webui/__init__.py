"""The web layer: pages, the JSON API and the `govpress` command line.

The Flask app is built in `webui.application`; its names (`create_app`, `searcher`, …)
are also reachable here, imported on first use, so that importing `webui.cli` for
`govpress --help` or a search does not import Flask (docs/benchmarks.md has the figures).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


def __getattr__(name: str) -> Any:
    application = import_module("webui.application")
    try:
        return getattr(application, name)
    except AttributeError:
        raise AttributeError(f"module 'webui' has no attribute {name!r}") from None
