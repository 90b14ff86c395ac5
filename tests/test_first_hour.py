"""What a new user tripped over in their first hour (issue 12), as they would meet it: in
the pages, the API and the command line, over the bundled corpus (20 releases, all March
2025: 17 on the 4th, one each on the 5th, 12th and 14th) and small listings written here.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask.testing import FlaskClient
from test_webui import Page, get_page

from indexer.indexing import index_paths
from webui import create_app
from webui.cli import main

HOUSING_ID = "economy-956947-ru"
FITCH_ID = "almaty-948131-en"


def params_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def element(page: Page, tag: str, **wanted: str) -> dict[str, str | None]:
    """The first `tag` whose attributes include `wanted` (`name="from"`)."""
    for name, attributes in page.elements:
        if name == tag and all(attributes.get(k) == v for k, v in wanted.items()):
            return attributes
    raise AssertionError(f"no <{tag}> with {wanted}")


def link_text(page: Page, text: str) -> str:
    """The address of the link that reads `text`."""
    return next(link["href"] for link in page.links if link["text"].strip() == text)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def two_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four releases: 20 and 25 February, 3 and 10 March 2025."""
    folder = tmp_path_factory.mktemp("two-months")
    dates = ["2025-02-20", "2025-02-25", "2025-03-03", "2025-03-10"]
    lines = [json.dumps({"title": f"Budget report {n}", "body": "The budget was discussed.",
                         "date": date, "lang": "en",
                         "url": f"https://www.gov.kz/memleket/entities/economy/press/news/"
                                f"details/{500 + n}?lang=en"})
             for n, date in enumerate(dates)]
    (folder / "releases.jsonl").write_text("\n".join(lines), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("two-months-index")
    index_paths([folder], index_dir)
    return index_dir


# -- 5. the month facet narrows a chosen date range, never widens it --------------------


def test_month_facet_within_a_range_inside_one_month(client: FlaskClient) -> None:
    page = get_page(client, "/search?from=2025-03-05&to=2025-03-14&ui=en")
    assert len(page.doc_ids()) == 3
    march = next(link for link in page.links if link["text"].startswith("March 2025"))
    assert march["text"] == "March 2025" "3"  # label, count
    # It is the range already chosen: shown as selected, and never a link to all of March.
    assert "selected" in march["class"]
    assert element(page, "a", **{"class": march["class"], "href": march["href"]})[
        "title"] == "Remove filter: 5 March 2025 – 14 March 2025"
    assert params_of(march["href"]).get("from") != "2025-03-01"


def test_month_facet_links_stay_inside_a_range_over_two_months(two_months: Path) -> None:
    client = create_app(two_months).test_client()
    page = get_page(client, "/search?from=2025-02-22&to=2025-03-05&ui=en")
    assert len(page.doc_ids()) == 2
    links = {link["text"]: link["href"] for link in page.links
             if link["text"].startswith(("February", "March"))}
    assert {k: (params_of(v)["from"], params_of(v)["to"]) for k, v in links.items()} == {
        "February 2025" "1": ("2025-02-22", "2025-02-28"),
        "March 2025" "1": ("2025-03-01", "2025-03-05"),
    }
    assert len(get_page(client, links["February 2025" "1"]).doc_ids()) == 1


# -- 6. a wrong parameter from the form keeps the search --------------------------------


def test_dates_the_wrong_way_round_keep_the_form_and_say_why(client: FlaskClient) -> None:
    url = "/search?q=Fitch&agency=almaty&from=2025-03-14&to=2025-03-05"
    response = client.get(url)
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert element(page, "input", name="q")["value"] == "Fitch"
    start, end = element(page, "input", name="from"), element(page, "input", name="to")
    assert (start["value"], end["value"]) == ("2025-03-14", "2025-03-05")
    assert start["aria-invalid"] == end["aria-invalid"] == "true"
    assert start["aria-describedby"] == end["aria-describedby"] == "problem-from"
    element(page, "p", id="problem-from")  # the message, beside the fields
    assert "начальная дата («С даты») позже конечной («По дату»)" in page.text
    assert "Отмеченные значения не учтены в этом поиске." in page.text
    # The rest of the search still runs: the query, the agency filter and its results.
    assert page.doc_ids() == [FITCH_ID]
    assert "Акимат города Алматы" in page.text
    api = client.get(url.replace("/search", "/api/search"))
    assert api.status_code == 400 and api.get_json()["error"]["parameter"] == "from"


def test_a_parameter_outside_the_form_is_named_above_the_results(client: FlaskClient) -> None:
    response = client.get("/search?q=Fitch&page=abc&ui=en")
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert "Bad parameter “page”: expected a whole number from 1 to 500" in page.text
    assert page.doc_ids() == [FITCH_ID]
    # Nothing is marked in the form, and the problem is not about an agency.
    assert "The values marked above" not in page.text
    assert "Every agency in the index" not in page.text


def test_a_rejected_long_query_stays_whole_in_the_form(client: FlaskClient) -> None:
    query = " ".join(f'"w{n} x{n}"' for n in range(20))  # 20 phrases: over the limit
    response = client.get("/search", query_string={"q": query, "ui": "en"})
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert "at most 8 phrases in one query" in page.text
    assert element(page, "input", name="q")["value"] == query


# -- 7. matched words marked in titles and on the release page ------------------------


def test_matched_words_are_marked_in_result_titles(client: FlaskClient) -> None:
    html = client.get("/search?q=жилье").get_data(as_text=True)
    assert ">Ввод 19 млн квадратных метров <mark>жилья</mark> и инвестиционный" in html
    page = Page(html)
    link = next(href for href in page.hrefs(f"/doc/{HOUSING_ID}"))
    assert params_of(link) == {"q": "жилье", "ui": "ru"}


def test_release_opened_from_a_search_marks_its_words(client: FlaskClient) -> None:
    html = client.get(f"/doc/{HOUSING_ID}?q=жилье&ui=en").get_data(as_text=True)
    page = Page(html)
    title = html[html.index("<h1"):html.index("</h1>")]
    assert "<mark>жилья</mark>" in title
    body = html[html.index('class="release-body"'):html.index('class="source"')]
    assert body.count("<mark>") >= 3
    assert "Words of the search “жилье” are marked" in page.text
    plain = client.get(link_text(page, "Remove the marks")).get_data(as_text=True)
    assert "<mark>" not in plain
    back = next(link["href"] for link in page.links if link["text"] == "← Back to search")
    assert params_of(back) == {"q": "жилье", "ui": "en"}


def test_marks_on_the_release_page_escape_the_query(client: FlaskClient) -> None:
    html = client.get(f"/doc/{HOUSING_ID}?q=<script>alert(1)</script>жилье").get_data(
        as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<mark>жилья</mark>" in html


# -- 8. with no query the list is newest first, and says so -----------------------------


def test_browsing_says_newest_first(client: FlaskClient) -> None:
    page = get_page(client, "/search?agency=economy&ui=en")
    options = [(attrs.get("value"), "selected" in attrs) for tag, attrs in page.elements
               if tag == "option" and attrs.get("value") in ("relevance", "newest", "oldest")]
    assert options == [("relevance", True), ("oldest", False)]
    assert "newest first" in page.text and "relevance" not in page.text.split("Per page")[0]
    api = client.get("/api/search?agency=economy").get_json()
    assert api["query"]["sort"] == "newest"
    dates = [hit["date"] for hit in api["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/api/search?q=жилье").get_json()["query"]["sort"] == "relevance"
    with_query = get_page(client, "/search?q=Almaty&ui=en")
    assert "relevance" in with_query.text and "newest first" in with_query.text


def test_cli_json_echoes_the_sort_done(capsys: pytest.CaptureFixture[str],
                                       corpus_index: Path) -> None:
    code, out, _ = run(capsys, "search", "--agency", "ecogeo", "--json",
                       "--index-dir", str(corpus_index))
    assert code == 0 and json.loads(out)["query"]["sort"] == "newest"


# -- 9. an unknown agency is named, with the closest indexed ones ------------------------


def test_unknown_agency_on_the_page(client: FlaskClient) -> None:
    response = client.get("/search?agency=econmy&ui=en")
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert "No agency “econmy” is indexed." in page.text
    suggestion = link_text(page, "Ministry of National Economy (economy)")
    assert params_of(suggestion) == {"agency": "economy", "ui": "en"}
    assert len(get_page(client, suggestion).doc_ids()) == 6
    assert link_text(page, "Every agency in the index").startswith("/agencies")


def test_unknown_agency_in_the_api_feed_and_csv(client: FlaskClient) -> None:
    response = client.get("/api/search?agency=almaty&agency=econmy")
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "parameter": "agency",
        "message": "no agency 'econmy' is indexed; the closest: economy",
        "closest": ["economy"],
    }
    for path in ("/feed?agency=ecogeo-x", "/search.csv?agency=econmy"):
        assert client.get(path).status_code == 400


def test_unknown_agency_on_the_command_line(capsys: pytest.CaptureFixture[str],
                                            corpus_index: Path) -> None:
    for command in ("search", "export", "stats"):
        code, out, err = run(capsys, command, "--agency", "almatty",
                             "--index-dir", str(corpus_index))
        assert code == 2 and out == ""
        assert err == ("govpress: --agency: no agency 'almatty' is indexed; the closest: "
                       "almaty\n")
    code, _, err = run(capsys, "search", "--agency", "zzzz", "--index-dir", str(corpus_index))
    assert code == 2 and "no agency 'zzzz' is indexed (`govpress stats`" in err
    # a word of the agency's name finds it too: the Ministry of Ecology and Natural Resources
    code, _, err = run(capsys, "search", "--agency", "natural-resources",
                       "--index-dir", str(corpus_index))
    assert code == 2 and err.endswith("is indexed; the closest: ecogeo\n")


# -- 10. when the filters exclude every match, say so ------------------------------------


def test_filters_that_exclude_every_match_are_named(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=Fitch&agency=economy&ui=en")
    assert page.doc_ids() == []
    assert ("The selected filters exclude every release that matches “Fitch”: without them "
            "it matches 1 release.") in page.text
    assert "Check the spelling" not in page.text
    relax = [link for link in page.links if link["text"].startswith("× ")]
    assert [link["text"] for link in relax] == ["× Ministry of National Economy"]
    assert get_page(client, relax[0]["href"]).doc_ids() == [FITCH_ID]
    misspelt = get_page(client, "/search?q=zzqqx&agency=economy&ui=en")
    assert "Nothing matches “zzqqx”." in misspelt.text


def test_cli_says_the_filters_exclude_every_match(capsys: pytest.CaptureFixture[str],
                                                  corpus_index: Path) -> None:
    code, out, _ = run(capsys, "search", "Fitch", "--lang", "ru",
                       "--index-dir", str(corpus_index))
    assert code == 0
    assert out.splitlines()[:2] == [
        "0 release(s)", "the filters exclude every match: without them, 1 release(s)"]


# -- 11. accessibility: skip link, filters first, titles naming the filters -------------


def test_skip_link_and_filters_before_results(client: FlaskClient) -> None:
    html = client.get("/search?q=Almaty&ui=en").get_data(as_text=True)
    page = Page(html)
    first = page.links[0]
    assert (first["href"], first["text"]) == ("#results", "Skip to results")
    assert 'id="results"' in html
    assert html.index('id="filters"') < html.index('id="results"') < html.index('class="hits"')
    release = Page(client.get(f"/doc/{HOUSING_ID}").get_data(as_text=True))
    assert (release.links[0]["href"], release.links[0]["text"]) == (
        "#main", "Перейти к содержанию")


@pytest.mark.parametrize(("url", "title"), [
    ("/search?q=Fitch&agency=almaty&lang=en&ui=en",
     "Fitch · Almaty City Akimat · English — govpress search"),
    ("/search?agency=almaty&from=2025-03-01&to=2025-03-31",
     "Пресс-релизы: Акимат города Алматы · март 2025\u202fг. — govpress"),
    ("/search?lang=ru&from=2025-03-05",
     "Пресс-релизы: Русский · с 5 марта 2025\u202fг. — govpress"),
    ("/search?q=жилье", "жилье — поиск govpress"),
])
def test_page_titles_name_the_filters(client: FlaskClient, url: str, title: str) -> None:
    assert get_page(client, url).title == title


# -- 13. a busy port is said before anything else ---------------------------------------


def test_serve_on_a_busy_port_says_how_to_choose_another(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "webui.cli", "serve", "--port", str(port),
             "--index-dir", str(tmp_path / "no-index-yet")],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1 and result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith(f"govpress: port {port} on 127.0.0.1 is already in use")
    assert "choose another port with --port" in message
    assert len(message.splitlines()) == 1 and "serving" not in message
    assert not (tmp_path / "no-index-yet").exists()  # nothing was built first


def test_serve_rejects_a_port_that_cannot_exist(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serve", "--port", "70000")
    assert code == 2 and "expected a port number from 1 to 65535" in err


# -- 14. the command line: stats with filters, search --ui, fast start ------------------


def test_stats_takes_the_search_filters(capsys: pytest.CaptureFixture[str],
                                        corpus_index: Path) -> None:
    code, out, _ = run(capsys, "stats", "--agency", "economy", "--lang", "ru",
                       "--index-dir", str(corpus_index))
    assert code == 0
    assert out.splitlines()[:3] == ["3 release(s)", "", "By language:"]
    assert "         3  economy (Ministry of National Economy)" in out
    code, out, _ = run(capsys, "stats", "Fitch", "--from", "2025-03-01", "--to", "2025-03-04",
                       "--ui", "ru", "--index-dir", str(corpus_index))
    assert code == 0 and out.startswith("1 release(s)")
    assert "almaty (Акимат города Алматы)" in out and "2025-03 (март 2025\u202fг.)" in out
    code, _, err = run(capsys, "stats", "--from", "2025-03-10", "--to", "2025-03-01",
                       "--index-dir", str(corpus_index))
    assert code == 2 and err.startswith("govpress: --from: the start date is after")


def test_search_takes_ui(capsys: pytest.CaptureFixture[str], corpus_index: Path) -> None:
    code, out, _ = run(capsys, "search", "жилье", "--ui", "ru", "--index-dir", str(corpus_index))
    assert code == 0 and "Министерство национальной экономики РК (economy)" in out
    code, out, _ = run(capsys, "search", "жилье", "--index-dir", str(corpus_index))
    assert "Ministry of National Economy (economy)" in out
    code, out, _ = run(capsys, "search", "жилье", "--json", "--ui", "en",
                       "--index-dir", str(corpus_index))
    facets = json.loads(out)["facets"]
    assert facets["lang"] == [{"value": "ru", "label": "Russian", "count": 1}]


def test_the_command_line_starts_without_the_web_layer() -> None:
    """`govpress --help` and a search load neither Flask nor waitress; --help not even
    numpy (how long they take: docs/benchmarks.md)."""
    probe = ("import sys; from webui.cli import build_parser; build_parser().format_help(); "
             "print(sorted(m for m in ('flask', 'waitress', 'numpy', 'webui.application') "
             "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


# -- 15. cross-origin reads of public data ---------------------------------------------


@pytest.mark.parametrize("path", ["/api/search?q=жилье", f"/api/doc/{HOUSING_ID}",
                                  "/api/agencies", "/feed?q=Fitch", "/search.csv?q=Fitch",
                                  "/api/search?from=bad", "/api/doc/nope"])
def test_api_feeds_and_csv_answer_other_origins(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://notebook.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "X-Govpress-Total" in response.headers["Access-Control-Expose-Headers"]


def test_pages_do_not_answer_other_origins(client: FlaskClient) -> None:
    for path in ("/", "/search?q=Fitch", f"/doc/{HOUSING_ID}", "/agencies"):
        assert "Access-Control-Allow-Origin" not in client.get(path).headers


# -- 16. the CSV download with text, from the page --------------------------------------


def test_results_page_offers_csv_with_text(client: FlaskClient) -> None:
    page = get_page(client, "/search?q=жилье&ui=en")
    href = link_text(page, "CSV with text")
    assert params_of(href) == {"q": "жилье", "body": "1", "ui": "en"}
    rows = list(csv.DictReader(io.StringIO(client.get(href).get_data(as_text=True)
                                           .removeprefix("\ufeff"))))
    assert [row["id"] for row in rows] == [HOUSING_ID]
    assert rows[0]["body"].startswith("На очередном заседании")
