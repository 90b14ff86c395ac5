"""URLs for pages, built from a `SearchRequest` so every link is a canonical bookmark.

Every link carries the interface language (`ui`), so switching it once sticks while the
user follows facets, pages and releases.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for

from search.request import SearchRequest


class Links:
    """Link builder for one request's interface language."""

    def __init__(self, ui: str) -> None:
        self.ui = ui

    def _query(self, params: list[tuple[str, str]], ui: str | None = None) -> str:
        return urlencode([*params, ("ui", ui or self.ui)])

    def search(self, search: SearchRequest, ui: str | None = None) -> str:
        """The results page of `search`."""
        return f"{url_for('pages.search')}?{self._query(search.to_params(), ui)}"

    def api_search(self, search: SearchRequest) -> str:
        return f"{url_for('api.search')}?{self._query(search.to_params())}"

    def home(self, ui: str | None = None) -> str:
        return f"{url_for('pages.home')}?{self._query([], ui)}"

    def doc(self, release_id: str, ui: str | None = None) -> str:
        return f"{url_for('pages.doc', release_id=release_id)}?{self._query([], ui)}"

    def api_doc(self, release_id: str) -> str:
        return f"{url_for('api.doc', release_id=release_id)}?{self._query([])}"
