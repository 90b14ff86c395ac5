"""End to end in real Chromium: search, facets, a release and back, bookmarks, phones,
the Kazakh interface and the links between the language versions of one news item.

The app runs under waitress (as `govpress serve` runs it) on a free loopback port. The
results page is saved to docs/screenshot-results.png for the README, a Kazakh results
page and a release page with its translations next to it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (CI installs it: apt-get install chromium)",
                allow_module_level=True)

import waitress  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from indexer.indexing import index_paths  # noqa: E402
from indexer.locations import bundled_corpus  # noqa: E402
from webui import create_app  # noqa: E402
from webui.serve import AccessLog  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"
SCREENSHOT = DOCS / "screenshot-results.png"
SCREENSHOT_KK = DOCS / "screenshot-results-kk.png"
SCREENSHOT_TRANSLATIONS = DOCS / "screenshot-doc-translations.png"
# The English and Kazakh versions of the bundled corpus's Russian news 956947 (housing).
HOUSING = "https://www.gov.kz/memleket/entities/economy/press/news/details/956947"
TRANSLATIONS = f"""\
Commissioning of 19 million square metres of housing and investment growth in \
Kazakhstan's most populous regions discussed in the Government 14.03.2025
At a regular meeting of the headquarters for economic growth chaired by Deputy Prime \
Minister – Minister of National Economy Serik Zhumangarin, the housing and utilities sector \
and the investment figures of Kazakhstan's most populous regions, Almaty and Turkestan, \
were considered. The task this year is to build at least 19 million square metres of \
housing. In the first two months of 2025, 1.9 million square metres of housing were \
commissioned in Kazakhstan, 6.8% less than in January–February 2024.
Source : {HOUSING}?lang=en

Үкіметте 19 млн шаршы метр тұрғын үйді пайдалануға беру және Қазақстанның ең көп халық \
тұратын облыстарының инвестициялық өсуі қаралды 14.03.2025
ҚР Премьер-Министрінің орынбасары – Ұлттық экономика министрі Серік Жұманғариннің \
төрағалығымен өткен экономикалық өсуді қамтамасыз ету жөніндегі штабтың кезекті отырысында \
тұрғын үй-коммуналдық шаруашылығы саласы және Қазақстанның ең көп халық тұратын облыстары – \
Алматы мен Түркістан облыстарының инвестициялық көрсеткіштері қаралды. Биыл кемінде 19 млн \
шаршы метр тұрғын үй салу міндеті тұр. 2025 жылдың алғашқы екі айында Қазақстанда 1,9 млн \
шаршы метр тұрғын үй пайдалануға берілді, бұл 2024 жылғы қаңтар-ақпандағыдан 6,8% аз.
Ақпарат көзі : {HOUSING}?lang=kk
"""
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def base_url(corpus_index: Path) -> Iterator[str]:
    yield from _serve(corpus_index)


@pytest.fixture(scope="module")
def translated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled corpus and the English and Kazakh versions of its news 956947."""
    folder = tmp_path_factory.mktemp("translations")
    (folder / "housing.txt").write_text(TRANSLATIONS, encoding="utf-8")
    index_dir = folder / "index"
    index_paths([bundled_corpus(), folder / "housing.txt"], index_dir)
    yield from _serve(index_dir)


def _serve(index_dir: Path) -> Iterator[str]:
    app = create_app(index_dir)
    server = waitress.create_server(
        AccessLog(app, logging.getLogger("govpress.access")), host="127.0.0.1", port=0,
        threads=4,
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


def hit_ids(page: Page) -> list[str]:
    hrefs = page.locator("ol.hits .hit-title a").evaluate_all("els => els.map(e => e.href)")
    return [urlsplit(href).path.removeprefix("/doc/") for href in hrefs]


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def new_page(browser: Browser, width: int = 1280, height: int = 900,
             locale: str | None = None) -> tuple[Page, list[str]]:
    """A page in a fresh context, and the console errors it reports (CSP violations etc.)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


def test_search_facet_release_back_and_bookmark(browser: Browser, base_url: str) -> None:
    page, errors = new_page(browser)
    page.goto(f"{base_url}/")
    assert page.title() == "govpress — поиск по пресс-релизам госорганов Казахстана"
    assert len(hit_ids(page)) == 20

    # Type a query and submit: the address is the clean, canonical one.
    page.fill("#q", "Almaty")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?**")
    assert params(page.url) == [("q", "Almaty"), ("ui", "ru")]
    assert page.title() == "Almaty — поиск govpress"
    assert page.input_value("#q") == "Almaty"
    all_hits = hit_ids(page)
    assert all_hits

    # Click an agency facet: the filter is added, shown as a chip, and the hits narrow.
    page.click("a.facet-value[title='Добавить фильтр: Акимат города Алматы']")
    page.wait_for_url("**agency=almaty**")
    filtered = hit_ids(page)
    assert filtered and set(filtered) <= set(all_hits)
    agencies = page.locator("ol.hits .hit-agency").all_inner_texts()
    assert set(agencies) == {"Акимат города Алматы"}
    assert page.locator(".chip").all_inner_texts()[0].startswith("Акимат города Алматы")
    results_url = page.url

    # Follow a result, then come back to the same results.
    title = page.locator("ol.hits .hit-title a").first.inner_text()
    page.locator("ol.hits .hit-title a").first.click()
    page.wait_for_url("**/doc/**")
    assert page.locator("h1").inner_text() == title
    assert page.title() == f"{title} — govpress"
    assert page.locator(".release-body p").count() >= 1
    page.go_back()
    page.wait_for_url(results_url)
    assert hit_ids(page) == filtered

    # The "back to search" link returns to the results page the reader came from.
    page.locator("ol.hits .hit-title a").first.click()
    page.wait_for_url("**/doc/**")
    page.click("nav.crumbs a")
    page.wait_for_url(results_url)

    # The address is the whole state: a bookmark opens the same page in a new window.
    bookmark, bookmark_errors = new_page(browser)
    bookmark.goto(results_url)
    assert hit_ids(bookmark) == filtered
    assert bookmark.input_value("#q") == "Almaty"

    # Remove the filter with its chip.
    page.click(".chip")
    page.wait_for_url("**/search?q=Almaty&ui=ru")
    assert hit_ids(page) == all_hits
    assert errors == [] and bookmark_errors == []


def test_sort_change_submits_by_itself_and_language_switch(
    browser: Browser, base_url: str
) -> None:
    page, errors = new_page(browser)
    page.goto(f"{base_url}/search?q=Almaty&per_page=5")
    relevance = hit_ids(page)
    page.select_option("select[name=sort]", "oldest")
    page.wait_for_url("**sort=oldest**")
    assert params(page.url) == [("q", "Almaty"), ("sort", "oldest"), ("per_page", "5"),
                                ("ui", "ru")]
    dates = page.locator("ol.hits time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates) and len(dates) == 5
    assert sorted(relevance) != [] and page.locator(".pagination a[rel=next]").count() == 1

    russian = hit_ids(page)
    page.click("a.ui-choice[hreflang=en]")
    page.wait_for_url("**ui=en**")
    assert hit_ids(page) == russian
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title() == "Almaty — govpress search"
    page.click(".pagination a[rel=next]")
    page.wait_for_url("**page=2**")
    assert ("ui", "en") in params(page.url)
    assert errors == []


def test_no_javascript_needed(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}/?ui=en")
    page.fill("#q", "housing")
    page.click("button[type=submit].primary")
    page.wait_for_url("**q=housing**")
    # The server turns the raw form submission into the clean address.
    assert params(page.url) == [("q", "housing"), ("ui", "en")]
    page.select_option("select[name=sort]", "newest")
    page.click("text=Apply")
    page.wait_for_url("**sort=newest**")
    context.close()


def test_timeline_bar_narrows_the_dates(browser: Browser, base_url: str) -> None:
    page, errors = new_page(browser)
    page.goto(f"{base_url}/?ui=en")
    chart = page.locator("figure.timeline svg[role=img]")
    assert chart.get_attribute("aria-label", timeout=2000)
    bars = page.locator("figure.timeline svg a")
    assert bars.count() == 4  # 4, 5, 12 and 14 March; the days between are empty
    tooltips = page.locator("figure.timeline svg a title").all_text_contents()
    assert tooltips == ["4 March 2025: 17 releases", "5 March 2025: 1 release",
                        "12 March 2025: 1 release", "14 March 2025: 1 release"]
    box = bars.nth(0).bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 30  # easy to hit

    bars.nth(2).click()  # 12 March
    page.wait_for_url("**from=2025-03-12**")
    assert dict(params(page.url)) == {"from": "2025-03-12", "to": "2025-03-12", "ui": "en"}
    assert len(hit_ids(page)) == 1
    assert page.locator("ol.hits time").get_attribute("datetime") == "2025-03-12"
    assert page.input_value("input[name=from]") == "2025-03-12"
    assert page.input_value("input[name=to]") == "2025-03-12"
    assert page.locator(".chip").first.inner_text().startswith("12 March 2025")
    assert page.locator("figure.timeline").count() == 0  # one day: nothing to chart

    # The same from a search: the query and its other filters stay.
    page.goto(f"{base_url}/search?q=development+OR+развитие&ui=en")
    page.locator("figure.timeline svg a").first.click()
    page.wait_for_url("**from=2025-03-04**")
    assert params(page.url) == [("q", "development OR развитие"), ("from", "2025-03-04"),
                                ("to", "2025-03-04"), ("ui", "en")]
    assert len(hit_ids(page)) == 8  # `development`, not `develop` (lemmas, no stems)
    assert errors == []


# Every element with text of its own, visible: its colour, the first opaque background
# behind it, its size and weight; the contrast ratio as WCAG 2 defines it.
CONTRASTS = """() => {
  const rgb = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(",").map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const luminance = (c) => {
    const f = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || box.width <= 1 || box.height <= 1) continue;
    const a = luminance(rgb(style.color)), b = luminance(background(el));
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    found.push({
      text: el.textContent.trim().slice(0, 30),
      cls: [el, el.parentElement].map((e) => e.getAttribute("class") || "").join(" "),
      ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
      needed: size >= 24 || (bold && size >= 18.66) ? 3 : 4.5,
    });
  }
  return found;
}"""


@pytest.mark.parametrize("path", ["/search?q=development+OR+развитие&ui=en",
                                  "/search?q=Fitch&agency=economy&from=2025-03-14&to=2025-03-05",
                                  "/doc/economy-956947-ru?q=жилье", "/agencies?ui=en"])
def test_text_contrast_meets_wcag_aa(browser: Browser, base_url: str, path: str) -> None:
    """4.5:1 for text (3:1 when large), facet counts and timeline labels included."""
    page, _ = new_page(browser)
    page.goto(f"{base_url}{path}")
    found = page.evaluate(CONTRASTS)
    classes = " ".join(item["cls"] for item in found)
    if path.startswith("/search?q=development"):
        assert all(name in classes for name in ("facet-count", "tl-peak", "tl-scale"))
    low = [(item["text"], item["cls"], round(item["ratio"], 2)) for item in found
           if item["ratio"] < item["needed"]]
    assert low == []


def test_keyboard_reaches_the_skip_link_then_the_filters(browser: Browser,
                                                         base_url: str) -> None:
    page, errors = new_page(browser)
    page.goto(f"{base_url}/search?q=development+OR+развитие&ui=en")
    page.keyboard.press("Tab")
    skip = page.evaluate("[document.activeElement.textContent, "
                         "document.activeElement.getBoundingClientRect().top >= 0]")
    assert skip == ["Skip to results", True]  # shown once focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.results') !== null")
    page.goto(f"{base_url}/search?q=development+OR+развитие&ui=en")
    for _ in range(30):  # past the header and the form, the first hit link comes after
        page.keyboard.press("Tab")  # the filters
        where = page.evaluate("document.activeElement.closest('.facets, .hits')?.className")
        if where:
            break
    assert where == "facets"
    assert errors == []


@pytest.mark.parametrize("path", ["/", "/search?q=жилье", "/search?q=Almaty&agency=almaty&ui=en",
                                  "/doc/economy-956947-ru", "/search?q=zzqq&lang=kk",
                                  "/search?sort=bad", "/agencies?ui=en",
                                  "/search?q=development+OR+развитие",
                                  "/?ui=kk", "/doc/economy-956947-ru?ui=kk", "/agencies?ui=kk",
                                  "/search?from=2025-02-31&ui=kk"])
def test_phone_width_has_no_horizontal_scroll(browser: Browser, base_url: str,
                                              path: str) -> None:
    page, errors = new_page(browser, width=375, height=812)
    page.goto(f"{base_url}{path}")
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width
    assert errors == [] or all("status of 400" in e for e in errors)


def test_screenshot_of_the_results_page(browser: Browser, base_url: str) -> None:
    page, errors = new_page(browser, width=1280, height=860)
    page.goto(f"{base_url}/search?q=development+OR+развитие&ui=en")
    assert hit_ids(page) and page.locator("figure.timeline svg a").count() == 3
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
    assert errors == []


def test_kazakh_interface_and_the_versions_of_one_news_item(
    browser: Browser, translated_url: str
) -> None:
    page, errors = new_page(browser)
    # A journalist on the Russian release switches the interface to Kazakh…
    page.goto(f"{translated_url}/doc/economy-956947-ru")
    page.click("a.ui-choice[hreflang=kk]")
    page.wait_for_url("**/doc/economy-956947-ru?ui=kk")
    assert page.locator("html").get_attribute("lang") == "kk"
    meta = page.locator(".release-meta").inner_text()
    assert "2025\u202fж. 14 наурыз" in meta and "ҚР Ұлттық экономика министрлігі" in meta
    assert page.locator(".also-in").inner_text().startswith("Басқа тілдерде:")

    # …follows the English version, and the Kazakh one from there, and comes back.
    page.click(".also-in a[hreflang=en]")
    page.wait_for_url("**/doc/economy-956947-en?ui=kk")
    assert page.locator("h1").inner_text().startswith("Commissioning of 19 million")
    page.click(".also-in a[hreflang=kk]")
    page.wait_for_url("**/doc/economy-956947-kk?ui=kk")
    assert page.locator("h1").inner_text().startswith("Үкіметте 19 млн")
    similar = page.locator(".similar .hit-title a").evaluate_all(
        "els => els.map(e => new URL(e.href).pathname)")
    assert not {"/doc/economy-956947-ru", "/doc/economy-956947-en"} & set(similar)
    page.click(".also-in a[hreflang=ru]")
    page.wait_for_url("**/doc/economy-956947-ru?ui=kk")

    # The results page in Kazakh: the three versions share one line.
    page.click("a.brand")
    page.wait_for_url("**/?ui=kk")
    page.fill("#q", "19")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=19&ui=kk")
    assert page.locator("button[type=submit].primary").inner_text() == "Іздеу"
    lines = [line for line in hit_ids(page) if line.startswith("economy-956947")]
    assert len(lines) == 1
    versions = page.locator(f"ol.hits li:has(a[href*='/doc/{lines[0]}?']) a.version")
    assert versions.count() == 2 and page.locator("a.version.on-page").count() == 2
    assert errors == []


def test_screenshots_of_the_kazakh_interface_and_a_release_with_translations(
    browser: Browser, translated_url: str
) -> None:
    page, kk_errors = new_page(browser, width=1280, height=860, locale="kk-KZ")
    page.goto(f"{translated_url}/search?q=19+OR+тұрғын+OR+жилья+OR+Almaty&ui=kk")
    assert hit_ids(page) and page.locator("a.version").count() >= 2
    page.screenshot(path=str(SCREENSHOT_KK))
    page, errors = new_page(browser, width=1280, height=860, locale="ru-RU")
    page.goto(f"{translated_url}/doc/economy-956947-ru")
    assert page.locator(".also-in a.version").count() == 2
    page.screenshot(path=str(SCREENSHOT_TRANSLATIONS))
    assert SCREENSHOT_KK.stat().st_size > 10_000
    assert SCREENSHOT_TRANSLATIONS.stat().st_size > 10_000
    assert kk_errors == [] and errors == []
