"""URLs for pages, built from a `SearchRequest` so every link is a canonical bookmark.

Every link carries the interface language (`ui`), so switching it once sticks while the
user follows facets, pages and releases.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for

from search.request import DEFAULT_PER_PAGE, SearchRequest


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

    def doc(self, release_id: str, ui: str | None = None, q: str = "") -> str:
        """A release's page; opened from a search, `q` carries the words to mark in it."""
        params = [("q", q)] if q else []
        return f"{url_for('pages.doc', release_id=release_id)}?{self._query(params, ui)}"

    def api_doc(self, release_id: str) -> str:
        return f"{url_for('api.doc', release_id=release_id)}?{self._query([])}"

    def export_csv(self, search: SearchRequest, body: bool = False) -> str:
        """The CSV download of every release of `search` (in its order), not one page."""
        params = search.with_changes(page=1, per_page=DEFAULT_PER_PAGE).to_params()
        return f"{url_for('tools.search_csv')}?{self._query([*params, *[('body', '1')] * body])}"

    def feed(self, search: SearchRequest) -> str:
        """The Atom feed of `search`: its newest releases, so sort and page drop out."""
        params = search.with_changes(sort="relevance", page=1,
                                     per_page=DEFAULT_PER_PAGE).to_params()
        return f"{url_for('tools.feed')}?{self._query(params)}"

    def agencies(self, order: str = "count", ui: str | None = None) -> str:
        """The agency overview; `order` is count (the default), name or latest."""
        params = [("order", order)] if order != "count" else []
        return f"{url_for('tools.agencies')}?{self._query(params, ui)}"

    def opensearch(self) -> str:
        return f"{url_for('tools.opensearch')}?{self._query([])}"

    def api_agencies(self, order: str = "count") -> str:
        params = [("order", order)] if order != "count" else []
        return f"{url_for('api.agencies')}?{self._query(params)}"
