"""Reading listing text (see DESIGN.md, "The corpus: the listing format") into releases.

A listing is loose text copied from a news aggregator, so the parser works line by line
with a few heuristics instead of a grammar:

- A release starts at a title line ending with ` DD.MM.YYYY`, or at a title line followed
  by a date line: the date alone, or, on the page of a single release, the date, the time
  and the view count (`09.02.2025 13:46:43 572`). Every line after it up to the source
  belongs to the body (one paragraph a line); on a single release's page, only a title
  over a date line with a time (the next page) ends it early. Between releases (at the
  start of the file, after a source line) any such line starts a release, however long.
  Inside a release that has no source yet, a line ending with a date starts a new one
  only if it could be a title: at most `MAX_TITLE_CHARS` characters, no sentences glued
  together (`2024.Among`), and the date not grammatically part of the text (`… held on
  04.03.2025`, `Date: 04.03.2025`, `Press service, 04.03.2025`); right after body text,
  it must not be followed by a line holding only a source; the two-line form needs a
  blank line before it there.
- A date line where no release is open starts a release with an empty title; inside a
  release it is body text.
- The source is the last `Source :` / `Источник :` / `Ақпарат көзі :` label on a line
  when only a URL, a cut-off URL or nothing follows it up to the end of the line; text
  before the label on that line is the end of the body. "Source: the ministry said"
  is body text. The label is case-sensitive, as seen in the listings.
- `source_url` is the URL as written when it looks complete (`http(s)://host.tld…`);
  a cut-off one (`htt`, `https://`) or a missing one gives `None` and a warning, and so
  does a release cut off before its source (the next title or the end of the file came
  first). Such releases are still releases, marked `incomplete`; a source label word left
  at the cut (`…the region.Source`) is dropped from the body. An address at the very end
  of the file (no line break after it) may be cut too: a gov.kz address counts as whole
  only as `…/entities/<agency>/…/<number>` with `?lang=xx`, or with a number at least as
  long as the file's other news numbers (`NEWS_NUMBER_DIGITS` when it has none).
- A release whose body is empty and whose title is only punctuation (`-`) or an error
  page's title (`502 Bad Gateway`) is not a release: it goes to `skipped`.
- Header residue (site name, category, `More`, `.png)`) is ignored where no release is
  open or after a blank line; a category line sets the category of the releases after it.
- Other text outside a release is reported: a block of it that ends with a source line
  is a release without a date (`skipped`); otherwise it is a warning.
- A title whose date does not exist (31.02.2025) or lies outside the plausible range
  (`EARLIEST_DATE` to a year after today: `plausible_range`) sends its release to
  `skipped`.

Titles and bodies lose surrounding whitespace and every zero-width space, both the real
U+200B and the literal text `\\u200b`. Body lines are joined with "\\n"; blank lines are
dropped. Line numbers are 1-based and point to the title line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from indexer.release import Location, RawRelease, Skipped

MAX_TITLE_CHARS = 400
# No gov.kz release is older (the portal and the agencies' sites it replaced date from the
# 2000s); dates before it, like those more than a year ahead, are typos (01.01.0001,
# 31.12.9999), and one of them would stretch every chart over thousands of years.
EARLIEST_DATE = dt.date(2000, 1, 1)
_SNIPPET_CHARS = 60

_DATE = r"(?P<day>[0-9]{2})\.(?P<month>[0-9]{2})\.(?P<year>[0-9]{4})"
# A line holding only a date; on a single release's page also its time and view count.
_DATE_LINE = re.compile(
    _DATE + r"(?:\s+(?P<time>[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?))?(?:\s+[0-9]+)?"
)
_TITLE_AND_DATE = re.compile(r"(?P<title>.*?\S)\s+" + _DATE)
_SOURCE = re.compile(r"(?:Source|Источник|Ақпарат\s+көзі)\s*:\s*(?P<url>\S*)$")
# The source label is looked for in a line's last characters only: a search of the whole
# line is quadratic in its length on a run of labels (`Source:Source:…Source: x`, 128 KB:
# 11 s), and a label with its URL is far shorter than this.
_SOURCE_TAIL_CHARS = 2000
_URL_START = re.compile(r"https?://\S*")
# Residue of a source label where a release was cut right after it (no colon, no address).
_LABEL_AT_A_CUT = re.compile(r"(?:^|(?<=[\s.!?»\"')]))(?:Source|Источник|Ақпарат\s+көзі)$")
_GOV_KZ_ADDRESS = re.compile(r"https?://(?:www\.)?gov\.kz(?:[/?#]|$)", re.IGNORECASE)
_WHOLE_GOV_KZ_RELEASE = re.compile(
    r"https?://(?:www\.)?gov\.kz/memleket/entities/[^/\s?#]+/(?:[^/\s?#]+/)*"
    r"(?P<number>[0-9]+)/?(?P<lang>\?lang=(?:ru|en|kk))?",
    re.IGNORECASE,
)
# A gov.kz news number at the end of a file is taken as whole when it has at least as many
# digits as the file's other news numbers, or this many when it has none (the numbers of
# 2020 and later: 949460 in March 2025).
NEWS_NUMBER_DIGITS = 6
_HTTP_ERROR = (
    r"bad\s+gateway|gateway\s+time-?out|service\s+(?:temporarily\s+)?unavailable|not\s+found"
    r"|internal\s+server\s+error|forbidden|access\s+denied|too\s+many\s+requests|bad\s+request"
)
# An error page's title: `502 Bad Gateway`, `404`, `Not Found`, `Error 503`, `Server error`.
_JUNK_TITLE = re.compile(
    rf"(?:(?:error\s+)?[45][0-9]{{2}}\s*)?(?:{_HTTP_ERROR})?|(?:server\s+)?error(?:\s+[45][0-9]{{2}})?",
    re.IGNORECASE,
)
_COMPLETE_URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+")
_GLUED_SENTENCES = re.compile(r"[a-zа-яёәғқңөұүһі0-9][.!?][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]")
_ZERO_WIDTH_SPACE = re.compile(r"\u200b|\\u200b", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Words after which a date belongs to the sentence, so the line is body text, not a title.
_WORD_BEFORE_A_DATE_IN_TEXT = re.compile(
    r"on|from|since|until|till|by|of|to|dated|before|after|at|in|as"
    r"|с|со|от|до|по|на|к|в|после|дейін|бастап",
    re.IGNORECASE,
)
_CATEGORY = re.compile(
    r"technology|law|world|politics|science|business|economics|economy|culture|tourism"
    r"|news|society|sports?|health|education"
    r"|новости|политика|экономика|бизнес|наука|технологии|культура|туризм|право|мир"
    r"|общество|спорт|здоровье|образование"
    r"|жаңалықтар|саясат|ғылым|технология|мәдениет|құқық|әлем|қоғам|денсаулық|білім",
    re.IGNORECASE,
)
_NAVIGATION = re.compile(
    r"more|read\s+more|қосымша|толығырақ|подробнее|ещё|еще"
    r"|enbekshi\s+qazaq|еңбекші\s+(?:qazaq|қазақ)"
    r"|\S*\.(?:png|jpe?g|gif|webp|svg)\)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParseResult:
    """What a reader found in one file: releases, releases it could not use, and warnings.

    Warnings are one-line "file:line: what" messages about text that was not a release.
    """

    releases: list[RawRelease] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Drop zero-width spaces (real or escaped) and surrounding whitespace."""
    return _ZERO_WIDTH_SPACE.sub("", text).strip()


def split_lines(text: str) -> list[str]:
    """Split on \\r\\n, \\r or \\n only (not on U+2028 etc.), after a leading BOM."""
    return _LINE_BREAK.split(text.removeprefix("\ufeff"))


def parse_date(day: str, month: str, year: str) -> dt.date | None:
    """The date, or None when it does not exist (31.02.2025)."""
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def plausible_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates a release may carry: `EARLIEST_DATE` to a year after `today`."""
    today = today or dt.date.today()
    try:
        latest = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + 1, day=28)
    return EARLIEST_DATE, latest


def implausible(date: dt.date) -> str | None:
    """Why `date` cannot be a release's date, or None when it can."""
    earliest, latest = plausible_range()
    if earliest <= date <= latest:
        return None
    return (f"is outside the plausible range {earliest:%d.%m.%Y}–{latest:%d.%m.%Y} "
            "(from 2000 to a year after today)")


def parse_listing(text: str, file: str) -> ParseResult:
    """Parse listing text; `file` names it in locations and messages."""
    parser = _ListingParser(file, [clean_text(line) for line in split_lines(text)])
    parser.run()
    return parser.result


@dataclass
class _Draft:
    """A release being read: its title line so far and the body lines after it."""

    title: str
    date_text: str
    date: dt.date | None
    category: str | None
    line: int
    body: list[str] = field(default_factory=list)
    cut: bool = False  # its source address was cut by the end of the file (reported)
    whole_page: bool = False  # dated with a time: the page of this one release


@dataclass
class _Stray:
    """Consecutive text outside any release, reported once."""

    line: int
    first: str
    count: int = 0


class _ListingParser:
    """One pass over the cleaned lines of a listing, one release open at a time."""

    def __init__(self, file: str, lines: list[str]) -> None:
        self.file = file
        self.lines = lines
        self.result = ParseResult()
        self.category: str | None = None
        self.draft: _Draft | None = None
        self.stray: _Stray | None = None
        self.seen_release = False
        self.number_digits: list[int] = []  # of the whole gov.kz news numbers so far

    def run(self) -> None:
        index = 0
        after_blank = False
        while index < len(self.lines):
            line = self.lines[index]
            if line:
                index += self._take(index, after_blank)
            else:
                index += 1
            after_blank = not line
        self._close_draft(None)
        self._flush_stray()

    def _take(self, index: int, after_blank: bool) -> int:
        """Handle the non-blank line at `index`; return how many lines it used."""
        line = self.lines[index]
        title = self._title_at(index, after_blank)
        if title is not None:
            text, date, used = title
            self._start(text, date, index)
            return used
        source = _find_source(line)
        if source:
            url: str | None = source["url"]
            if index == len(self.lines) - 1 and not self._whole_at_the_end(source["url"]):
                if self.draft is not None:
                    self._cut_by_the_end(self.draft, source["url"])
                url = None
            self._take_source(line[: source.start()].strip(), url, index)
            return 1
        if (self.draft is None or after_blank) and self._take_header(line):
            return 1
        if self.draft is not None:
            self.draft.body.append(line)
        else:
            self._add_stray(line, index)
        return 1

    def _title_at(self, index: int, after_blank: bool) -> tuple[str, re.Match[str], int] | None:
        """The title, its date and the lines they take if a release starts at `index`."""
        line = self.lines[index]
        between = self.draft is None
        following = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        date_below = _DATE_LINE.fullmatch(following)
        two_lines = date_below and not _DATE_LINE.fullmatch(line) and not _find_source(line)
        if self.draft is not None and self.draft.whole_page:
            # The page of one release: every line up to its source is body, unless the
            # page was cut and the next one begins (a title over a date with a time).
            return (line, date_below, 2) if two_lines and date_below["time"] else None
        if two_lines and (between or (after_blank and _could_be_title(line))):
            return line, date_below, 2
        titled = _TITLE_AND_DATE.fullmatch(line)
        if titled and (between or self._could_start_here(titled["title"], following, after_blank)):
            return titled["title"], titled, 1
        date_alone = _DATE_LINE.fullmatch(line)
        if date_alone and between:
            return "", date_alone, 1
        return None

    def _could_start_here(self, title: str, following: str, after_blank: bool) -> bool:
        """Inside a release: whether a line ending with a date starts the next one.

        Right after body text, a dated line followed by a line holding only a source is
        taken as the last body line: the alternative needs two anomalies at once, a
        release without its source and the next one without a body.
        """
        if not _could_be_title(title):
            return False
        body_goes_on = self.draft is not None and bool(self.draft.body) and not after_blank
        source_below = _find_source(following)
        return not (body_goes_on and source_below and source_below.start() == 0)

    def _start(self, title: str, date: re.Match[str], index: int) -> None:
        self._close_draft(None)
        self._flush_stray()
        self.seen_release = True
        self.draft = _Draft(
            title=title,
            date_text=f"{date['day']}.{date['month']}.{date['year']}",
            date=parse_date(date["day"], date["month"], date["year"]),
            category=self.category,
            line=index + 1,
            whole_page=bool(date.re is _DATE_LINE and date["time"]),
        )

    def _take_source(self, body_end: str, url: str | None, index: int) -> None:
        if self.draft is None:
            self._skip_dateless(body_end, index)
            return
        if body_end:
            self.draft.body.append(body_end)
        self._close_draft(url)

    def _whole_at_the_end(self, url: str) -> bool:
        """Whether an address on the file's last line (no line break after it) is whole."""
        if not _GOV_KZ_ADDRESS.match(url) and not any(
            base.startswith(url) for base in ("https://www.gov.kz/", "http://www.gov.kz/")
        ):
            return True  # another site's address: nothing to tell a cut by
        whole = _WHOLE_GOV_KZ_RELEASE.fullmatch(url)
        if whole is None:
            return False
        digits = min(self.number_digits, default=NEWS_NUMBER_DIGITS)
        return bool(whole["lang"]) or len(whole["number"]) >= digits

    def _cut_by_the_end(self, draft: _Draft, url: str) -> None:
        """Report a source address cut by the end of the file; it counts as missing."""
        self._warn(draft.line, f"source URL cut off by the end of the file ({url!r}), "
                               "release kept without one")
        draft.cut = True

    def _take_header(self, line: str) -> bool:
        """Consume a category or navigation line; False if `line` is neither."""
        if _CATEGORY.fullmatch(line):
            self._flush_stray()
            self.category = line
            return True
        return bool(_NAVIGATION.fullmatch(line))

    def _close_draft(self, url: str | None) -> None:
        """Finish the open release; `url` is the text after its source label, if any."""
        draft, self.draft = self.draft, None
        if draft is None:
            return
        where = Location(self.file, draft.line)
        if draft.date is None:
            self.result.skipped.append(
                Skipped(where, f"invalid date {draft.date_text} in the title line")
            )
            return
        if problem := implausible(draft.date):
            self.result.skipped.append(
                Skipped(where, f"date {draft.date_text} in the title line {problem}")
            )
            return
        if url is None and draft.body:
            last = _LABEL_AT_A_CUT.sub("", draft.body[-1]).rstrip()
            draft.body[-1:] = [last] if last else []
        if not draft.body and (junk := _junk_title(draft.title)):
            self.result.skipped.append(Skipped(where, f"not a release: {junk} and no body"))
            return
        source_url = url if draft.cut else self._source_url(url, where)
        release = RawRelease(
            title=draft.title,
            body="\n".join(draft.body),
            date=draft.date,
            source_url=source_url,
            category=draft.category,
            where=where,
            incomplete=source_url is None,
        )
        self.result.releases.append(release)

    def _source_url(self, url: str | None, where: Location) -> str | None:
        if url is None:
            self._warn(where.line, "release has no source (cut off before a source line)")
            return None
        if _COMPLETE_URL.match(url):
            if whole := _WHOLE_GOV_KZ_RELEASE.fullmatch(url):
                self.number_digits.append(len(whole["number"]))
            return url
        self._warn(where.line, f"source URL cut off ({url!r}), release kept without one")
        return None

    def _skip_dateless(self, body_end: str, index: int) -> None:
        """A source line outside a release ends stray text: a release without a date."""
        stray, self.stray = self.stray, None
        if stray is None and not body_end:
            self._warn(index + 1, "source line outside any release, ignored")
            return
        line = stray.line if stray else index + 1
        self.result.skipped.append(
            Skipped(
                Location(self.file, line),
                "release without a date (no title line ending with DD.MM.YYYY)",
            )
        )

    def _add_stray(self, line: str, index: int) -> None:
        if self.stray is None:
            self.stray = _Stray(index + 1, line)
        self.stray.count += 1

    def _flush_stray(self) -> None:
        stray, self.stray = self.stray, None
        if stray is None:
            return
        where = "outside any release" if self.seen_release else "before the first release"
        lines = "1 line" if stray.count == 1 else f"{stray.count} lines"
        self._warn(stray.line, f"{lines} of text {where}, ignored: {_snippet(stray.first)}")

    def _warn(self, line: int, message: str) -> None:
        self.result.warnings.append(f"{self.file}:{line}: {message}")


def _find_source(line: str) -> re.Match[str] | None:
    """The source label ending `line`, if only a URL, part of one or nothing follows it."""
    found = _SOURCE.search(line, max(0, len(line) - _SOURCE_TAIL_CHARS))
    if found is None:
        return None
    url = found["url"]
    if _URL_START.fullmatch(url) or "https://".startswith(url) or "http://".startswith(url):
        return found
    return None


def _could_be_title(text: str) -> bool:
    """Whether text before a date, inside a release, may be a new title rather than body."""
    if len(text) > MAX_TITLE_CHARS or _GLUED_SENTENCES.search(text) or text.endswith((":", ",")):
        return False
    return not _WORD_BEFORE_A_DATE_IN_TEXT.fullmatch(text.rsplit(maxsplit=1)[-1])


def _junk_title(title: str) -> str | None:
    """What makes a title junk (only punctuation, an error page's), or None."""
    if not any(char.isalnum() for char in title):
        return f"the title {title!r} is only punctuation" if title else "no title"
    if _JUNK_TITLE.fullmatch(title):
        return f"the title {title!r} is an error page's"
    return None


def _snippet(text: str) -> str:
    return repr(text if len(text) <= _SNIPPET_CHARS else text[:_SNIPPET_CHARS] + "…")
