"""The web UI and JSON API through Flask's test client, on the indexed bundled corpus.

The corpus holds 20 releases (17 English, 3 Russian; agencies economy 6, ecogeo 4,
almaty 10; all in March 2025). These tests check the web layer: parameters, links,
rendering, errors and headers. Ranking and language analysis are tested with the search
layer.
"""

from __future__ import annotations

import datetime as dt
import logging
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.release import Release
from search.request import SearchRequest
from search.results import FacetValue, Hit, SearchResults, Translation, release_as_json
from search.searcher import Searcher
from webui import CONTENT_SECURITY_POLICY, create_app
from webui.display import is_web_url, paragraphs
from webui.i18n import UI_LANGUAGES
from webui.serve import AccessLog, ensure_index

HOUSING_ID = "economy-956947-ru"
HIT_KEYS = {"id", "title", "date", "agency", "agency_name", "lang", "url", "snippet", "score",
            "translations"}


# -- helpers ------------------------------------------------------------------------


class Page(HTMLParser):
    """What the tests look at in an HTML page: links, scripts, attributes, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in: list[str] = []
        self._link: dict[str, str] | None = None
        self._script: tuple[dict[str, str | None], list[str]] | None = None
        self.text_parts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self._in.append(tag)
        if tag == "a" and attributes.get("href") is not None:
            self._link = {"href": attributes["href"] or "", "text": "",
                          "class": attributes.get("class") or "",
                          "hreflang": attributes.get("hreflang") or ""}
            self.links.append(self._link)
        if tag == "script":
            self._script = (attributes, [])

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()
        if tag == "a":
            self._link = None
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "title" and "svg" not in self._in:  # not a tooltip
            self.title += data
        if self._link is not None:
            self._link["text"] += data
        if self._script is not None:
            self._script[1].append(data)
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def hrefs(self, prefix: str) -> list[str]:
        return [link["href"] for link in self.links if link["href"].startswith(prefix)]

    def doc_ids(self) -> list[str]:
        """The releases listed as hits, in order (each hit title links to /doc/<id>)."""
        ids = []
        for href in self.hrefs("/doc/"):
            release_id = urlsplit(href).path.removeprefix("/doc/")
            if release_id not in ids:
                ids.append(release_id)
        return ids

    def link_titled(self, substring: str) -> str:
        for tag, attributes in self.elements:
            if tag == "a" and substring in (attributes.get("title") or ""):
                return attributes["href"] or ""
        raise AssertionError(f"no link titled {substring!r}")


def params_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def get_page(client: FlaskClient, url: str, status: int = 200) -> Page:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


# -- search page ----------------------------------------------------------------------


def test_home_lists_newest_releases_with_facet_overview(client: FlaskClient) -> None:
    page = get_page(client, "/")
    assert page.title == "govpress — поиск по пресс-релизам госорганов Казахстана"
    assert len(page.doc_ids()) == 20
    response = client.get("/api/search")
    dates = [hit["date"] for hit in response.get_json()["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert "Новые пресс-релизы" in page.text
    for label, count in [("Акимат города Алматы", 10), ("Английский", 17), ("Русский", 3),
                         ("март 2025 г.", 20)]:
        assert f"{label} {count}" in page.text


def test_search_finds_the_russian_housing_release(client: FlaskClient) -> None:
    response = client.get("/search?q=жилье")
    html = response.get_data(as_text=True)
    page = Page(html)
    assert response.status_code == 200
    assert page.title == "жилье — поиск govpress"
    assert page.doc_ids()[0] == HOUSING_ID
    assert "19 млн квадратных метров жилья" in page.text
    assert "<mark>" in html  # the snippet's highlighting is rendered, not escaped
    assert ("input", {"type": "search", "id": "q", "name": "q", "value": "жилье",
                      "maxlength": "500", "placeholder": "Например: жилье, инвестиции, экология",
                      "autocomplete": "off", "spellcheck": "false"}) in page.elements


def test_every_search_parameter_reaches_the_search(client: FlaskClient) -> None:
    url = ("/api/search?q=Almaty&agency=almaty&lang=en&from=2025-03-01&to=2025-03-31"
           "&sort=oldest&page=1&per_page=3&ui=en")
    body = client.get(url).get_json()
    assert body["query"] == {"q": "Almaty", "agency": ["almaty"], "lang": "en",
                             "from": "2025-03-01", "to": "2025-03-31", "sort": "oldest",
                             "page": 1, "per_page": 3}
    assert 0 < len(body["hits"]) <= 3
    assert all(hit["agency"] == "almaty" and hit["lang"] == "en" for hit in body["hits"])
    dates = [hit["date"] for hit in body["hits"]]
    assert dates == sorted(dates)
    page = get_page(client, url.replace("/api/search", "/search"))
    assert page.doc_ids() == [hit["id"] for hit in body["hits"]]
    selected = {tag: attrs for tag, attrs in page.elements if "selected" in attrs}
    assert selected  # the form shows the chosen sort and page size
    assert ("input", {"type": "date", "name": "from", "value": "2025-03-01",
                      "min": "1991-01-01", "max": "2099-12-31"}) in page.elements


def test_facet_links_add_and_remove_filters(client: FlaskClient) -> None:
    page = get_page(client, "/search?ui=en")
    economy = page.link_titled("Add filter: Ministry of National Economy")
    assert ("agency", "economy") in params_of(economy) and ("ui", "en") in params_of(economy)
    page = get_page(client, economy)
    assert len(page.doc_ids()) == 6
    # The selected value is a link that removes it, and a removable chip shows it too.
    removing = page.link_titled("Remove filter: Ministry of National Economy")
    assert "agency" not in dict(params_of(removing))
    assert len(get_page(client, removing).doc_ids()) == 20
    # Another agency adds to the selection (agency is repeatable).
    both = page.link_titled("Add filter: Ministry of Ecology and Natural Resources")
    assert [v for k, v in params_of(both) if k == "agency"] == ["economy", "ecogeo"]
    assert len(get_page(client, both).doc_ids()) == 10


def test_language_and_month_facets(client: FlaskClient) -> None:
    page = get_page(client, "/?ui=ru")
    russian = page.link_titled("Добавить фильтр: Русский")
    assert dict(params_of(russian))["lang"] == "ru"
    page = get_page(client, russian)
    assert len(page.doc_ids()) == 3
    assert "lang" not in dict(params_of(page.link_titled("Убрать фильтр: Русский")))
    march = get_page(client, "/").link_titled("Добавить фильтр: март 2025\u202fг.")
    assert dict(params_of(march)) | {} == {"from": "2025-03-01", "to": "2025-03-31", "ui": "ru"}
    page = get_page(client, march)
    assert len(page.doc_ids()) == 20
    unmarch = page.link_titled("Убрать фильтр: март 2025\u202fг.")
    assert params_of(unmarch) == [("ui", "ru")]


def test_filtered_search_without_results_offers_to_relax_each_filter(
    client: FlaskClient,
) -> None:
    page = get_page(client, "/search?q=жилье&agency=almaty&lang=ru&from=2025-03-01")
    assert page.doc_ids() == []
    assert "Ничего не найдено" in page.text
    # жилье is found without the filters: the spelling is not the problem, the filters are
    assert ("Выбранные фильтры исключают все релизы по запросу «жилье»: без них найдено "
            "1 релиз.") in page.text
    assert "Проверьте написание" not in page.text
    relax = [link for link in page.links if link["text"].startswith("× ")]
    removed = [
        {k for k, _ in params_of(u)} for u in (link["href"] for link in relax)
    ]
    assert {"agency", "lang", "from", "q"} - removed[0] == {"agency"}
    assert {"agency", "lang", "from", "q"} - removed[1] == {"lang"}
    assert {"agency", "lang", "from", "q"} - removed[2] == {"from"}
    without = next(link for link in page.links if link["text"] == "Искать без фильтров")
    assert params_of(without["href"]) == [("q", "жилье"), ("ui", "ru")]
    assert HOUSING_ID in get_page(client, without["href"]).doc_ids()


def test_pagination_with_five_per_page(client: FlaskClient) -> None:
    seen: list[str] = []
    url = "/search?per_page=5&ui=ru"
    for number in range(1, 5):
        page = get_page(client, url)
        ids = page.doc_ids()
        assert len(ids) == 5
        seen += ids
        numbers = [link for link in page.links if link["text"].strip() in "1234"
                   and link["text"].strip()]
        assert {link["text"].strip() for link in numbers} == {"1", "2", "3", "4"} - {str(number)}
        for link in numbers:
            assert ("per_page", "5") in params_of(link["href"])
            assert ("ui", "ru") in params_of(link["href"])
        nexts = [link["href"] for link in page.links if link["text"] == "Вперёд →"]
        if number < 4:
            url = nexts[0]
            assert dict(params_of(url))["page"] == str(number + 1)
        else:
            assert nexts == []
            previous = [link["href"] for link in page.links if link["text"] == "← Назад"]
            assert dict(params_of(previous[0]))["page"] == "3"
    assert len(set(seen)) == 20
    page = get_page(client, "/search?per_page=5&page=9")
    assert page.doc_ids() == [] and "На этой странице результатов нет" in page.text


def test_ui_switch_keeps_parameters_and_results(client: FlaskClient) -> None:
    url = "/search?q=investment&agency=economy&sort=newest&per_page=5&ui=ru"
    russian = get_page(client, url)
    switch = next(link["href"] for link in russian.links if link["text"] == "English")
    assert params_of(switch) == [(k, "en" if k == "ui" else v) for k, v in params_of(url)]
    english = get_page(client, switch)
    assert english.doc_ids() == russian.doc_ids() and english.doc_ids()
    assert "Ministry of National Economy" in english.text
    assert "Министерство национальной экономики РК" in russian.text
    assert client.get(url.replace("/search", "/api/search")).get_json()["hits"][0]["agency_name"] \
        == "Министерство национальной экономики РК"
    ru_json = client.get(url.replace("/search", "/api/search")).get_json()
    en_json = client.get(switch.replace("/search", "/api/search")).get_json()
    assert [h["id"] for h in ru_json["hits"]] == [h["id"] for h in en_json["hits"]]
    assert ru_json["total"] == en_json["total"]


@pytest.mark.parametrize("ui", UI_LANGUAGES)
def test_every_internal_link_keeps_the_interface_language(client: FlaskClient, ui: str) -> None:
    for url in (f"/?ui={ui}", f"/search?q=Almaty&per_page=5&ui={ui}",
                f"/doc/{HOUSING_ID}?ui={ui}", f"/search?q=qqqqzzzz&lang=en&ui={ui}"):
        page = get_page(client, url)
        internal = [link for link in page.links if link["href"].startswith("/")
                    and not link["href"].startswith("/static/")]
        assert internal, url
        switch = [link for link in internal if link["class"] == "ui-choice"]
        assert sorted(link["hreflang"] for link in switch) == sorted(
            lang for lang in UI_LANGUAGES if lang != ui)
        for link in internal:
            expected = link["hreflang"] if link in switch else ui
            assert dict(params_of(link["href"])).get("ui") == expected, (url, link)
        assert ("input", {"type": "hidden", "name": "ui", "value": ui}) in page.elements \
            or url.startswith("/doc/")


def test_form_submission_redirects_to_the_clean_address(client: FlaskClient) -> None:
    response = client.get("/search?q=+жилье+&from=&to=&sort=relevance&per_page=20&ui=ru")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?q=%D0%B6%D0%B8%D0%BB%D1%8C%D0%B5&ui=ru"
    assert client.get("/search?q=жилье&ui=ru").status_code == 200
    assert client.get("/search?agency=economy,ecogeo").headers["Location"] \
        == "/search?agency=economy&agency=ecogeo"


def test_did_you_mean_and_empty_states_render(corpus_index: Path) -> None:
    class Suggesting:
        def search(self, request: SearchRequest) -> SearchResults:
            return SearchResults(request, 0, [], {}, suggestion="housing")

    client = create_app(searcher=Suggesting()).test_client()
    page = get_page(client, "/search?q=husing&lang=en&ui=en")
    link = next(link for link in page.links if link["text"] == "housing")
    assert params_of(link["href"]) == [("q", "housing"), ("lang", "en"), ("ui", "en")]
    assert "Did you mean" in page.text and "Nothing matches “husing”." in page.text


# -- release page ---------------------------------------------------------------------


def test_release_page(client: FlaskClient) -> None:
    response = client.get(f"/doc/{HOUSING_ID}")
    page = Page(response.get_data(as_text=True))
    assert response.status_code == 200
    assert page.title.startswith("Ввод 19 млн квадратных метров жилья")
    assert page.title.endswith(" — govpress")
    assert "14 марта 2025" in page.text
    assert "Министерство национальной экономики РК" in page.text
    assert "Русский" in page.text
    source = "https://www.gov.kz/memleket/entities/economy/press/news/details/956947"
    assert source in page.hrefs("https://www.gov.kz/")
    assert any(href.startswith("https://primeminister.kz/") for href in page.hrefs("https://"))
    paragraphs_shown = [tag for tag, _ in page.elements if tag == "p"]
    assert len(paragraphs_shown) > 4
    # Glued sentences are separated for reading: "… Жумангарин.https://…" gets a space.
    assert "Жумангарин. https://primeminister.kz" in page.text
    similar = [i for i in page.doc_ids() if i != HOUSING_ID]
    assert similar
    english = get_page(client, f"/doc/{HOUSING_ID}?ui=en")
    assert "Ministry of National Economy" in english.text and "14 March 2025" in english.text


def test_release_page_links_only_web_addresses() -> None:
    release = Release(
        id="x-1-en", title="<b>Title</b>", body="Text.More text <script>alert(1)</script>",
        date=dt.date(2025, 3, 1), agency="economy", agency_name_ru="", agency_name_en="",
        lang="en", url="javascript:alert(1)",
        urls=("javascript:alert(2)", "data:text/html,hi", "https://example.kz/a?b=<c>"),
    )

    class One:
        def document(self, release_id: str) -> Release | None:
            return release if release_id == release.id else None

        def similar(self, release_id: str, limit: int = 5) -> list[Hit]:
            return []

        def translations(self, release_id: str) -> list[Translation]:
            return []

    client = create_app(searcher=One()).test_client()
    html = client.get("/doc/x-1-en").get_data(as_text=True)
    page = Page(html)
    hrefs = [link["href"] for link in page.links]
    assert not any(h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    assert "https://example.kz/a?b=<c>" in hrefs
    assert "<script>alert" not in html and "<b>Title" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert is_web_url("HTTPS://gov.kz/x") and not is_web_url("http:///nohost")
    assert not is_web_url(" javascript:alert(1)") and not is_web_url(None)


def test_paragraphs_split_glued_sentences() -> None:
    body = ("First sentence ends here in 2024.Among other things the plan grows. "
            "It was held in г. Алматы today. " * 6)
    shown = paragraphs(body)
    assert len(shown) > 1
    assert all("2024. Among" in p or "2024.Among" not in p for p in shown)
    assert "г. Алматы today" in shown[0]
    assert paragraphs("") == [] and paragraphs("\u200b") == []


# -- JSON API -------------------------------------------------------------------------


def test_api_search_is_exactly_the_search_results_json(
    client: FlaskClient, corpus_index: Path
) -> None:
    response = client.get("/api/search?q=Almaty&per_page=5&ui=en")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["query", "total", "page", "per_page", "hits", "facets", "suggestion",
                          "partial"]
    assert body["partial"] is None
    assert set(body["facets"]) == {"agency", "lang", "month"}
    for values in body["facets"].values():
        for value in values:
            assert list(value) == ["value", "label", "count"]
    for hit in body["hits"]:
        assert set(hit) == HIT_KEYS
    request = SearchRequest.from_params({"q": ["Almaty"], "per_page": ["5"]})
    assert body == Searcher(corpus_index).search(request).as_json("en")


def test_api_doc_is_the_release_json_with_similar(client: FlaskClient, corpus_index: Path) -> None:
    body = client.get(f"/api/doc/{HOUSING_ID}?ui=en").get_json()
    release = Searcher(corpus_index).document(HOUSING_ID)
    assert release is not None
    similar = body.pop("similar")
    assert body == release_as_json(release, "en")
    assert similar and all(set(hit) == HIT_KEYS for hit in similar)
    assert HOUSING_ID not in [hit["id"] for hit in similar]


# -- errors ---------------------------------------------------------------------------

BAD_PARAMETERS = [
    ("lang=xx", "lang"),
    ("lang=ru&lang=en", "lang"),
    ("from=2025-13-01", "from"),
    ("from=yesterday", "from"),
    ("to=2025-02-30", "to"),
    ("from=2025-03-10&to=2025-03-01", "from"),
    ("sort=best", "sort"),
    ("page=0", "page"),
    ("page=abc", "page"),
    ("page=99999999999", "page"),
    ("per_page=101", "per_page"),
    ("per_page=-1", "per_page"),
    ("agency=<script>", "agency"),
    ("agency=" + ",".join(f"a{i}" for i in range(60)), "agency"),
    ("q=a&q=b", "q"),
    ("ui=de", "ui"),
    ("ui=ru&ui=en", "ui"),
    ("ui=" + "x" * 5000, "ui"),
]


@pytest.mark.parametrize(("query", "name"), BAD_PARAMETERS)
def test_bad_parameters_get_400_naming_them(client: FlaskClient, query: str, name: str) -> None:
    for path in ("/", "/search"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert response.mimetype == "text/html"
        page = Page(response.get_data(as_text=True))
        assert f"«{name}»" in page.text
        # a results page (the search without the wrong parameter), never the input at length
        assert len(response.get_data()) < 60_000
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == name and isinstance(error["message"], str)


def test_bad_parameters_are_explained_in_the_interface_language(client: FlaskClient) -> None:
    """Dates typed the wrong way round are the likeliest mistake in the form."""
    query = "from=2025-03-10&to=2025-03-01"
    russian = Page(client.get(f"/search?{query}").get_data(as_text=True)).text
    assert "начальная дата («С даты») позже конечной («По дату»)" in russian
    assert "start date" not in russian
    english = Page(client.get(f"/search?{query}&ui=en").get_data(as_text=True)).text
    assert "the start date is after the end date" in english
    api = client.get(f"/api/search?{query}").get_json()["error"]["message"]
    assert api == "the start date is after the end date (`to`)"
    page = Page(client.get("/search?per_page=500").get_data(as_text=True)).text
    assert "нужно целое число от 1 до 100" in page


def test_bad_ui_on_release_pages(client: FlaskClient) -> None:
    assert client.get(f"/doc/{HOUSING_ID}?ui=fr").status_code == 400
    response = client.get(f"/api/doc/{HOUSING_ID}?ui=fr")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == "ui"


@pytest.mark.parametrize("release_id", ["economy-0-ru", "NOPE", "a" * 300, "%3Cscript%3E",
                                        "..%2F..%2Fetc"])
def test_unknown_releases_get_404(client: FlaskClient, release_id: str) -> None:
    response = client.get(f"/doc/{release_id}?ui=en")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Page not found" in Page(response.get_data(as_text=True)).text
    response = client.get(f"/api/doc/{release_id}")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"message": "not found"}}


def test_unknown_routes_and_methods(client: FlaskClient) -> None:
    assert client.get("/nope").status_code == 404
    assert client.get("/api/nope").get_json() == {"error": {"message": "not found"}}
    response = client.post("/search", data={"q": "x"})
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert client.post("/api/search").status_code == 405
    assert client.head("/search?q=x").status_code == 200


def test_links_on_error_pages_never_leave_the_site(client: FlaskClient) -> None:
    response = client.get("/x", environ_overrides={"PATH_INFO": "//evil.example/x"})
    assert response.status_code == 404
    for link in Page(response.get_data(as_text=True)).links:
        href = link["href"]  # the skip link is `#main`
        assert href.startswith("#") or (href.startswith("/") and not href.startswith("//"))


def test_missing_index_answers_503_not_a_traceback(tmp_path: Path) -> None:
    client = create_app(tmp_path / "no-index").test_client()
    response = client.get("/search?q=x&ui=en")
    assert response.status_code == 503 and response.headers["Retry-After"]
    text = Page(response.get_data(as_text=True)).text
    assert "temporarily unavailable" in text and "Traceback" not in text
    assert str(tmp_path) not in text
    response = client.get("/api/search?q=x")
    assert response.status_code == 503 and "error" in response.get_json()
    assert client.get("/api/doc/economy-1-en").status_code == 503


def test_unexpected_errors_are_logged_and_answered_503(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        def search(self, request: SearchRequest) -> SearchResults:
            raise RuntimeError("segment file vanished: /secret/path")

    client = create_app(searcher=Broken()).test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get("/search?q=x")
    assert response.status_code == 503
    assert "/secret/path" not in response.get_data(as_text=True)
    assert "segment file vanished" in caplog.text


# -- hostile input ----------------------------------------------------------------------


def test_script_in_query_is_escaped_everywhere(client: FlaskClient) -> None:
    attack = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    response = client.get("/search", query_string={"q": attack})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = Page(html)
    assert not any(tag == "img" for tag, _ in page.elements)
    assert all(not name.startswith("on") for _, attrs in page.elements for name in attrs)
    body = client.get("/api/search", query_string={"q": attack}).get_json()
    assert body["query"]["q"] == attack


@pytest.mark.parametrize("value", [
    "x" * 8000,  # long, yet within the 8 KB address limit (longer: 414, tests/test_serving.py)
    "жилье " * 250,  # 7.75 KB percent-encoded
    "\x00\x01\x1b[31m",
    "\u202e\u200b\ufeff𝕏🙂",
    "' OR 1=1 --",
    "title:* AND NOT (",
    '"unbalanced',
    "*?~^/\\",
])
def test_hostile_query_values_never_fail(client: FlaskClient, value: str) -> None:
    for path in ("/search", "/api/search"):
        response = client.get(path, query_string={"q": value}, follow_redirects=True)
        assert response.status_code in (200, 400), (path, response.status_code)


def test_invalid_utf8_and_repeated_parameters(client: FlaskClient) -> None:
    response = client.get("/search?q=%ff%fe%fd&ui=ru", follow_redirects=True)
    assert response.status_code == 200
    response = client.get("/api/search?" + "&".join(["agency=economy"] * 500))
    assert response.status_code == 200
    assert response.get_json()["query"]["agency"] == ["economy"]
    response = client.get("/search?q=x&" + "&".join(f"junk{i}=1" for i in range(500)),
                          follow_redirects=True)
    assert response.status_code == 200


# -- headers and markup -----------------------------------------------------------------

EVERY_KIND_OF_RESPONSE = [
    "/", "/search?q=жилье", f"/doc/{HOUSING_ID}", "/api/search?q=x", f"/api/doc/{HOUSING_ID}",
    "/static/style.css", "/static/app.js", "/search?sort=bad", "/api/search?sort=bad",
    "/doc/none-1-ru", "/api/doc/none-1-ru", "/nope",
]


@pytest.mark.parametrize("url", EVERY_KIND_OF_RESPONSE)
def test_security_headers_on_every_response(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    headers = response.headers
    response.close()
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


HTML_PAGES = ["/", "/?ui=en", "/search?q=жилье", "/search?q=zzzqqq&lang=ru",
              "/search?per_page=5&page=2", f"/doc/{HOUSING_ID}", "/search?sort=bad", "/nope",
              "/doc/none-1-ru?ui=en"]


@pytest.mark.parametrize("url", HTML_PAGES)
def test_no_inline_script_or_style_anywhere(client: FlaskClient, url: str) -> None:
    page = Page(client.get(url, follow_redirects=True).get_data(as_text=True))
    assert page.scripts, "the progressive-enhancement script is included"
    for attributes, content in page.scripts:
        assert attributes.get("src", "").startswith("/static/") and not content.strip()
    for tag, attributes in page.elements:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        assert "style" not in attributes, (tag, attributes)
        assert tag != "style"
        for name in ("href", "src", "action"):
            assert not (attributes.get(name) or "").lower().startswith("javascript:")
    assert not any("cdn" in (attrs.get("src") or attrs.get("href") or "")
                   for _, attrs in page.elements)


def test_pages_declare_language_and_json_alternate(client: FlaskClient) -> None:
    html = client.get("/search?q=жилье&ui=en").get_data(as_text=True)
    assert html.startswith("<!doctype html>\n<html lang=\"en\">")
    page = Page(html)
    alternate = [a for tag, a in page.elements if tag == "link" and a.get("rel") == "alternate"]
    assert alternate and alternate[0]["type"] == "application/json"
    assert client.get(alternate[0]["href"] or "").status_code == 200


def test_static_files_are_served(client: FlaskClient) -> None:
    for name, mimetype in [("style.css", "text/css"), ("app.js", "text/javascript"),
                           ("favicon.svg", "image/svg+xml")]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.mimetype == mimetype
        response.close()


def test_app_never_runs_in_debug_mode(app: Flask) -> None:
    assert app.debug is False


def test_concurrent_requests_get_consistent_answers(app: Flask) -> None:
    from concurrent.futures import ThreadPoolExecutor

    queries = ["жилье", "Almaty", "development", "", "Kazakhstan", "экономика"]
    expected = {q: app.test_client().get("/api/search", query_string={"q": q}).get_json()
                for q in queries}

    def ask(n: int) -> bool:
        q = queries[n % len(queries)]
        client = app.test_client()
        page = client.get("/search", query_string={"q": q} if q else None)
        body = client.get("/api/search", query_string={"q": q}).get_json()
        return page.status_code == 200 and body == expected[q]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(ask, range(64)))


# -- serving ----------------------------------------------------------------------------


def test_access_log_writes_one_line_per_request(app: Flask,
                                                caplog: pytest.LogCaptureFixture) -> None:
    logged = AccessLog(app, logging.getLogger("test.access"))
    from werkzeug.test import Client

    with caplog.at_level(logging.INFO, logger="test.access"):
        for url in ("/search?q=%1b[31mred&ui=en", "/api/doc/none-1-ru"):
            response = Client(logged).get(url)
            response.get_data()
            response.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "test.access"]
    assert len(lines) == 2
    assert lines[0].startswith("GET /search?q=") and " 200 " in lines[0]
    assert "\x1b" not in lines[0]
    assert lines[1].startswith("GET /api/doc/none-1-ru 404 ") and lines[1].endswith("ms")


def test_ensure_index_builds_from_the_bundled_corpus(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    ensure_index(index_dir)
    assert Searcher(index_dir).search(SearchRequest()).total == 20
    ensure_index(index_dir)  # an existing index is left alone


def test_a_first_run_build_that_was_interrupted_is_built_again(tmp_path: Path) -> None:
    """Ctrl-C during the first start's build left an empty index that the next start
    served as it was; the build's files now reach the index folder only when it is done."""
    from indexer.indexing import index_paths
    from webui.serve import FIRST_RUN_FOLDER

    index_dir = tmp_path / "index"
    (index_dir / FIRST_RUN_FOLDER).mkdir(parents=True)
    index_paths([], index_dir / FIRST_RUN_FOLDER)  # what an interrupted build leaves: no releases
    ensure_index(index_dir)
    assert Searcher(index_dir).search(SearchRequest()).total == 20
    assert not (index_dir / FIRST_RUN_FOLDER).exists()


def test_facet_values_missing_from_counts_stay_removable() -> None:
    class Empty:
        def search(self, request: SearchRequest) -> SearchResults:
            return SearchResults(request, 0, [], {"agency": [FacetValue("almaty", 0)]})

    client = create_app(searcher=Empty()).test_client()
    page = get_page(client, "/search?agency=mfa&agency=almaty&ui=en")
    removing = page.link_titled("Remove filter: Ministry of Foreign Affairs")
    assert [v for k, v in params_of(removing) if k == "agency"] == ["almaty"]
