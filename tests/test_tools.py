"""Tools for researchers: CSV export, Atom feeds, the timeline, the agency overview,
OpenSearch and `govpress export`, on the bundled corpus (20 releases, all March 2025:
04.03 has 17, 05.03, 12.03 and 14.03 one each; economy 6, ecogeo 4, almaty 10) and on a
small JSON Lines corpus spread over 15 months with hostile titles.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest
from flask.testing import FlaskClient

from indexer.indexing import index_paths
from indexer.release import Release
from search.export import (
    DAY_SPAN,
    FEED_SIZE,
    agency_overview,
    iter_releases,
    timeline,
)
from search.request import EXPORT_LIMIT, SearchRequest
from search.searcher import Searcher
from webui import EXPORT_LIMIT_CONFIG, create_app
from webui.cli import main
from webui.formats import CSV_COLUMNS, CSV_ROWS_PER_CHUNK, csv_cell, csv_chunks

HOUSING_ID = "economy-956947-ru"
HOUSING_TITLE = "Ввод 19 млн квадратных метров жилья"
BOM = "\ufeff"
HOSTILE_TITLES = ['=HYPERLINK("http://evil.example","click")', "-", "+7 777 000",
                  "@SUM(A1:A2)", '<b>bold</b> & "quotes" ]]> \x1b\x00']
MONTHS = [(2024, 1, 1), (2024, 1, 4), (2024, 2, 7), (2024, 4, 10), (2024, 4, 13),
          (2024, 4, 16), (2024, 7, 19), (2024, 9, 22), (2024, 12, 25), (2025, 1, 1),
          (2025, 1, 4), (2025, 3, 7)]


# -- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture(scope="module")
def months_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """17 English releases over January 2024 – March 2025 (5 of them in May 2024 with
    titles a spreadsheet or an XML writer could trip on)."""
    folder = tmp_path_factory.mktemp("months-corpus")
    records = []
    for number, (year, month, day) in enumerate(MONTHS):
        agency = ("economy", "almaty", "mfa")[number % 3]
        records.append({"title": f"Release {number} about investment",
                        "body": f"Investment news number {number}.",
                        "date": f"{year}-{month:02d}-{day:02d}", "lang": "en",
                        "url": f"https://www.gov.kz/memleket/entities/{agency}/press/news/"
                               f"details/{1000 + number}?lang=en"})
    for number, title in enumerate(HOSTILE_TITLES):
        records.append({"title": title, "body": "=1+1 investment", "date": "2024-05-05",
                        "lang": "en", "url": "https://www.gov.kz/memleket/entities/economy/"
                                             f"press/news/details/{2000 + number}?lang=en"})
    (folder / "months.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("months-index")
    index_paths([folder], index_dir)
    return index_dir


def params_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM.encode("utf-8")), "UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def search_total(client: FlaskClient, query: str) -> int:
    return client.get(f"/api/search?{query}").get_json()["total"]


def paged_ids(searcher: Searcher, request: SearchRequest) -> list[str]:
    ids: list[str] = []
    page = 1
    while True:
        hits = searcher.search(request.with_changes(page=page, per_page=3)).hits
        if not hits:
            return ids
        ids += [hit.id for hit in hits]
        page += 1


# -- the search layer ---------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {}, {"q": ["Almaty"]}, {"q": ["Almaty"], "sort": ["oldest"]}, {"q": ["development"]},
    {"q": ["investment OR Kazakhstan"], "sort": ["newest"]}, {"agency": ["economy"]},
    {"q": ["NOT Almaty"]},
])
def test_export_order_is_the_order_of_the_pages(corpus_index: Path, params: dict) -> None:
    searcher = Searcher(corpus_index)
    request = SearchRequest.from_params(params)
    total, releases = iter_releases(searcher, request)
    ids = [release.id for release in releases]
    assert total == searcher.search(request).total == len(ids)
    if not request.q.startswith("NOT"):  # pages of a pure NOT query hold no scores
        assert ids == paged_ids(searcher, request)
    total, releases = iter_releases(searcher, request, limit=3)
    assert [release.id for release in releases] == ids[:3]


def test_timeline_per_day_for_the_march_corpus(corpus_index: Path) -> None:
    searcher = Searcher(corpus_index)
    line = timeline(searcher, SearchRequest())
    assert line.granularity == "day"
    counts = {bar.label: bar.count for bar in line.bars if bar.count}
    assert counts == {"2025-03-04": 17, "2025-03-05": 1, "2025-03-12": 1, "2025-03-14": 1}
    assert [bar.start for bar in line.bars] == [dt.date(2025, 3, d) for d in range(4, 15)]
    assert all(bar.start == bar.end for bar in line.bars)
    month = searcher.search(SearchRequest()).facets["month"]
    assert [(m.value, m.count) for m in month] == [("2025-03", line.total)]


def test_timeline_per_month_matches_the_month_facet(months_index: Path) -> None:
    searcher = Searcher(months_index)
    for params in ({}, {"q": ["investment"]}, {"agency": ["economy"]},
                   {"from": ["2024-04-12"], "to": ["2025-01-02"]}):
        request = SearchRequest.from_params(params)
        facet = searcher.search(request).facets["month"]
        line = timeline(searcher, request)
        assert line.granularity == "month"
        assert {bar.label: bar.count for bar in line.bars if bar.count} \
            == {m.value: m.count for m in facet}
        # Every month from the first to the last, empty ones included.
        assert line.bars[0].label == min(m.value for m in facet)
        assert line.bars[-1].label == max(m.value for m in facet)
        assert len({bar.label for bar in line.bars}) == len(line.bars)
        # The month facet gives the same chart without reading the dates.
        assert timeline(searcher, request, facet) == line
    clipped = timeline(searcher, SearchRequest.from_params(
        {"from": ["2024-04-12"], "to": ["2025-01-02"]}))
    assert (clipped.bars[0].start, clipped.bars[-1].end) \
        == (dt.date(2024, 4, 12), dt.date(2025, 1, 2))  # never wider than the filter
    assert clipped.bars[1].start == dt.date(2024, 5, 1)


def test_timeline_switches_to_days_within_the_day_span(months_index: Path) -> None:
    searcher = Searcher(months_index)
    request = SearchRequest.from_params({"from": ["2024-12-01"], "to": ["2025-01-31"]})
    line = timeline(searcher, request)
    assert line.granularity == "day" and len(line.bars) <= DAY_SPAN
    assert {bar.label: bar.count for bar in line.bars if bar.count} \
        == {"2024-12-25": 1, "2025-01-01": 1, "2025-01-04": 1}
    assert timeline(searcher, SearchRequest(q="zzzqqq")).bars == []


def test_agency_overview_counts(corpus_index: Path) -> None:
    rows = {row.agency: row for row in agency_overview(Searcher(corpus_index))}
    assert {slug: row.count for slug, row in rows.items()} \
        == {"almaty": 10, "economy": 6, "ecogeo": 4}
    assert rows["economy"].by_lang == {"ru": 3, "en": 3, "kk": 0}
    assert rows["economy"].latest == dt.date(2025, 3, 14)
    assert rows["almaty"].latest == dt.date(2025, 3, 4)


# -- CSV ----------------------------------------------------------------------------------


def test_csv_export_holds_every_matching_release(client: FlaskClient) -> None:
    response = client.get("/search.csv?sort=newest&ui=en")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response.get_data())
    assert len(rows) == search_total(client, "") == 20 > 20 // 2  # more than one page
    assert list(rows[0]) == list(CSV_COLUMNS)
    api = client.get("/api/search?sort=newest&per_page=20").get_json()
    assert [row["id"] for row in rows] == [hit["id"] for hit in api["hits"]]
    assert "X-Govpress-Truncated" not in response.headers
    assert response.headers["X-Govpress-Total"] == "20"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"govpress-all.csv\"")
    housing = next(row for row in rows if row["id"] == HOUSING_ID)
    assert housing["title"].startswith(HOUSING_TITLE)  # Cyrillic intact
    assert housing == housing | {"date": "2025-03-14", "agency": "economy", "lang": "ru",
                                 "agency_name": "Ministry of National Economy"}
    assert housing["url"] == "https://www.gov.kz/memleket/entities/economy/press/news/details/956947"


def test_csv_body_column_is_optional(client: FlaskClient, corpus_index: Path) -> None:
    without = read_csv(client.get("/search.csv?q=жилье").get_data())
    assert "body" not in without[0]
    response = client.get("/search.csv?q=жилье&agency=economy&body=1")
    rows = read_csv(response.get_data())
    assert len(rows) == 1 and list(rows[0]) == [*CSV_COLUMNS, "body"]
    release = Searcher(corpus_index).document(HOUSING_ID)
    assert release is not None and rows[0]["body"] == release.body
    name = unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == "govpress-жилье-economy.csv"
    assert 'filename="govpress-zhile-economy.csv"' in response.headers["Content-Disposition"]


def test_csv_export_cap_is_announced(corpus_index: Path) -> None:
    assert EXPORT_LIMIT == 10_000
    app = create_app(corpus_index)
    app.config[EXPORT_LIMIT_CONFIG] = 5
    client = app.test_client()
    response = client.get("/search.csv?from=2025-03-01&to=2025-03-31&sort=oldest")
    rows = read_csv(response.get_data())
    assert len(rows) == 5
    assert response.headers["X-Govpress-Truncated"] == "5 of 20"
    assert 'filename="govpress-2025-03-01-2025-03-31-first-5.csv"' \
        in response.headers["Content-Disposition"]
    dates = [row["date"] for row in rows]
    assert dates == sorted(dates)
    response = client.get("/search.csv?q=жилье")  # under the cap: no mark
    assert "X-Govpress-Truncated" not in response.headers
    assert "first" not in response.headers["Content-Disposition"]


def test_csv_cells_that_spreadsheets_would_run_are_defused(months_index: Path) -> None:
    client = create_app(months_index).test_client()
    rows = read_csv(client.get("/search.csv?from=2024-05-01&to=2024-05-31&body=1").get_data())
    titles = {row["title"] for row in rows}
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in titles
    assert {"'-", "'+7 777 000", "'@SUM(A1:A2)"} <= titles
    assert all(row["body"] == "'=1+1 investment" for row in rows)
    assert not any(title.startswith(("=", "+", "-", "@")) for title in titles)
    assert csv_cell("\tcmd") == "'\tcmd" and csv_cell("a=b") == "a=b" and csv_cell("") == ""



@pytest.mark.parametrize("invisible", [
    "\ufeff", "\u2060", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a",
    "\u202e", "\u2066", "\u2069", "\u00a0", " ", "\u3000", "\n", "\ufeff\u200b\u2060 ",
])
def test_csv_formulas_behind_invisible_characters_are_defused(invisible: str) -> None:
    """A reader sees `=HYPERLINK(…)` and some spreadsheets skip what comes before it."""
    title = f"{invisible}=HYPERLINK(\"http://evil.example\",\"click\")"
    release = Release(id="x-1-en", title=title, body=f"{invisible}+1", date=dt.date(2025, 1, 1),
                      agency="economy", agency_name_ru="", agency_name_en="", lang="en",
                      url=None)
    row = read_csv("".join(csv_chunks([release], "en", body=True)).encode())[0]
    assert row["title"] == "'" + title and row["body"] == f"'{invisible}+1"
    assert csv_cell(f"{invisible}plain") == f"{invisible}plain"
    assert csv_cell(invisible) == invisible

def test_csv_streams_in_chunks() -> None:
    release = Release(id="x-1-en", title="T", body="", date=dt.date(2025, 1, 1),
                      agency="economy", agency_name_ru="", agency_name_en="", lang="en",
                      url=None)
    chunks = list(csv_chunks(iter([release] * (CSV_ROWS_PER_CHUNK * 2 + 1)), "en"))
    assert len(chunks) == 3 and chunks[0].startswith(BOM + ",".join(CSV_COLUMNS))
    assert len(read_csv("".join(chunks).encode())) == CSV_ROWS_PER_CHUNK * 2 + 1


# -- Atom ---------------------------------------------------------------------------------


def test_feed_is_valid_atom_of_the_newest_matches(client: FlaskClient) -> None:
    response = client.get("/feed?q=Almaty&agency=almaty&sort=oldest&ui=en")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "govpress: “Almaty” · Almaty City Akimat"
    assert feed.feed.id.startswith("tag:govpress,2025:search?")
    links = {link.rel: link.href for link in feed.feed.links}
    assert urlsplit(links["self"]).path == "/feed"
    assert params_of(links["self"]) == {"q": "Almaty", "agency": "almaty", "ui": "en"}
    assert urlsplit(links["alternate"]).path == "/search"
    assert params_of(links["alternate"])["sort"] == "newest"
    total = search_total(client, "q=Almaty&agency=almaty")
    assert len(feed.entries) == min(total, FEED_SIZE) > 0
    dates = [entry.updated_parsed for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)  # newest first whatever `sort` says
    api_titles = {hit["title"] for hit in client.get(
        "/api/search?q=Almaty&agency=almaty&per_page=50").get_json()["hits"]}
    for entry in feed.entries:
        assert entry.title in api_titles
        assert entry.author == "Almaty City Akimat"
        assert entry.id.startswith("tag:govpress,2025:release/almaty-")
        assert urlsplit(entry.link).path == "/doc/" + entry.id.rsplit("/", 1)[1]
        assert entry.published_parsed[:3] == entry.updated_parsed[:3]
    assert feed.feed.updated_parsed == feed.entries[0].updated_parsed


def test_feed_in_russian_names_the_query_and_escapes_everything(months_index: Path) -> None:
    client = create_app(months_index).test_client()
    feed = feedparser.parse(client.get("/feed?from=2024-05-01&to=2024-05-31").get_data())
    assert feed.bozo == 0 and len(feed.entries) == 5
    assert feed.feed.title == "govpress: май 2024\u202fг."
    assert '<b>bold</b> & "quotes" ]]>' in {entry.title.strip() for entry in feed.entries}
    hostile = '<script>alert(1)</script> ]]> & "\x01'
    response = client.get("/feed", query_string={"q": hostile})
    assert response.status_code == 200 and b"<script>" not in response.get_data()
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0 and feed.entries == []
    assert feed.feed.title.startswith("govpress: «<script>alert(1)</script>")
    assert feed.feed.updated_parsed  # an empty feed still says when


def test_results_page_offers_csv_and_feed(client: FlaskClient) -> None:
    html = client.get("/search?q=Almaty&agency=almaty&sort=oldest&page=2&per_page=5&ui=en")
    text = html.get_data(as_text=True)
    assert 'type="application/atom+xml"' in text
    head = text.split("</head>")[0]
    assert ('<link rel="alternate" type="application/atom+xml" title="Subscribe (Atom)" '
            'href="/feed?q=Almaty&amp;agency=almaty&amp;ui=en">') in head
    assert 'href="/search.csv?q=Almaty&amp;agency=almaty&amp;sort=oldest&amp;ui=en"' in text
    assert "Download CSV" in text and "Subscribe (Atom)" in text


# -- the timeline on the results page ----------------------------------------------------------


def _svg(html: str) -> ET.Element:
    start = html.index("<svg")
    return ET.fromstring(html[start : html.index("</svg>", start) + 6])


def test_timeline_bars_link_to_their_period(client: FlaskClient) -> None:
    html = client.get("/?ui=en").get_data(as_text=True)
    svg = _svg(html)
    assert svg.get("role") == "img"
    assert svg.get("aria-label", "").startswith("Releases per day, 4 March 2025 – 14 March 2025")
    assert "style" not in html.split("<svg", 1)[1].split("</svg>")[0]
    bars = {}
    for link in svg.iter("a"):
        title = link.find("title")
        assert title is not None
        bars[title.text] = link.get("href") or ""
    assert set(bars) == {"4 March 2025: 17 releases", "5 March 2025: 1 release",
                         "12 March 2025: 1 release", "14 March 2025: 1 release"}
    href = bars["12 March 2025: 1 release"]
    assert params_of(href) == {"from": "2025-03-12", "to": "2025-03-12", "ui": "en"}
    assert search_total(client, "from=2025-03-12&to=2025-03-12") == 1
    for title, href in bars.items():
        count = int(title.split(": ")[1].split()[0])
        query = urlsplit(href).query
        assert search_total(client, query) == count
        assert client.get(href).status_code == 200


def test_timeline_keeps_the_query_and_filters(client: FlaskClient) -> None:
    html = client.get("/search?q=экономика&lang=ru&sort=newest&ui=ru").get_data(as_text=True)
    days = []
    for link in _svg(html).iter("a"):
        params = params_of(link.get("href") or "")
        assert params["q"] == "экономика" and params["lang"] == "ru"
        assert params["sort"] == "newest" and "page" not in params
        assert params["from"] == params["to"]
        days.append(params["from"])
    assert days == ["2025-03-05", "2025-03-12", "2025-03-14"]
    assert "<svg" not in client.get("/search?q=жилье").get_data(as_text=True)  # one day


def test_month_timeline_on_the_page(months_index: Path) -> None:
    client = create_app(months_index).test_client()
    html = client.get("/search?q=investment&ui=en").get_data(as_text=True)
    links = list(_svg(html).iter("a"))
    assert len(links) == 9  # months with releases; empty months are gaps
    may = next(a for a in links if a.find("title").text == "May 2024: 5 releases")
    assert params_of(may.get("href") or "") == {"q": "investment", "from": "2024-05-01",
                                                "to": "2024-05-31", "ui": "en"}


# -- agencies -------------------------------------------------------------------------------


def test_agencies_page_and_api(client: FlaskClient) -> None:
    body = client.get("/api/agencies?ui=en").get_json()
    assert body["order"] == "count" and body["total"] == 20
    assert [(a["agency"], a["count"]) for a in body["agencies"]] \
        == [("almaty", 10), ("economy", 6), ("ecogeo", 4)]
    economy = body["agencies"][1]
    assert economy == {"agency": "economy", "agency_name": "Ministry of National Economy",
                       "count": 6, "by_lang": {"ru": 3, "en": 3, "kk": 0},
                       "latest": "2025-03-14"}
    by_name = client.get("/api/agencies?order=name&ui=en").get_json()["agencies"]
    assert [a["agency_name"] for a in by_name] == sorted(a["agency_name"] for a in by_name)
    latest = client.get("/api/agencies?order=latest").get_json()["agencies"]
    assert latest[0]["agency"] == "economy"

    html = client.get("/agencies?ui=en").get_data(as_text=True)
    assert "3 agencies, 20 releases" in html
    assert '<a href="/search?agency=economy&amp;sort=newest&amp;ui=en">' \
           "Ministry of National Economy</a>" in html
    assert 'href="/search?agency=economy&amp;lang=ru&amp;sort=newest&amp;ui=en"' in html
    assert 'href="/agencies?order=name&amp;ui=en"' in html
    assert html.index("Almaty City Akimat") < html.index("Ministry of National Economy")
    by_name_html = client.get("/agencies?order=name&ui=ru").get_data(as_text=True)
    assert by_name_html.index("Акимат города Алматы") \
        < by_name_html.index("Министерство национальной экономики") \
        < by_name_html.index("Министерство экологии")
    assert search_total(client, "agency=economy") == 6


# -- OpenSearch --------------------------------------------------------------------------------


def test_opensearch_description_is_linked_from_every_page(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml?ui=en")
    assert response.headers["Content-Type"].startswith("application/opensearchdescription+xml")
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    root = ET.fromstring(response.get_data())
    assert root.tag == "{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription"
    assert root.findtext("os:ShortName", namespaces=ns) == "govpress"
    templates = {url.get("type"): url.get("template") for url in root.findall("os:Url", ns)}
    assert templates["text/html"] == "http://localhost/search?q={searchTerms}&ui=en"
    assert templates["application/atom+xml"] == "http://localhost/feed?q={searchTerms}&ui=en"
    for url in ("/", "/search?q=жилье", f"/doc/{HOUSING_ID}", "/agencies", "/nope",
                "/search?sort=bad"):
        html = client.get(url).get_data(as_text=True)
        assert ('<link rel="search" type="application/opensearchdescription+xml" '
                'title="govpress" href="/opensearch.xml?ui=ru">') in html, url


# -- hostile parameters ----------------------------------------------------------------------

BAD = [
    ("/search.csv", "from=2025-13-01", "from"), ("/search.csv", "sort=best", "sort"),
    ("/search.csv", "agency=<script>", "agency"), ("/search.csv", "body=yes", "body"),
    ("/search.csv", "body=1&body=0", "body"), ("/search.csv", "ui=de", "ui"),
    ("/search.csv", "lang=xx", "lang"), ("/search.csv", "q=a&q=b", "q"),
    ("/feed", "to=2025-02-30", "to"), ("/feed", "lang=xx", "lang"),
    ("/feed", "from=2025-03-10&to=2025-03-01", "from"), ("/feed", "ui=" + "x" * 5000, "ui"),
    ("/agencies", "order=size", "order"), ("/agencies", "order=name&order=count", "order"),
    ("/agencies", "ui=fr", "ui"), ("/opensearch.xml", "ui=de", "ui"),
]


@pytest.mark.parametrize(("path", "query", "name"), BAD)
def test_bad_parameters_on_tool_routes_get_400(
    client: FlaskClient, path: str, query: str, name: str
) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert f"«{name}»" in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "name"), [("order=x", "order"), ("ui=de", "ui")])
def test_bad_parameters_on_api_agencies(client: FlaskClient, query: str, name: str) -> None:
    response = client.get(f"/api/agencies?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == name


# "x" * 8000: long, yet within the 8 KB address limit (longer gets 414)
@pytest.mark.parametrize("value", ["x" * 8000, "\x00\x01\x1b[31m", "\u202e\ufeff𝕏🙂",
                                   "title:* AND NOT (", '"unbalanced', "=cmd|' /C calc'!A0"],
                         ids=["long", "control", "bidi", "syntax", "quote", "formula"])
def test_hostile_queries_on_tool_routes_never_fail(client: FlaskClient, value: str) -> None:
    for path in ("/search.csv", "/feed", "/search"):
        response = client.get(path, query_string={"q": value}, follow_redirects=True)
        assert response.status_code == 200, (path, response.status_code)
        if path == "/feed":
            assert feedparser.parse(response.get_data()).bozo == 0
        response.close()


# -- govpress export -----------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_export_csv(capsys: pytest.CaptureFixture[str], corpus_index: Path) -> None:
    code, out, err = run(capsys, "export", "--index-dir", str(corpus_index), "--sort", "newest")
    assert (code, err) == (0, "")
    rows = read_csv(out.encode("utf-8"))
    assert len(rows) == 20 and rows[0]["id"] == HOUSING_ID
    assert rows[0]["agency_name"] == "Министерство национальной экономики РК"
    code, out, _ = run(capsys, "export", "жилье", "--body", "--ui", "en",
                       "--index-dir", str(corpus_index))
    rows = read_csv(out.encode("utf-8"))
    assert [row["id"] for row in rows] == [HOUSING_ID]
    assert rows[0]["body"] and rows[0]["agency_name"] == "Ministry of National Economy"


def test_cli_export_jsonl_limit_and_output(
    capsys: pytest.CaptureFixture[str], corpus_index: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "export", "Almaty", "--format", "jsonl", "--limit", "3",
                         "--index-dir", str(corpus_index))
    assert (code, err) == (0, "")
    records = [json.loads(line) for line in out.splitlines()]
    expected = [hit["id"] for hit in Searcher(corpus_index).search(
        SearchRequest(q="Almaty", per_page=3)).as_json()["hits"]]
    assert [r["id"] for r in records] == expected
    assert set(records[0]) == set(CSV_COLUMNS)
    target = tmp_path / "out.jsonl"
    code, out, err = run(capsys, "export", "--format", "jsonl", "--body", "--agency", "economy",
                         "--output", str(target), "--index-dir", str(corpus_index))
    assert code == 0 and out == ""
    assert err.strip() == f"6 of 6 release(s) written to {target}"
    lines = target.read_text("utf-8").splitlines()
    assert len(lines) == 6 and all("body" in json.loads(line) for line in lines)
    target = tmp_path / "out.csv"
    code, _, _ = run(capsys, "export", "--output", str(target), "--index-dir", str(corpus_index))
    assert code == 0 and len(read_csv(target.read_bytes())) == 20


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "2025-13-01"], "--from"), (["--limit", "0"], "--limit"),
    (["--format", "xlsx"], "--format"), (["--lang", "de"], "--lang"),
])
def test_cli_export_bad_usage(capsys: pytest.CaptureFixture[str], corpus_index: Path,
                              argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "export", *argv, "--index-dir", str(corpus_index))
    assert code == 2 and out == "" and message in err and len(err.splitlines()) == 1


# -- a timeline over any span ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ages_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Releases dated 01.01.0001, 2000, 2025 and 31.12.9999, as an index built before dates
    were checked holds them (the indexer refuses such dates now)."""
    from indexer.indexing import digest, document
    from indexer.storage import open_or_create_index

    ix = open_or_create_index(tmp_path_factory.mktemp("ages") / "ix")
    writer = ix.writer()
    for number, date in enumerate([dt.date(1, 1, 1), dt.date(2000, 6, 1), dt.date(2025, 3, 4),
                                   dt.date(2025, 3, 5), dt.date(9999, 12, 31)]):
        release = Release(id=f"economy-{number}-en", title=f"Ages release {number}",
                          body="Investment.", date=date, agency="economy",
                          agency_name_ru="", agency_name_en="", lang="en", url=None)
        writer.add_document(**document(release, digest(release)))
    writer.commit()
    return Path(ix.storage.folder)


def test_timeline_bars_are_bounded_whatever_the_span(ages_index: Path) -> None:
    from search.export import MAX_BARS

    searcher = Searcher(ages_index)
    line = timeline(searcher, SearchRequest())
    assert line.granularity == "year" and len(line.bars) <= MAX_BARS
    assert (line.bars[0].start, line.bars[-1].end) == (dt.date(1, 1, 1), dt.date(9999, 12, 31))
    assert [(b.label, b.count) for b in line.bars if b.count] \
        == [("0001–0042", 1), ("1975–2016", 1), ("2017–2058", 2), ("9997–9999", 1)]
    assert timeline(searcher, SearchRequest(), searcher.search(SearchRequest()).facets["month"]) \
        == line
    modern = timeline(searcher, SearchRequest.from_params({"from": ["2000-03-01"]}))
    assert modern.granularity == "year"  # 2000–9999 is still too long for months
    recent = timeline(searcher, SearchRequest.from_params({"from": ["2000-03-01"],
                                                           "to": ["2026-12-31"]}))
    assert recent.granularity == "year"
    assert [(b.label, b.count) for b in recent.bars if b.count] == [("2000", 1), ("2025", 2)]
    assert recent.bars[0].start == dt.date(2000, 3, 1)  # never wider than the filter
    html = create_app(ages_index).test_client().get("/search?ui=en").get_data(as_text=True)
    links = list(_svg(html).iter("a"))
    assert len(links) == 4
    assert links[0].find("title").text == "0001–0042: 1 release"
    assert params_of(links[2].get("href") or "") == {"from": "2017-01-01", "to": "2058-12-31",
                                                     "ui": "en"}
