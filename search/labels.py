"""How dates, months, numbers and language names read in an interface language.

All of it comes from CLDR through Babel (`babel.dates.format_date` and the locale's own
names), so a new interface language brings its month names and date order with it:
"14 марта 2025 г.", "14 March 2025", "2025 ж. 14 наурыз".
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal

# The CLDR locale of each interface language: English dates are written day first, as
# Kazakhstan's English-language releases write them ("14 March 2025").
LOCALES = {"ru": "ru", "en": "en_GB", "kk": "kk"}
DEFAULT_LOCALE = "ru"


@cache
def _locale(ui: str) -> Locale:
    return Locale.parse(LOCALES.get(ui, DEFAULT_LOCALE))


def format_date(date: dt.date, ui: str) -> str:
    """A date as that language writes it in full (CLDR's long format)."""
    return babel_format_date(date, "long", locale=_locale(ui))


def format_month(year: int, month: int, ui: str) -> str:
    """A month of a year: "март 2025 г.", "March 2025", "2025 ж. наурыз"."""
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=_locale(ui))


def format_number(number: int, ui: str) -> str:
    """"10 000" (no-break space) in Russian and Kazakh, "10,000" in English."""
    return format_decimal(number, locale=_locale(ui))


def language_name(lang: str, ui: str) -> str:
    """A release language named in the interface language: "Казахский", "Қазақ тілі"."""
    name = _locale(ui).languages.get(lang)
    return name[:1].upper() + name[1:] if name else lang
