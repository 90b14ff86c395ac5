"""Hostile input, generated: listings, JSON Lines and files in any state through the readers
and the indexer, and any query or parameter through the search layer and every route.

Properties: nothing raises; every release the readers find is either indexed or reported
skipped and the counts add up; the web answers 200/302/400/404, never 500 (nor 503: the
index is there). Each test is bounded (examples, input size) to stay fast.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.indexing import index_paths
from indexer.jsonl import parse_jsonl
from indexer.listing import parse_listing, split_lines
from indexer.sources import read_corpus_file
from search.request import BadParameter, SearchRequest, UnknownAgency
from search.searcher import Searcher
from webui import MAX_URL_BYTES, create_app

GOV = "https://www.gov.kz/memleket/entities"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- listing text ---------------------------------------------------------------------------

_words = st.sampled_from([
    "Акимат", "жилья", "Kazakhstan", "subsidies", "қаласы", "2024.Among", "Source", "Source :",
    "Источник :", "Ақпарат көзі :", "on", "Date:", "\u200b", "\\u200b", "<script>", "…", "-",
    "502 Bad Gateway", "https://primeminister.kz/x", "www.gov.kz", "htt", "04.03.2025",
])
_text = st.one_of(
    st.lists(_words, max_size=8).map(" ".join),
    st.text(max_size=40),
    st.text(alphabet=string.printable, max_size=40),
)
_date = st.one_of(
    st.dates().map(lambda d: d.strftime("%d.%m.%Y") if d.year >= 1000 else "01.01.2025"),
    st.sampled_from(["31.02.2025", "00.00.0000", "29.02.2023", "32.13.2025", "1.1.2025"]),
)
_url = st.one_of(
    st.builds(lambda agency, n, lang: f"{GOV}/{agency}/press/news/details/{n}{lang}",
              st.sampled_from(["economy", "almaty", "mfa", "Bad Slug", "x" * 70, "ЭКО"]),
              st.integers(0, 10**12), st.sampled_from(["", "?lang=ru", "?lang=en", "?lang=kk"])),
    st.sampled_from(["", "htt", "https://", "http://x", "javascript:alert(1)",
                     "https://evil.example/\"onmouseover=alert(1)", "Source : https://a.kz"]),
)
_label = st.sampled_from(["Source :", "Источник :", "Ақпарат көзі :", "Source:", "source :",
                          "Source : Source :", "Источник : Source :"])
_line = st.one_of(
    st.builds(lambda t, d: f"{t} {d}", _text, _date),  # title line
    _date,  # date alone
    st.builds(lambda body, label, url: f"{body}{label} {url}", _text, _label, _url),  # source
    _text,  # body
    st.just(""),  # blank
    st.sampled_from(["Technology", "News", "Жаңалықтар", "More", "Қосымша", ".png)",
                     "Enbekshi QazaQ"]),
    st.builds(lambda n, s: s * n, st.integers(1, 3000),
              st.sampled_from(["x", "Source:", "a.B", " ", "04.03.2025 ", "Ақпарат "])),
)


@st.composite
def listings(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_line, max_size=25))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    if text and draw(st.booleans()):  # cut off anywhere (mid-line, mid-URL)
        text = text[: draw(st.integers(0, len(text)))]
    return text


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    """A listing as it may reach the disk: any encoding, mixed encodings, random bytes."""
    text = draw(listings())
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16", "utf-16-le",
                                     "utf-16-be", "mixed"]))
    if encoding == "mixed":
        half = len(text) // 2
        data = text[:half].encode() + text[half:].encode("cp1251", "replace")
    else:
        data = text.encode(encoding, "replace")
    for _ in range(draw(st.integers(0, 3))):  # random bytes spliced in
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=20)) + data[at:]
    return data


def _line_count(text: str) -> int:
    return len(split_lines(text))


@FUZZ
@given(listings())
def test_any_listing_parses_and_every_release_is_located(text):
    result = parse_listing(text, "f.txt")
    lines = _line_count(text)
    for release in result.releases:
        assert 1 <= release.where.line <= lines
        assert release.date is not None
        assert release.source_url is None or release.source_url.startswith(("http://", "https://"))
    for skipped in result.skipped:
        assert 1 <= skipped.where.line <= lines and skipped.reason


@FUZZ
@given(file_bytes(), st.sampled_from([".txt", ".jsonl", ".TXT"]))
def test_any_file_is_read_or_named_as_a_problem(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "listing" + suffix)
        path.write_bytes(data)
        found = read_corpus_file(path)
    assert found.result is not None or found.problems
    assert all(problem.startswith(str(path)) for problem in found.problems)


_record_value = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _text,
    st.lists(st.one_of(_text, st.integers()), max_size=3),
    st.dictionaries(_text, _text, max_size=2),
)
_record = st.fixed_dictionaries(
    {},
    optional={
        "title": st.one_of(_text, _record_value),
        "date": st.one_of(st.dates().map(str), _date, _record_value),
        "body": st.one_of(_text, _record_value),
        "url": st.one_of(_url, _record_value),
        "id": st.one_of(st.sampled_from(["a-1", "../../etc/passwd", "<x>", "", "-"]),
                        _record_value),
        "agency": st.one_of(st.sampled_from(["economy", "Bad Slug!", "", "-"]), _record_value),
        "lang": st.one_of(st.sampled_from(["ru", "en", "kk", "de", ""]), _record_value),
        "urls": st.one_of(st.lists(_url, max_size=3), _record_value),
        "category": _record_value,
    },
)


@st.composite
def jsonl_texts(draw: st.DrawFn) -> str:
    lines = []
    for record in draw(st.lists(_record, max_size=8)):
        line = json.dumps(record, ensure_ascii=draw(st.booleans()))
        mutation = draw(st.sampled_from(["none", "none", "truncate", "garbage", "array",
                                         "surrogate", "long number", "deep"]))
        if mutation == "surrogate":  # a lone surrogate escape in any string
            line = line.replace('"', '"\\ud800', draw(st.integers(1, 4)))
        elif mutation == "long number":  # past Python's 4,300-digit conversion limit
            line = line.replace("{", '{"n": ' + "9" * draw(st.integers(4000, 6000)) + ", ", 1)
        elif mutation == "deep":
            depth = draw(st.integers(1, 100_000))
            line = line.replace("{", '{"x": ' + "[" * depth + "]" * depth + ", ", 1)
        elif mutation == "truncate":
            line = line[: draw(st.integers(0, len(line)))]
        elif mutation == "garbage":
            line += draw(st.text(max_size=5))
        elif mutation == "array":
            line = f"[{line}]"
        lines.append(line)
    return "\n".join(lines)


@FUZZ
@given(jsonl_texts())
def test_any_jsonl_line_is_a_release_or_skipped_with_its_line(text):
    result = parse_jsonl(text, "f.jsonl")
    lines = split_lines(text)
    nonblank = [n for n, line in enumerate(lines, 1) if line.strip()]
    found = sorted([r.where.line for r in result.releases] + [s.where.line for s in result.skipped])
    assert found == nonblank


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(file_bytes(), st.sampled_from([".txt", ".jsonl"])),
                min_size=1, max_size=3))
def test_indexing_any_files_accounts_for_every_release(files):
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder, "corpus")
        corpus.mkdir()
        for number, (data, suffix) in enumerate(files):
            Path(corpus, f"{number}{suffix}").write_bytes(data)
        parsed = [read_corpus_file(path) for path in sorted(corpus.iterdir())]
        found = sum(len(p.result.releases) + len(p.result.skipped) for p in parsed if p.result)
        reported: list[str] = []
        summary = index_paths([corpus], Path(folder, "ix"), report=reported.append)
        assert summary.total == found
        indexed = sum(
            sum(c.values()) for c in (summary.added, summary.updated, summary.unchanged)
        )
        assert len(reported) >= len(summary.skipped) + len(summary.problems)
        if Path(folder, "ix").is_dir() and indexed:
            assert Searcher(Path(folder, "ix")).count_all() == indexed
        again = index_paths([corpus], Path(folder, "ix"))
        assert again.total == found
        assert sum(again.unchanged.values()) == indexed


# -- queries and parameters -----------------------------------------------------------------

_query_words = st.sampled_from([
    "жильё", "жилья", "Fitch", "EBRD", "planting", "trees", "Almaty", "OR", "AND", "NOT", "-",
    '"', "(", ")", "*", "title:", "body:", "agency:", "~", "^", "[", "]", "{", "}", "\\", "/",
    "инвест*", "a*", "**", "title:(", '"квадратный метр', "TO", "[a TO z]", "x~2", "x^3",
    "'", "«", "»", ":", "NOT NOT", "\x00", "\u200b", "%", "%00", "<script>", "*:*",
])
queries = st.one_of(
    st.lists(_query_words, max_size=12).map(" ".join),
    st.lists(_query_words, max_size=12).map("".join),
    st.text(max_size=60),
    st.builds(lambda word, n: " ".join([word] * n), _query_words, st.integers(1, 400)),
)
_values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["0", "1", "-1", "500", "501", "100", "101", "99999999999", "1e3", "２",
                     "٣", " 7 ", "2025-03-01", "2025-02-30", "9999-12-31", "0001-01-01",
                     "٢٠٢٥-٠١-٠١", "2025-3-1", "ru", "en", "kk", "relevance", "newest", "oldest",
                     "economy", "almaty,ecogeo", "ECONOMY", "a" * 70, "x,y,,z", "", "1"]),
)
_names = st.sampled_from(["q", "agency", "lang", "from", "to", "sort", "page", "per_page",
                          "ui", "order", "body", "format", "", "q[]", "\x00"])
params = st.lists(st.tuples(_names, _values), max_size=8).map(
    lambda pairs: [(n, v) for n, v in pairs]
)


def _as_mapping(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    for name, value in pairs:
        mapping.setdefault(name, []).append(value)
    return mapping


@pytest.fixture(scope="module")
def searcher(corpus_index: Path) -> Searcher:
    return Searcher(corpus_index)


@pytest.fixture(scope="module")
def client(corpus_index: Path):
    return create_app(corpus_index).test_client()


@FUZZ
@given(queries, params)
def test_any_query_and_parameters_search_or_fail_as_bad_parameter(searcher, q, pairs):
    mapping = _as_mapping(pairs)
    mapping.setdefault("q", []).insert(0, q)
    try:
        request = SearchRequest.from_params(mapping)
    except BadParameter as error:
        assert error.name and error.message
        return
    assert len(request.q) <= 500
    try:
        results = searcher.search(request)
    except UnknownAgency as error:  # a slug of the right form that no indexed release has
        assert error.name == "agency" and error.message
        return
    assert results.total >= len(results.hits)
    assert len(results.hits) <= request.per_page
    json.dumps(results.as_json("en"))


ROUTES = ["/", "/search", "/api/search", "/search.csv", "/feed", "/agencies", "/api/agencies",
          "/opensearch.xml"]


def _get(client, path: str, query: str = ""):
    response = client.get(path, query_string=query)
    body = response.get_data()  # streamed bodies (CSV) fail here, if they fail at all
    return response, body


@pytest.fixture(scope="module")
def routes(client) -> list[str]:
    """The routes this app has (the tool routes are being added alongside)."""
    rules = {rule.rule for rule in client.application.url_map.iter_rules()}
    return [route for route in ROUTES if route in rules]


@FUZZ
@given(st.data(), queries, params)
def test_every_route_answers_any_parameters_without_a_server_error(client, routes, data, q,
                                                                  pairs):
    route = data.draw(st.sampled_from(routes))
    pairs = [("q", q), *pairs] if data.draw(st.booleans()) else pairs
    query = urlencode(pairs)
    response, body = _get(client, route, query)
    if len(route) + len(query) > MAX_URL_BYTES:
        assert response.status_code == 414, (route, len(query))
        return
    assert response.status_code in (200, 302, 400, 404), (route, pairs, body[:300])
    if route.startswith("/api/") and response.status_code == 400:
        assert json.loads(body)["error"]["message"]


_ids = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["economy-956947-ru", "ECONOMY-956947-RU", "..", "../../etc/passwd",
                     "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "a" * 300, "-", "_", "a/b", "\x00",
                     "economy-956947-ru.json", "<script>alert(1)</script>"]),
)


@FUZZ
@given(_ids, st.sampled_from(["/doc/", "/api/doc/"]), st.sampled_from(["", "ui=en", "ui=xx"]))
def test_any_release_id_is_found_or_not_found(client, release_id, prefix, query):
    response, body = _get(client, prefix + quote(release_id, safe=""), query)
    assert response.status_code in (200, 400, 404, 308), (release_id, body[:300])
    if response.status_code == 200:
        assert release_id == "economy-956947-ru" and query != "ui=xx"
