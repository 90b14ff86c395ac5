"""Interface text in Kazakh, Russian (the default) and English, from gettext catalogs.

The `ui` URL parameter picks the language of labels only; it never changes results.
Everything a page says outside the releases themselves is a message of
`webui/translations/<ui>/LC_MESSAGES/messages.po`, named by a symbolic id
(`text("search_button", ui)`, `t('search_button')` in templates), so a translator adds
a language by adding a catalog, without touching Python (README, "Translating the
interface"). The compiled `.mo` files next to them are what runs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from search.labels import format_date, format_number
from search.request import BadParameter

__all__ = ["DEFAULT_UI", "UI_LANGUAGES", "UI_NAMES", "count_agencies", "count_releases",
           "format_date", "format_number", "problem_text", "text"]

UI_LANGUAGES = ("kk", "ru", "en")  # in the order the language switch offers them
DEFAULT_UI = "ru"
# Each language's own name, as the language switch offers it.
UI_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"


def N_(key: str) -> str:
    """Marks a message id that code composes at run time (`f"sort_{sort}"`), so that
    extraction still lists it; returns it unchanged."""
    return key


# Message ids composed at run time (`text(f"facet_{name}", ui)`, `t('sort_' ~ sort)`).
COMPOSED = (
    N_("facet_agency"), N_("facet_lang"), N_("facet_month"),
    N_("sort_relevance"), N_("sort_newest"), N_("sort_oldest"),
    N_("timeline_day"), N_("timeline_month"), N_("timeline_year"),
    N_("order_count"), N_("order_name"), N_("order_latest"),
    N_("problem_repeated"), N_("problem_choice"), N_("problem_dates_reversed"),
    N_("problem_agency_slug"), N_("problem_too_many_agencies"), N_("problem_date_format"),
    N_("problem_no_such_date"), N_("problem_number"), N_("problem_too_many_phrases"),
    N_("problem_too_many_prefixes"), N_("problem_too_many_words"),
    N_("problem_too_many_expansions"), N_("problem_unknown_agency"),
    N_("problem_unknown_agency_far"),
)


@cache
def catalog(ui: str) -> NullTranslations:
    """The compiled catalog of one interface language (read once per process)."""
    return Translations.load(str(TRANSLATIONS_DIR), [ui], domain=DOMAIN)


def text(key: str, ui: str, **values: object) -> str:
    """The interface message `key` in language `ui`, with `{placeholders}` filled in.

    A message a catalog lacks falls back to the default language (the tests make sure
    none does), so a page never shows a bare id."""
    template = catalog(ui).gettext(key)
    if template == key and ui != DEFAULT_UI:
        template = catalog(DEFAULT_UI).gettext(key)
    return template.format(**values) if values else template


def problem_text(error: BadParameter, ui: str) -> str:
    """What is wrong with a parameter, in the interface language (the search layer's
    English if a catalog lacks the problem: never a bare message id)."""
    key = f"problem_{error.problem}"
    if catalog(ui).gettext(key) == key:
        return error.message
    return text(key, ui, **error.details)


def count_releases(count: int, ui: str) -> str:
    """"17 релизов", "1 релиз", "3 релиза" / "1 release", "17 releases"."""
    template = catalog(ui).ngettext("count_releases", "count_releases_plural", count)
    return template.format(n=format_number(count, ui))


def count_agencies(count: int, ui: str) -> str:
    """"21 ведомство", "3 ведомства" / "1 agency", "3 agencies"."""
    template = catalog(ui).ngettext("count_agencies", "count_agencies_plural", count)
    return template.format(n=format_number(count, ui))
