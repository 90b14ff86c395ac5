"""JSON Lines in, releases out: good records, and each way a line can be unusable."""

from __future__ import annotations

import datetime as dt
import json

from indexer.jsonl import parse_jsonl
from indexer.listing import ParseResult, plausible_range
from indexer.release import Location, RawRelease, Skipped

_EARLIEST, _LATEST = plausible_range()
PLAUSIBLE = f"{_EARLIEST:%d.%m.%Y}–{_LATEST:%d.%m.%Y} (from 2000 to a year after today)"
URL = "https://www.gov.kz/memleket/entities/economy/press/news/details/949460?lang=en"


def record(**fields: object) -> str:
    base: dict[str, object] = {
        "title": "Kazakhstan and Croatia are strengthening economic cooperation",
        "date": "2025-03-04",
    }
    return json.dumps({**base, **fields}, ensure_ascii=False)


def reasons(result: ParseResult) -> list[tuple[int, str]]:
    return [(s.where.line, s.reason) for s in result.skipped]


def test_full_record():
    line = record(
        body="Last week the Vice Minister held a meeting.",
        url=URL,
        id="economy-949460-en",
        agency="economy",
        lang="en",
        urls=["https://primeminister.kz/en/news/1"],
        category="Business",
    )
    assert parse_jsonl(line, "r.jsonl") == ParseResult(
        releases=[
            RawRelease(
                title="Kazakhstan and Croatia are strengthening economic cooperation",
                body="Last week the Vice Minister held a meeting.",
                date=dt.date(2025, 3, 4),
                source_url=URL,
                category="Business",
                where=Location("r.jsonl", 1),
                id="economy-949460-en",
                agency="economy",
                lang="en",
                urls=("https://primeminister.kz/en/news/1",),
            )
        ]
    )


def test_minimal_record_in_russian_and_kazakh_with_listing_dates():
    text = "\n".join(
        [
            record(title="Олжас Бектенов провел совещание", date="12.03.2025"),
            record(title="Алматыда акция басталды", body=None, url=None, urls=None),
        ]
    )
    result = parse_jsonl(text, "r.jsonl")
    first, second = result.releases
    assert (first.title, first.date, first.body, first.source_url) == (
        "Олжас Бектенов провел совещание",
        dt.date(2025, 3, 12),
        "",
        None,
    )
    assert (first.id, first.agency, first.lang, first.urls, first.category) == (None,) * 5
    assert second.title == "Алматыда акция басталды"
    assert second.where.line == 2
    assert result.skipped == []


def test_blank_lines_are_ignored_and_line_numbers_count_them():
    text = "\n" + record() + "\r\n\r\n   \n" + record(date="2025-03-05") + "\n"
    result = parse_jsonl(text, "r.jsonl")
    assert [r.where.line for r in result.releases] == [2, 5]
    assert result.skipped == []


def test_bom_and_zero_width_spaces():
    text = "\ufeff" + record(title=" \u200bTitle\\u200b ", body="Body\u200b.")
    (release,) = parse_jsonl(text, "r.jsonl").releases
    assert (release.title, release.body) == ("Title", "Body.")


def test_bad_lines_are_skipped_with_reasons_and_the_rest_is_read():
    lines = [
        record(),
        '{"title": "Broken", "date": ',
        '["not", "an", "object"]',
        json.dumps({"date": "2025-03-04"}),
        record(date=None),
        record(date="2025-02-30"),
        record(date="4 March 2025"),
        record(title=42),
        record(urls="https://example.kz"),
        record(urls=["https://example.kz", 7]),
        record(agency=["economy"]),
        record(date=20250304),
        record(date="9999-12-31"),
        record(date="01.01.0001"),
        record(date="2025-03-06"),
    ]
    result = parse_jsonl("\n".join(lines), "r.jsonl")
    assert [r.where.line for r in result.releases] == [1, 15]
    assert reasons(result) == [
        (2, "invalid JSON: Expecting value at column 29"),
        (3, "expected a JSON object, got an array"),
        (4, "missing field 'title'"),
        (5, "missing field 'date'"),
        (6, "invalid date 2025-02-30"),
        (7, "date '4 March 2025' is not YYYY-MM-DD or DD.MM.YYYY"),
        (8, "field 'title' must be a string, got a number"),
        (9, "field 'urls' must be a list of strings, got a string"),
        (10, "field 'urls' must be a list of strings"),
        (11, "field 'agency' must be a string, got an array"),
        (12, "field 'date' must be a string, got a number"),
        (13, f"date 9999-12-31 is outside the plausible range {PLAUSIBLE}"),
        (14, f"date 01.01.0001 is outside the plausible range {PLAUSIBLE}"),
    ]
    assert result.skipped[0] == Skipped(
        Location("r.jsonl", 2), "invalid JSON: Expecting value at column 29"
    )


def test_unknown_fields_are_ignored():
    (release,) = parse_jsonl(record(views=1200, author="press service"), "r.jsonl").releases
    assert release.title.startswith("Kazakhstan and Croatia")


def test_empty_text():
    assert parse_jsonl("", "r.jsonl") == ParseResult()


HOSTILE_LINES = [
    '{"title": "\\ud800", "date": "2025-03-04"}',
    '{"title": "T", "date": "2025-03-04", "urls": ["https://a.kz", "\\udfff"]}',
    '{"title": "T", "date": "2025-03-04", "views": ' + "7" * 5000 + "}",
    "[" * 100_000 + "]" * 100_000,
    '{"title": "T", "date": "2025-03-04", "x": ' + "{\"a\": " * 50_000 + "1" + "}" * 50_001,
]


def test_hostile_lines_are_skipped_with_their_line_and_the_rest_is_read():
    text = "\n".join([record(), *HOSTILE_LINES, record(date="2025-03-06")])
    result = parse_jsonl(text, "r.jsonl")
    assert [r.where.line for r in result.releases] == [1, 7]
    assert reasons(result) == [
        (2, "field 'title' holds a lone surrogate escape \\ud800, which is not text"),
        (3, "field 'urls' holds a lone surrogate escape \\udfff, which is not text"),
        (4, "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion: "
            "value has 5000 digits"),
        (5, "invalid JSON: arrays or objects nested too deeply"),
        (6, "invalid JSON: arrays or objects nested too deeply"),
    ]


def test_a_surrogate_pair_is_a_character_not_a_bad_line():
    line = '{"title": "Smile \\ud83d\\ude00", "date": "2025-03-04"}'
    (release,) = parse_jsonl(line, "r.jsonl").releases
    assert release.title == "Smile \U0001f600"
