"""End to end in real Chromium: search, facets, a release and back, bookmarks, phones.

The app runs under waitress (as `govpress serve` runs it) on a free loopback port. The
results page is saved to docs/screenshot-results.png for the README.
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

from webui import create_app  # noqa: E402
from webui.serve import AccessLog  # noqa: E402

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot-results.png"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def base_url(corpus_index: Path) -> Iterator[str]:
    app = create_app(corpus_index)
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


def new_page(browser: Browser, width: int = 1280, height: int = 900) -> tuple[Page, list[str]]:
    """A page in a fresh context, and the console errors it reports (CSP violations etc.)."""
    context = browser.new_context(viewport={"width": width, "height": height})
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
    assert len(hit_ids(page)) == 10
    assert errors == []


@pytest.mark.parametrize("path", ["/", "/search?q=жилье", "/search?q=Almaty&agency=almaty&ui=en",
                                  "/doc/economy-956947-ru", "/search?q=zzqq&lang=kk",
                                  "/search?sort=bad", "/agencies?ui=en",
                                  "/search?q=development+OR+развитие"])
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
