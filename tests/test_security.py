"""Security review of the web layer, end to end: a hostile corpus indexed for real and every
page rendered from it, path traversal through Flask and through waitress, headers, debug.
What was tried and found is recorded in docs/security.md."""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import socket
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

import pytest

from indexer.indexing import index_paths
from search.request import SearchRequest
from search.searcher import Searcher
from webui import MAX_URL_BYTES, create_app

GOV = "https://www.gov.kz/memleket/entities"
PAYLOAD = (
    "<script>alert(1)</script>\"onmouseover=alert(2) x='</textarea><img src=x onerror=alert(3)>"
)
EVIL_SOURCE = f'{GOV}/economy/press/news/details/990001?lang=en&x="><script>alert(6)</script>'
LISTING = f"""<script>alert('header')</script>
News
Hostile {PAYLOAD} title 05.03.2025
Body {PAYLOAD} and javascript:alert(4) and https://ok.example/a"onmouseover=alert(5) end.\
Source : {EVIL_SOURCE}
=HYPERLINK("http://evil.example","click") 06.03.2025
+SUM(1) @cmd body</textarea><script>alert(7)</script>Source : {GOV}/almaty/press/news/details/990002
"""
RECORDS = [
    {"title": f"<script>alert(8)</script> JSONL {PAYLOAD}", "date": "2025-03-07",
     "body": f"Text {PAYLOAD} <svg onload=alert(9)>", "url": "javascript:alert(10)",
     "urls": ["javascript:alert(11)", "JaVaScRiPt:alert(12)", " javascript:alert(13)",
              "java\tscript:alert(14)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x",
              "//evil.example/x", 'https://ok.example/x"onmouseover="alert(15)',
              "http://ok.example/</textarea><script>alert(16)</script>"],
     "category": "<script>alert(17)</script>", "agency": "<b>evil</b>",
     "id": "<svg onload=alert(18)>", "lang": "en"},
    {"title": "@SUM(1+1) formula", "date": "2025-03-08", "body": "-2+3 =1",
     "url": "JaVaScRiPt:alert(19)", "lang": "en"},
]
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


class Page(HTMLParser):
    """Every element, attribute and script of a page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text.append(data)


def _scheme_of(url: str) -> str:
    """The scheme a browser would see: control characters and spaces dropped, case folded."""
    return re.sub(r"[\x00-\x20]", "", url).lower()


def assert_safe_html(html: str, where: str) -> None:
    page = Page(html)
    for tag, attributes in page.elements:
        assert tag not in ("img", "iframe", "object", "embed", "textarea", "style"), where
        assert tag != "svg" or attributes.get("class") == "tl-chart", (where, attributes)
        if tag == "script":
            assert attributes.get("src", "").startswith("/static/"), (where, attributes)
        for name, value in attributes.items():
            assert not name.startswith("on"), (where, tag, attributes)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert not _scheme_of(value).startswith(DANGEROUS_SCHEMES), (where, value)
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in ("", "http", "https"), (where, value)
                assert not value.startswith("//"), (where, value)  # never another site
    assert not "".join(page.script_text).strip(), where
    assert "<script>alert" not in html and "<img" not in html and "<svg onload" not in html


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.txt").write_text(LISTING, encoding="utf-8")
    (folder / "hostile.jsonl").write_text(
        "\n".join(json.dumps(record) for record in RECORDS), encoding="utf-8"
    )
    summary = index_paths([folder], folder / "ix")
    assert sum(summary.added.values()) == 4, summary.lines()
    return folder / "ix"


@pytest.fixture(scope="module")
def client(hostile_index: Path):
    return create_app(hostile_index).test_client()


@pytest.fixture(scope="module")
def ids(hostile_index: Path) -> list[str]:
    return [hit.id for hit in Searcher(hostile_index).search(SearchRequest(per_page=100)).hits]


def test_hostile_ids_and_slugs_are_url_safe(ids):
    assert len(ids) == 4
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9_-]*", release_id) for release_id in ids)


PAGES = ["/", "/?ui=en", "/search?q=script", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
         "/search?q=onmouseover+alert", "/search?q=textarea&ui=en", "/search?q=HYPERLINK",
         "/search?agency=b-evil-b", "/search?q=%22%3E%3Csvg+onload%3Dalert(1)%3E",
         "/agencies", "/agencies?ui=en",
         "/search?from=%3Cscript%3E", "/search?lang=%22%3E%3Cscript%3E",
         "/doc/%3Cscript%3E", "/nope%3Cscript%3Ealert(1)%3C%2Fscript%3E"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_the_hostile_corpus_escaped(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404), url
    assert response.mimetype == "text/html"
    assert_safe_html(response.get_data(as_text=True), url)


def test_release_pages_escape_everything_and_link_only_web_addresses(client, ids):
    for release_id in ids:
        for ui in ("ru", "en"):
            html = client.get(f"/doc/{release_id}?ui={ui}").get_data(as_text=True)
            assert_safe_html(html, release_id)
        links = [a["href"] for tag, a in Page(html).elements if tag == "a" and "href" in a]
        external = [href for href in links if urlsplit(href).scheme]
        assert all(urlsplit(href).scheme in ("http", "https") for href in external)
    html = client.get(f"/doc/{ids[0]}").get_data(as_text=True) + "".join(
        client.get(f"/doc/{i}").get_data(as_text=True) for i in ids[1:])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert "&lt;/textarea&gt;" in html


def test_api_json_keeps_text_as_data_and_snippets_escaped(client, ids):
    body = client.get("/api/search?q=script+OR+alert&per_page=100").get_json()
    assert body["total"] >= 3
    for hit in body["hits"]:
        without_marks = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks and ">" not in without_marks, hit["snippet"]
    for release_id in ids:
        response = client.get(f"/api/doc/{release_id}")
        assert response.mimetype == "application/json"
        record = response.get_json()
        assert record["url"] is None or record["url"].startswith(("http://", "https://"))


def test_feed_and_opensearch_are_well_formed_xml_with_web_links_only(client):
    for url in ["/feed", "/feed?q=script", "/feed?q=%3Cscript%3E%01%02", "/opensearch.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.get_data())
        for element in root.iter():
            for name in ("href", "template", "src"):
                if name in element.attrib:
                    value = element.attrib[name]
                    assert urlsplit(value).scheme in ("http", "https"), (url, value)


def test_csv_export_defuses_formulas(client):
    text = client.get("/search.csv?per_page=100").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), row
    assert any(row["title"].startswith("'=HYPERLINK") for row in rows)


TRAVERSALS = [
    "/static/../../etc/passwd", "/static/..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/%252e%252e/%252e%252e/etc/passwd",
    "/static/..%5c..%5c..%5cetc%5cpasswd", "/static/....//....//etc/passwd",
    "/static//etc/passwd", "/static/%2Fetc%2Fpasswd", "/static/..%c0%af..%c0%afetc/passwd",
    "/static/style.css%00.txt", "/doc/..%2F..%2Fetc%2Fpasswd", "/doc/../../etc/passwd",
    "/api/doc/..%2F..%2F..%2Fetc%2Fpasswd", "/doc/%2e%2e", "/api/doc/.%2e/.%2e/etc/passwd",
    "/../../../../etc/passwd", "/static/../webui/__init__.py", "/static/../../pyproject.toml",
]


def _assert_not_leaked(status: int, body: bytes, url: str) -> None:
    assert status in (301, 302, 308, 400, 404), (url, status)
    assert b"root:" not in body and b"[project]" not in body and b"import " not in body, url


@pytest.mark.parametrize("url", TRAVERSALS)
def test_no_path_traversal_through_flask(client, url):
    response = client.get(url, follow_redirects=True)
    _assert_not_leaked(response.status_code, response.get_data(), url)


def test_errors_never_show_a_traceback_and_debug_is_off(hostile_index):
    class Broken:
        def search(self, request):
            raise RuntimeError("secret internals /etc/passwd")

    app = create_app(searcher=Broken())  # type: ignore[arg-type]
    assert app.debug is False and not app.config.get("PROPAGATE_EXCEPTIONS")
    for url in ("/search?q=x", "/api/search?q=x"):
        response = app.test_client().get(url)
        assert response.status_code == 503
        assert b"Traceback" not in response.get_data() and b"secret" not in response.get_data()


# -- through waitress, as served --------------------------------------------------------------


@pytest.fixture(scope="module")
def served(hostile_index: Path, tmp_path_factory: pytest.TempPathFactory, govpress_serve):
    """`govpress serve` in one process (`--workers 1`), as on a small machine."""
    log = tmp_path_factory.mktemp("served") / "serve.log"
    with govpress_serve(hostile_index, log, "--workers", "1") as server:
        assert not server.workers()
        yield server.port


def _raw(port: int, target: str) -> tuple[int, bytes, dict[str, str]]:
    """One request with the target sent byte for byte (no client-side normalising)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", target, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


OFF_SITE = ["//evil.example/", "//evil.example/search?q=x", "/\\evil.example/",
            "/%2F%2Fevil.example/", "/search?q=x&ui=ru&next=//evil.example"]


def test_no_path_traversal_or_off_site_redirect_through_waitress(served):
    for url in TRAVERSALS + OFF_SITE:
        status, body, headers = _raw(served, url)
        _assert_not_leaked(status, body, url)
        location = headers.get("Location", "")
        assert not location or urlsplit(location).hostname in (None, "127.0.0.1"), location


def test_served_pages_carry_the_security_headers_and_no_server_details(served, ids):
    for url in ["/", f"/doc/{ids[0]}", "/api/search", "/static/style.css", "/nope",
                "/search?page=0", "/search.csv", "/feed"]:
        status, body, headers = _raw(served, quote(url, safe="/?=&"))
        assert status in (200, 400, 404), url
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers.get("Server", "govpress") == "govpress"  # no versions
        assert b"Traceback" not in body and b"Werkzeug" not in body
    status, body, _ = _raw(served, "/api/search?q=" + "a" * MAX_URL_BYTES)
    assert status == 414 and b"at most" in body


BAD_HOSTS = ["a" * 64 + ".example", "a..b", ".", "..", ".example", "xn--", "xn--zz.example",
             "a" * 300, "é" * 70 + ".example", "[bad", "[::1", "[nothex]", "[::1]x",
             "host:99999", "host:abc", "host:-1", "ex ample", "a/b", "a@b", "a\\b", "a,b",
             "-", "<script>"]
GOOD_HOSTS = ["127.0.0.1", "127.0.0.1:8000", "localhost", "govpress.example.kz",
              "[::1]", "[::1]:8000", "пример.рф", "xn--e1afmkfd.xn--p1ai", "a" * 63 + ".kz",
              "host.example."]
# Werkzeug's test client cannot itself build a URL on these (waitress sends them on as given).
CLIENT_CANNOT_SEND = {"xn--", "xn--zz.example", "host:99999"}
HOST_PATHS = ["/", "/search?q=water", "/static/style.css", "/api/search", "/feed",
              "/opensearch.xml", "/search.csv", "/agencies", "/nope"]


@pytest.fixture(scope="module")
def cookieless(hostile_index: Path):
    """A test client that keeps no cookies: its cookie jar parses the Host itself."""
    return create_app(hostile_index).test_client(use_cookies=False)


def _assert_security_headers(headers) -> None:
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("host", [h for h in BAD_HOSTS if h not in CLIENT_CANNOT_SEND])
def test_an_unusable_host_header_gets_400_never_500(cookieless, host):
    """An IDNA label over 63 characters or an empty one (`a..b`) failed in every
    `url_for`, the error page's own included: HTTP 500 without security headers."""
    for path in HOST_PATHS:
        response = cookieless.get(path, headers={"Host": host})
        assert response.status_code == 400, (host, path, response.status_code)
        _assert_security_headers(response.headers)
        if path.startswith("/api/"):
            assert response.get_json()["error"]["parameter"] == "Host"
        else:
            assert "Host" in response.get_data(as_text=True)


def test_an_empty_host_header_gives_links_to_the_server_itself(cookieless):
    """An empty Host made every absolute link `http:///…` (feeds, OpenSearch)."""
    for path in ("/feed?q=Fitch", "/opensearch.xml"):
        response = cookieless.get(path, headers={"Host": ""})
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert "http:///" not in body and "http://localhost/" in body


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_a_valid_host_header_gets_the_page(cookieless, host):
    for path in HOST_PATHS:
        response = cookieless.get(path, headers={"Host": host})
        assert response.status_code == (404 if path == "/nope" else 200), (host, path)
        _assert_security_headers(response.headers)


def test_hosts_through_waitress_get_a_page_or_a_400(served):
    for host in [*BAD_HOSTS, *GOOD_HOSTS]:
        encoded = host.encode("utf-8")
        for path in ("/", "/static/style.css", "/api/search"):
            with socket.create_connection(("127.0.0.1", served), timeout=30) as sock:
                sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + encoded
                             + b"\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            status = int(answer.split(b" ", 2)[1])
            assert status in (200, 400), (host, path, answer[:300])
            assert b"Content-Security-Policy: " in answer.split(b"\r\n\r\n")[0], (host, path)
            assert b"Traceback" not in answer
