"""Reading JSON Lines corpus files: one release record per line, stated outright.

Fields (see DESIGN.md, "The release record"): `title` and `date` are required; `date` is
ISO `YYYY-MM-DD` or `DD.MM.YYYY`; `body`, `url` (the source URL), `id`, `agency`, `lang`,
`urls` (a list of strings) and `category` are optional and may be null. Only types are
checked here; values (id, agency, lang) are settled by `records.build_release`. Unknown
fields are ignored. A line that is not such a record goes to `skipped` with its line
number and the reason; the other lines are still read. That includes lines Python's JSON
reader refuses in other ways than a syntax error (a number of more than 4,300 digits,
arrays or objects nested too deeply to decode) and strings with a lone surrogate escape
(`"\\ud800"`), which JSON allows but no text can hold. Blank lines are ignored. Titles
and bodies are cleaned as in listings (whitespace, zero-width spaces).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from indexer.listing import ParseResult, clean_text, implausible, parse_date, split_lines
from indexer.release import Location, RawRelease, Skipped

_ISO_DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
_LISTING_DATE = re.compile(r"(?P<day>[0-9]{2})\.(?P<month>[0-9]{2})\.(?P<year>[0-9]{4})")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_OPTIONAL_TEXT = ("body", "url", "id", "agency", "lang", "category")
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
_JSON_TYPES |= {int: "a number", float: "a number", type(None): "null"}


class _BadRecord(ValueError):
    """Why a line is not a usable release record."""


def parse_jsonl(text: str, file: str) -> ParseResult:
    """Parse JSON Lines text; `file` names it in locations and messages."""
    result = ParseResult()
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        where = Location(file, number)
        try:
            result.releases.append(_release(line, where))
        except _BadRecord as bad:
            result.skipped.append(Skipped(where, str(bad)))
    return result


def _release(line: str, where: Location) -> RawRelease:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise _BadRecord(f"invalid JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise _BadRecord("invalid JSON: arrays or objects nested too deeply") from None
    except ValueError as error:  # a number too long to convert (more than 4,300 digits)
        raise _BadRecord(f"invalid JSON: {str(error).split(';')[0]}") from None
    if not isinstance(record, dict):
        raise _BadRecord(f"expected a JSON object, got {_json_type(record)}")
    for name in ("title", "date"):
        if record.get(name) is None:
            raise _BadRecord(f"missing field {name!r}")
    for name in ("title", "date", *_OPTIONAL_TEXT):
        _check_type(record, name, str, "a string")
    _check_type(record, "urls", list, "a list of strings")
    for name in ("title", "date", *_OPTIONAL_TEXT, "urls"):
        _check_text(record, name)
    return RawRelease(
        title=clean_text(record["title"]),
        body=clean_text(record.get("body") or ""),
        date=_date(record["date"]),
        source_url=record.get("url"),
        category=record.get("category"),
        where=where,
        id=record.get("id"),
        agency=record.get("agency"),
        lang=record.get("lang"),
        urls=_urls(record.get("urls")),
    )


def _check_type(record: dict[str, Any], name: str, kind: type, described: str) -> None:
    value = record.get(name)
    if value is not None and not isinstance(value, kind):
        raise _BadRecord(f"field {name!r} must be {described}, got {_json_type(value)}")


def _check_text(record: dict[str, Any], name: str) -> None:
    """Refuse lone surrogates (`"\\ud800"`): they cannot be written as UTF-8 anywhere."""
    value = record.get(name)
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str) and (found := _SURROGATE.search(text)):
            raise _BadRecord(
                f"field {name!r} holds a lone surrogate escape \\u{ord(found.group()):04x}, "
                "which is not text"
            )


def _date(text: str) -> dt.date:
    """The date of a record; both the ISO form and the listing form are accepted."""
    found = _ISO_DATE.fullmatch(text) or _LISTING_DATE.fullmatch(text)
    if found is None:
        raise _BadRecord(f"date {text!r} is not YYYY-MM-DD or DD.MM.YYYY")
    date = parse_date(found["day"], found["month"], found["year"])
    if date is None:
        raise _BadRecord(f"invalid date {text}")
    if problem := implausible(date):
        raise _BadRecord(f"date {text} {problem}")
    return date


def _urls(value: list[Any] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not all(isinstance(url, str) for url in value):
        raise _BadRecord("field 'urls' must be a list of strings")
    return tuple(value)


def _json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    return _JSON_TYPES.get(type(value), type(value).__name__)
