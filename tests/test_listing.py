"""Listing text in, releases out: the bundled sample and each variation DESIGN.md lists."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.listing import MAX_TITLE_CHARS, ParseResult, parse_listing, plausible_range
from indexer.release import Location, Skipped

CORPUS_FILE = Path(__file__).resolve().parent.parent / "corpus" / "000_b09e075d879a1931.txt"
GOV = "https://www.gov.kz/memleket/entities"


def parse(*lines: str) -> ParseResult:
    """The lines as a file, ending with a line break as files do."""
    return parse_listing("\n".join(lines) + "\n", "t.txt")


def titles(result: ParseResult) -> list[str]:
    return [release.title for release in result.releases]


# --- the bundled sample -------------------------------------------------------------


def sample() -> ParseResult:
    return parse_listing(CORPUS_FILE.read_text(encoding="utf-8"), "corpus/000.txt")


def test_sample_has_20_releases_and_nothing_else():
    result = sample()
    assert len(result.releases) == 20
    assert result.skipped == []
    assert result.warnings == []


def test_sample_languages_agencies_and_category():
    releases = sample().releases
    cyrillic = [bool(re.search("[а-яё]", r.body, re.IGNORECASE)) for r in releases]
    assert cyrillic.count(True) == 3
    assert cyrillic.count(False) == 17
    agencies = Counter(re.search(r"entities/([^/]+)/", r.source_url)[1] for r in releases)
    assert agencies == {"economy": 6, "ecogeo": 4, "almaty": 10}
    assert {r.category for r in releases} == {"Technology"}
    assert all(r.source_url.startswith(GOV) for r in releases)


def test_sample_first_release_exactly():
    first = sample().releases[0]
    assert first.title == (
        "Ввод 19 млн квадратных метров жилья и инвестиционный рост самых густонаселенных "
        "областей Казахстана рассмотрели в Правительстве"
    )
    assert first.date == dt.date(2025, 3, 14)
    assert first.where == Location("corpus/000.txt", 3)
    assert first.source_url == f"{GOV}/economy/press/news/details/956947"
    assert first.body.startswith("На очередном заседании штаба")
    assert first.body.endswith("rassmotreli-v-pravitelstve-29808")


def test_sample_title_after_a_source_line_without_blank_line():
    third = sample().releases[2]
    assert third.title.startswith("Проект Закона о развитии столицы")
    assert third.date == dt.date(2025, 3, 5)
    assert third.where.line == 8
    assert third.source_url == f"{GOV}/economy/press/news/details/951286"


def test_sample_source_on_its_own_line_and_glued_source():
    by_line = {r.where.line: r for r in sample().releases}
    turkestan = by_line[17]
    assert turkestan.title == (
        'The head of state signed the Law of the Republic of Kazakhstan "On the special '
        'status of the city of Turkestan"'
    )
    assert turkestan.body.endswith("kalasynyn-erekshe-martebesi-zanyna-kol-koydy-325353")
    assert turkestan.source_url == f"{GOV}/economy/press/news/details/949210"
    glued = by_line[11]
    assert glued.body.endswith("which confirmed the agreements reached.")
    assert glued.source_url == f"{GOV}/ecogeo/press/news/details/949770"
    assert not any("Source :" in r.body for r in sample().releases)


def test_sample_last_release_and_long_quoted_title():
    releases = sample().releases
    assert releases[11].title.startswith('"This is a matter of principle for me"')
    assert releases[11].title.endswith("Medeu district was resolved")
    last = releases[-1]
    assert last.title == (
        '"Almaty is our common home": a large-scale campaign for landscaping and planting '
        "trees will begin in the city on March 1"
    )
    assert last.date == dt.date(2025, 3, 4)
    assert last.where.line == 60
    assert last.source_url == f"{GOV}/almaty/press/news/details/948616"


# --- header lines ---------------------------------------------------------------------

ECONOMY_RELEASE = (
    "Kazakhstan and Croatia are strengthening economic cooperation 04.03.2025",
    "Last week the Vice Minister of National Economy held a meeting with the delegation of "
    "Croatia.Source : " + GOV + "/economy/press/news/details/949460",
)


def test_header_site_name_category_and_navigation_residue_are_not_releases():
    result = parse("Enbekshi QazaQ", "", "Business", "More", ".png)", "", *ECONOMY_RELEASE)
    assert titles(result) == ["Kazakhstan and Croatia are strengthening economic cooperation"]
    assert result.releases[0].category == "Business"
    assert result.releases[0].where.line == 7
    assert result.warnings == []


def test_kazakh_header_and_release():
    result = parse(
        "Enbekshi QazaQ",
        "Жаңалықтар",
        "Қосымша",
        "Алматыда «Алматы – ортақ үйіміз» акциясы басталды 04.03.2025",
        "1 наурыздан 1 сәуірге дейін қалада ауқымды акция өтеді.Ақпарат көзі : "
        + GOV
        + "/almaty/press/news/details/948576?lang=kk",
    )
    (release,) = result.releases
    assert release.category == "Жаңалықтар"
    assert release.title == "Алматыда «Алматы – ортақ үйіміз» акциясы басталды"
    assert release.body == "1 наурыздан 1 сәуірге дейін қалада ауқымды акция өтеді."
    assert release.source_url == f"{GOV}/almaty/press/news/details/948576?lang=kk"
    assert result.warnings == []


def test_russian_category_header():
    result = parse(
        "Новости",
        "Олжас Бектенов провел совещание по развитию экономики 12.03.2025",
        "Премьер-министр провел рабочее совещание. Источник : "
        + GOV
        + "/economy/press/news/details/954900?lang=ru",
    )
    (release,) = result.releases
    assert release.category == "Новости"
    assert release.body == "Премьер-министр провел рабочее совещание."
    assert release.source_url.endswith("954900?lang=ru")


def test_no_header_means_no_category():
    result = parse(*ECONOMY_RELEASE)
    assert result.releases[0].category is None
    assert result.releases[0].where.line == 1


def test_text_before_the_first_title_is_a_warning_not_a_release():
    result = parse(
        "Technology", "Subscribe to our channel", "for the latest news", *ECONOMY_RELEASE
    )
    assert len(result.releases) == 1
    assert result.skipped == []
    assert result.warnings == [
        "t.txt:2: 2 lines of text before the first release, ignored: 'Subscribe to our channel'"
    ]


def test_category_line_between_releases_applies_to_the_releases_after_it():
    result = parse(
        "Law",
        "",
        "The Law on the special status of Turkestan is signed 04.03.2025",
        "The law establishes the special status of the city.Source : "
        + GOV
        + "/economy/press/news/details/949210",
        "",
        "World",
        "",
        "Kazakhstan and Croatia are strengthening economic cooperation 04.03.2025",
        "The bilateral negotiations were held in Astana.Source : "
        + GOV
        + "/economy/press/news/details/949460",
    )
    assert [r.category for r in result.releases] == ["Law", "World"]
    assert result.warnings == []


# --- title and date -------------------------------------------------------------------


def test_date_alone_on_the_line_after_the_title():
    result = parse(
        "Meeting with the public of the Akmola region",
        "04.03.2025",
        "The Minister held a meeting with residents of the Akmola region.Source : "
        + GOV
        + "/ecogeo/press/news/details/948546",
        "Meeting on regional cooperation in environmental protection 05.03.2025",
        "On March 3 the Minister met the UNDP representative.Source : "
        + GOV
        + "/ecogeo/press/news/details/949841",
    )
    assert titles(result) == [
        "Meeting with the public of the Akmola region",
        "Meeting on regional cooperation in environmental protection",
    ]
    assert [r.date for r in result.releases] == [dt.date(2025, 3, 4), dt.date(2025, 3, 5)]
    assert [r.where.line for r in result.releases] == [1, 4]
    assert (
        result.releases[0].body
        == "The Minister held a meeting with residents of the Akmola region."
    )


def test_all_caps_punctuated_and_long_titles_are_kept_junk_ones_without_body_skipped():
    long_title = "On the approval of the rules " + "and the procedure " * 12 + "of subsidies"
    assert len(long_title) > 200
    result = parse(
        "ALMATY IS OUR COMMON HOME 04.03.2025",
        "Source : " + GOV + "/almaty/press/news/details/948576",
        "Why does Almaty need a new Congress Center? 04.03.2025",
        "Source : " + GOV + "/almaty/press/news/details/947609",
        f"{long_title} 04.03.2025",
        "Source : " + GOV + "/moa/press/news/details/1",
        "- 05.03.2025",
        "Source : " + GOV + "/moa/press/news/details/2",
        "502 Bad Gateway 06.03.2025",
        "Source : " + GOV + "/moa/press/news/details/3",
        "— 07.03.2025",
        "Body under a dash.Source : " + GOV + "/moa/press/news/details/4",
        "404 Not Found 08.03.2025",
        "",
        "100 trees planted 09.03.2025",
        "Source : " + GOV + "/moa/press/news/details/5",
        "Error 503 10.03.2025",
        "Source : " + GOV + "/moa/press/news/details/6",
        "10.03.2025",
        "Source : " + GOV + "/moa/press/news/details/7",
    )
    assert titles(result) == [
        "ALMATY IS OUR COMMON HOME",
        "Why does Almaty need a new Congress Center?",
        long_title,
        "—",  # a body: a release, whatever its title
        "100 trees planted",
    ]
    assert [r.body == "" for r in result.releases] == [True, True, True, False, True]
    assert [(s.where.line, s.reason) for s in result.skipped] == [
        (7, "not a release: the title '-' is only punctuation and no body"),
        (9, "not a release: the title '502 Bad Gateway' is an error page's and no body"),
        (13, "not a release: the title '404 Not Found' is an error page's and no body"),
        (17, "not a release: the title 'Error 503' is an error page's and no body"),
        (19, "not a release: no title and no body"),
    ]
    assert result.warnings == []


def test_impossible_date_sends_the_release_to_skipped():
    result = parse(
        "Akimat reports on the heating season 31.02.2025",
        "The heating season ended in all districts.Source : "
        + GOV
        + "/almaty/press/news/details/1",
        *ECONOMY_RELEASE,
    )
    assert result.skipped == [
        Skipped(Location("t.txt", 1), "invalid date 31.02.2025 in the title line")
    ]
    assert titles(result) == ["Kazakhstan and Croatia are strengthening economic cooperation"]
    assert result.releases[0].where.line == 3


def test_dates_outside_the_plausible_range_send_the_release_to_skipped():
    earliest, latest = plausible_range()
    too_late = latest + dt.timedelta(days=1)
    result = parse(
        "The end of time 31.12.9999", "Body.Source : " + GOV + "/almaty/press/news/details/1",
        "The beginning 01.01.0001", "Body.Source : " + GOV + "/almaty/press/news/details/2",
        "Before the portal 31.12.1999", "Body.Source : " + GOV + "/almaty/press/news/details/3",
        f"Next year but one {too_late:%d.%m.%Y}",
        "Body.Source : " + GOV + "/almaty/press/news/details/4",
        "The first day 01.01.2000", "Body.Source : " + GOV + "/almaty/press/news/details/5",
        f"The last day {latest:%d.%m.%Y}", "Body.Source : " + GOV + "/almaty/press/news/details/6",
    )
    assert (earliest, latest.year) == (dt.date(2000, 1, 1), dt.date.today().year + 1)
    assert titles(result) == ["The first day", "The last day"]
    span = f"{earliest:%d.%m.%Y}–{latest:%d.%m.%Y} (from 2000 to a year after today)"
    assert [(s.where.line, s.reason) for s in result.skipped] == [
        (1, f"date 31.12.9999 in the title line is outside the plausible range {span}"),
        (3, f"date 01.01.0001 in the title line is outside the plausible range {span}"),
        (5, f"date 31.12.1999 in the title line is outside the plausible range {span}"),
        (7, f"date {too_late:%d.%m.%Y} in the title line is outside the plausible range {span}"),
    ]


def test_a_block_without_a_dated_title_but_with_a_source_is_skipped():
    result = parse(
        *ECONOMY_RELEASE,
        "Akimat reports on the heating season",
        "The heating season ended.Source : " + GOV + "/almaty/press/news/details/1",
    )
    assert len(result.releases) == 1
    assert result.skipped == [
        Skipped(
            Location("t.txt", 3),
            "release without a date (no title line ending with DD.MM.YYYY)",
        )
    ]


def test_a_date_alone_between_releases_starts_a_release_without_title():
    result = parse(
        *ECONOMY_RELEASE,
        "07.03.2025",
        "The akimat held a meeting.Source : " + GOV + "/almaty/press/news/details/5",
    )
    assert titles(result) == [
        "Kazakhstan and Croatia are strengthening economic cooperation",
        "",
    ]
    assert result.releases[1].body == "The akimat held a meeting."


def test_russian_title_over_english_body():
    result = parse(
        "Fitch подтвердило рейтинг СПК «Алматы» 04.03.2025",
        "The international rating agency Fitch Ratings has affirmed the rating.Source : "
        + GOV
        + "/almaty/press/news/details/948131",
    )
    assert titles(result) == ["Fitch подтвердило рейтинг СПК «Алматы»"]
    assert result.releases[0].body.startswith("The international rating agency")


# --- body -----------------------------------------------------------------------------


def test_body_of_several_lines_is_joined_with_newlines():
    result = parse(
        "Almaty - our common home campaign begins 04.03.2025",
        "The campaign will be held over four thematic weeks:",
        "* Clean city;",
        "",
        "* Green city.",
        "Press service of the Almaty akimat",
        "Source : " + GOV + "/almaty/press/news/details/948576",
    )
    assert result.releases[0].body == (
        "The campaign will be held over four thematic weeks:\n* Clean city;\n"
        "* Green city.\nPress service of the Almaty akimat"
    )


def test_empty_body_title_then_source():
    result = parse("Meeting with the public of the Akmola region 04.03.2025", "Source : " + GOV)
    assert result.releases[0].body == ""
    assert result.releases[0].source_url == GOV


def test_zero_width_spaces_real_and_escaped_are_removed():
    result = parse(
        "\u200bAlmaty presented Spring Rhapsody\\u200b 04.03.2025",
        "\\u200b",
        "The exhibition\u200b features 96 works.\\u200b",
        "Source : " + GOV + "/almaty/press/news/details/948124",
    )
    assert titles(result) == ["Almaty presented Spring Rhapsody"]
    assert result.releases[0].body == "The exhibition features 96 works."


def test_urls_glued_into_the_body_stay_in_the_body():
    result = parse(
        "The head of state signed the Law 04.03.2025",
        "The law preserves the identity of the city.https://akorda.kz/kz/some-news-325353",
        "Source : " + GOV + "/economy/press/news/details/949210",
    )
    assert result.releases[0].body == (
        "The law preserves the identity of the city.https://akorda.kz/kz/some-news-325353"
    )


# --- source label ---------------------------------------------------------------------


def test_source_label_glued_after_space_or_on_its_own_line():
    url = GOV + "/economy/press/news/details/"
    result = parse(
        "Glued 01.03.2025",
        f"Subsidies were paid.Source : {url}1",
        "After a space 02.03.2025",
        f"Subsidies were paid. Source : {url}2",
        "Own line 03.03.2025",
        "Subsidies were paid.",
        f"Source : {url}3",
    )
    assert [r.body for r in result.releases] == ["Subsidies were paid."] * 3
    assert [r.source_url for r in result.releases] == [f"{url}1", f"{url}2", f"{url}3"]


def test_spacing_around_the_colon_is_tolerated():
    result = parse(
        "One 01.03.2025",
        f"Text.Source: {GOV}/a",
        "Two 02.03.2025",
        f"Text.Source :{GOV}/b",
        "Three 03.03.2025",
        f"Text.Источник:{GOV}/c",
        "Four 04.03.2025",
        f"Мәтін.Ақпарат көзі :  {GOV}/d",
    )
    assert [r.source_url for r in result.releases] == [f"{GOV}/{x}" for x in "abcd"]
    assert {r.body for r in result.releases} == {"Text.", "Мәтін."}


def test_a_sentence_starting_with_source_is_body_text():
    result = parse(
        "Wheat exports grew 04.03.2025",
        "Source: the ministry said exports grew by 12%.",
        "Exports reached 9 million tons, according to the Source: ministry",
        "Источник: пресс-служба министерства. Source : " + GOV + "/moa/press/news/details/7",
    )
    (release,) = result.releases
    assert release.body == (
        "Source: the ministry said exports grew by 12%.\n"
        "Exports reached 9 million tons, according to the Source: ministry\n"
        "Источник: пресс-служба министерства."
    )
    assert release.source_url == GOV + "/moa/press/news/details/7"


def test_source_url_with_lang_is_kept_as_written():
    result = parse("Title 04.03.2025", f"Source : {GOV}/mfa/press/news/details/1?lang=en")
    assert result.releases[0].source_url == f"{GOV}/mfa/press/news/details/1?lang=en"


# --- separators -----------------------------------------------------------------------


def listing_of_three(separator: list[str]) -> list[str]:
    lines: list[str] = []
    for number in range(1, 4):
        lines += [
            f"Akimat news number {number} 0{number}.03.2025",
            f"The akimat reports event {number}.Source : {GOV}/almaty/press/news/details/{number}",
            *separator,
        ]
    return lines


def test_releases_separated_by_blank_lines_by_nothing_or_mixed():
    expected = [f"Akimat news number {n}" for n in (1, 2, 3)]
    assert titles(parse(*listing_of_three([""]))) == expected
    assert titles(parse(*listing_of_three(["", "", ""]))) == expected
    assert titles(parse(*listing_of_three([]))) == expected
    mixed = listing_of_three([])
    mixed.insert(2, "")
    assert titles(parse(*mixed)) == expected
    assert [r.where.line for r in parse(*mixed).releases] == [1, 4, 6]


# --- the page of a single release (issue 12) -------------------------------------------

SINGLE_RELEASE_PAGE = (
    "Enbekshi QazaQ",
    "Economics",
    "Almaty akimat summed up the results of the heating season",
    "09.02.2025 13:46:43 572",
    "The heating season in Almaty ended on schedule.",
    "More than 2,000 apartment buildings were connected to heat on time.",
    "",
    "The akim thanked the utility workers 09.02.2025",
    "Source : " + GOV + "/almaty/press/news/details/951111?lang=en",
)


def test_single_release_page_with_date_time_and_views_and_a_body_of_several_lines():
    result = parse(*SINGLE_RELEASE_PAGE)
    assert result.skipped == [] and result.warnings == []
    (release,) = result.releases
    assert release.title == "Almaty akimat summed up the results of the heating season"
    assert release.date == dt.date(2025, 2, 9)
    assert release.body.split("\n") == [
        "The heating season in Almaty ended on schedule.",
        "More than 2,000 apartment buildings were connected to heat on time.",
        "The akim thanked the utility workers 09.02.2025",
    ]
    assert release.source_url == GOV + "/almaty/press/news/details/951111?lang=en"
    assert (release.category, release.where.line, release.incomplete) == ("Economics", 3, False)


def test_date_lines_with_a_time_with_or_without_views_and_seconds():
    for date_line in ("09.02.2025 13:46:43 572", "09.02.2025 13:46", "09.02.2025 9:05:00",
                      "09.02.2025 0"):
        result = parse("Heating season results", date_line, "Body.",
                       "Source : " + GOV + "/almaty/press/news/details/951111")
        assert [(r.title, r.date, r.body) for r in result.releases] \
            == [("Heating season results", dt.date(2025, 2, 9), "Body.")], date_line
    # A date line inside a body is body text, as a date alone is.
    result = parse(*ECONOMY_RELEASE[:1], "Held on", "09.02.2025 13:46:43 572",
                   "Source : " + GOV + "/economy/press/news/details/949460")
    assert result.releases[0].body == "Held on\n09.02.2025 13:46:43 572"


def test_single_release_pages_one_after_another():
    second = [line.replace("heating", "sowing").replace("951111", "951112")
              for line in SINGLE_RELEASE_PAGE[2:]]
    result = parse(*SINGLE_RELEASE_PAGE, "", *second)
    assert titles(result) == ["Almaty akimat summed up the results of the heating season",
                              "Almaty akimat summed up the results of the sowing season"]
    assert [len(r.body.split("\n")) for r in result.releases] == [3, 3]
    # A page cut before its source, then the next page.
    cut = parse(*SINGLE_RELEASE_PAGE[:-1], *second)
    assert titles(cut) == titles(result)
    assert [r.incomplete for r in cut.releases] == [True, False]


# --- missing and cut-off sources ------------------------------------------------------


def test_release_without_source_before_the_next_title():
    result = parse(
        "Kazakhstan's cooperation program with the EBRD supports SMEs 04.03.2025",
        "The annual meeting of the Coordination Council was held in Astana.",
        "",
        *ECONOMY_RELEASE,
    )
    assert len(result.releases) == 2
    assert result.releases[0].source_url is None
    assert (
        result.releases[0].body
        == "The annual meeting of the Coordination Council was held in Astana."
    )
    assert result.warnings == ["t.txt:1: release has no source (cut off before a source line)"]


def test_releases_cut_before_their_source_are_marked_incomplete():
    result = parse(
        "Kazakhstan's cooperation program with the EBRD supports SMEs 04.03.2025",
        "The annual meeting was held in Astana.",
        *ECONOMY_RELEASE,
        "Meeting with the public 05.03.2025", "The Minister met.Source : htt",
    )
    assert [r.incomplete for r in result.releases] == [True, False, True]


def test_a_source_label_word_left_at_a_cut_is_dropped():
    met = "The Minister met the public."
    for end in (f"{met}Source", f"{met} Source", f"{met}Источник", f"{met} Ақпарат көзі"):
        result = parse_listing("\n".join([*ECONOMY_RELEASE, "Meeting with the public 05.03.2025",
                                          end]), "t.txt")
        assert result.releases[-1].body == "The Minister met the public.", end
        assert result.releases[-1].incomplete
    alone = parse(*ECONOMY_RELEASE, "Meeting with the public 05.03.2025", "Source")
    assert alone.releases[-1].body == ""
    # Not at a cut, or part of a word: text.
    kept = parse("Open data 05.03.2025", "The portal is open Source",
                 "Source : " + GOV + "/economy/press/news/details/949461",
                 "Open data 06.03.2025", "A new DataSource")
    assert [r.body for r in kept.releases] == ["The portal is open Source", "A new DataSource"]


def test_a_source_address_cut_by_the_end_of_the_file_counts_as_missing():
    def last(*lines: str) -> tuple[str | None, list[str]]:
        result = parse_listing("\n".join([*ECONOMY_RELEASE, "Meeting with the public 05.03.2025",
                                          *lines]), "t.txt")
        return result.releases[-1].source_url, result.warnings

    details = GOV + "/economy/press/news/details/"
    cut = "t.txt:3: source URL cut off by the end of the file ({!r}), release kept without one"
    for url in (details + "9", details + "94946", details + "949460?lang=r", details + "9494600?",
                GOV + "/economy/press/ne", "https://www.gov.k", "https://www.gov.kz/"):
        assert last(f"The Minister met.Source : {url}") == (None, [cut.format(url)]), url
    for url in (details + "949461", details + "95?lang=ru", details + "9494600",
                "https://primeminister.kz/ru/news/1"):
        assert last(f"The Minister met.Source : {url}") == (url, []), url
    # With a line break after it, or followed by more lines, an address is whole.
    assert last(f"The Minister met.Source : {details}9", "") == (details + "9", [])
    # The other news numbers of the file set the length; without any, 6 digits.
    alone = parse_listing(f"Meeting 05.03.2025\nText.Source : {details}94946", "t.txt")
    assert alone.releases[0].source_url is None and alone.releases[0].incomplete
    short = parse_listing(f"{ECONOMY_RELEASE[0]}\nText.Source : {details}12\n"
                          f"Meeting 05.03.2025\nText.Source : {details}13", "t.txt")
    assert [r.source_url for r in short.releases] == [details + "12", details + "13"]


def test_cut_off_source_url_gives_no_url_and_a_warning():
    result = parse(
        *ECONOMY_RELEASE, "Meeting with the public 04.03.2025", "The Minister met.Source : htt"
    )
    last = result.releases[-1]
    assert last.body == "The Minister met."
    assert last.source_url is None
    assert result.warnings == ["t.txt:3: source URL cut off ('htt'), release kept without one"]


def test_empty_source_label_at_the_end_of_the_file():
    result = parse(
        *ECONOMY_RELEASE, "Meeting with the public 04.03.2025", "The Minister met. Source :"
    )
    assert result.releases[-1].source_url is None
    assert result.releases[-1].body == "The Minister met."
    assert len(result.warnings) == 1


def test_body_cut_mid_sentence_at_the_end_of_the_file():
    result = parse(
        *ECONOMY_RELEASE, "Meeting with the public 04.03.2025", "The Minister of Ecology met resi"
    )
    last = result.releases[-1]
    assert (last.title, last.body, last.source_url) == (
        "Meeting with the public",
        "The Minister of Ecology met resi",
        None,
    )
    assert result.warnings == ["t.txt:3: release has no source (cut off before a source line)"]


def test_a_long_cut_off_url_is_kept_for_downstream_normalisation():
    result = parse("Title 04.03.2025", f"Body.Source : {GOV}/almaty/press/ne")
    assert result.releases[0].source_url == f"{GOV}/almaty/press/ne"


# --- body lines that end with a date --------------------------------------------------


def test_body_lines_ending_with_a_date_are_not_titles():
    result = parse(
        "The Ministry of Agriculture announces subsidies 04.03.2025",
        "Applications are accepted from 01.03.2025",
        "Deadline: 31.03.2025",
        "Приём заявок продлится до 15.04.2025",
        "The programme was approved last year.Applications open 01.03.2025",
        "The ministry "
        + "explains the rules of the programme and " * 12
        + "its results 04.03.2025",
        "Source : " + GOV + "/moa/press/news/details/11",
    )
    (release,) = result.releases
    assert release.body.count("\n") == 4
    assert release.source_url == GOV + "/moa/press/news/details/11"


def test_a_short_dated_line_after_a_body_without_source_starts_a_release():
    result = parse(
        "The Ministry of Agriculture announces subsidies 04.03.2025",
        "Applications are accepted until the end of the month.",
        "Farmers of Kostanay region began spring sowing 05.03.2025",
        "Sowing started in the south of the region.Source : " + GOV + "/moa/press/news/details/12",
    )
    assert titles(result) == [
        "The Ministry of Agriculture announces subsidies",
        "Farmers of Kostanay region began spring sowing",
    ]
    assert result.releases[0].source_url is None


def test_a_dated_last_body_line_before_a_source_line_stays_in_the_body():
    result = parse(
        "Almaty akimat summed up the results of the heating season 04.03.2025",
        "The heating season was completed without accidents in all districts.",
        "Press service of the Almaty akimat 04.03.2025",
        "Source : " + GOV + "/almaty/press/news/details/13",
        "The akimat opened a new school 05.03.2025",
        "Classes begin in September.",
        "Press service, 05.03.2025",
        "Source : " + GOV + "/almaty/press/news/details/14",
    )
    assert titles(result) == [
        "Almaty akimat summed up the results of the heating season",
        "The akimat opened a new school",
    ]
    assert result.releases[0].body.endswith("\nPress service of the Almaty akimat 04.03.2025")
    assert result.releases[1].body == "Classes begin in September.\nPress service, 05.03.2025"
    assert result.warnings == []


def test_a_dated_line_after_a_body_with_its_own_body_starts_a_release():
    result = parse(
        "Astana hosted the investment forum 04.03.2025",
        "The forum gathered 500 participants from 20 countries.",
        "Astana will host the tourism fair 05.03.2025",
        "The fair opens in May.Source : " + GOV + "/astana/press/news/details/15",
    )
    assert titles(result) == [
        "Astana hosted the investment forum",
        "Astana will host the tourism fair",
    ]
    assert result.releases[1].body == "The fair opens in May."


def test_a_title_longer_than_the_limit_is_accepted_between_releases_only():
    long_title = "Word " * (MAX_TITLE_CHARS // 5 + 1)
    result = parse(*ECONOMY_RELEASE, f"{long_title}04.03.2025", "Source : " + GOV)
    assert titles(result)[1] == long_title.strip()


# --- line endings -------------------------------------------------------------------


def test_crlf_cr_and_bom_give_the_same_releases():
    lines = ["Technology", "", *ECONOMY_RELEASE, "", "Meeting with the public 04.03.2025", "Text."]
    plain = parse_listing("\n".join(lines), "t.txt")
    for text in ("\r\n".join(lines), "\r".join(lines), "\ufeff" + "\r\n".join(lines)):
        assert parse_listing(text, "t.txt") == plain
    assert [r.where.line for r in plain.releases] == [3, 6]


def test_empty_text_gives_nothing():
    assert parse_listing("", "t.txt") == ParseResult()
    assert parse_listing("\n\n", "t.txt") == ParseResult()


# --- properties -------------------------------------------------------------------------

_words = st.text("abcdefghijklmnopqrstuvwxyzабвгдеәқңү ", min_size=1, max_size=30).map(str.strip)
_title = st.builds(lambda w: f"News {w}".strip(), _words)
_body = st.lists(_words.filter(bool).map(lambda w: w + "."), max_size=3)
_release = st.tuples(
    _title,
    st.dates(dt.date(2000, 1, 1), dt.date.today()),
    _body,
    st.integers(1, 999999),
    st.sampled_from(["glued", "space", "own line"]),
    st.booleans(),
    st.booleans(),
)


def render(release: tuple, out: list[str]) -> None:
    title, date, body, number, style, date_below, blank_after = release
    url = f"{GOV}/almaty/press/news/details/{number}"
    out += [title, date.strftime("%d.%m.%Y")] if date_below else [f"{title} {date:%d.%m.%Y}"]
    if body and style != "own line":
        out += [*body[:-1], body[-1] + ("Source : " if style == "glued" else " Source : ") + url]
    else:
        out += [*body, f"Source : {url}"]
    if blank_after:
        out.append("")


@settings(max_examples=60, deadline=None)
@given(st.lists(_release, max_size=6), st.sampled_from(["\n", "\r\n"]))
def test_rendered_releases_parse_back(releases, newline):
    lines = ["Enbekshi QazaQ", "News"]
    for release in releases:
        render(release, lines)
    result = parse_listing(newline.join(lines) + newline, "p.txt")
    assert result.skipped == [] and result.warnings == []
    got = [
        (r.title, r.date, r.body.split("\n") if r.body else [], r.source_url)
        for r in result.releases
    ]
    want = [(t, d, b, f"{GOV}/almaty/press/news/details/{n}") for t, d, b, n, *_ in releases]
    assert got == want


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([*"Sourc :htp/.\n\r 0123\u200b", "04.03.2025", "Source : "])))
def test_any_text_parses_without_error_and_locations_are_in_range(pieces):
    text = "".join(pieces)
    result = parse_listing(text, "x.txt")
    line_count = len(re.split(r"\r\n|\r|\n", text))
    for where in [r.where for r in result.releases] + [s.where for s in result.skipped]:
        assert 1 <= where.line <= line_count
