"""Interface text in Russian (the default) and English.

The `ui` URL parameter picks the language of labels only; it never changes results, so
everything a page says outside the releases themselves comes from this one table.
"""

from __future__ import annotations

import datetime as dt

from search.request import BadParameter

UI_LANGUAGES = ("ru", "en")
DEFAULT_UI = "ru"

STRINGS: dict[str, dict[str, str]] = {
    "site_tagline": {
        "ru": "поиск по пресс-релизам госорганов Казахстана",
        "en": "search press releases of Kazakhstan's government agencies",
    },
    "home_title": {
        "ru": "govpress — поиск по пресс-релизам госорганов Казахстана",
        "en": "govpress — search press releases of Kazakhstan's government agencies",
    },
    "search_title": {"ru": "{q} — поиск govpress", "en": "{q} — govpress search"},
    "browse_title": {"ru": "Пресс-релизы — govpress", "en": "Press releases — govpress"},
    "doc_title": {"ru": "{title} — govpress", "en": "{title} — govpress"},
    "error_title": {"ru": "Ошибка — govpress", "en": "Error — govpress"},
    "switch_ui": {"ru": "English", "en": "Русский"},
    "switch_ui_hint": {"ru": "Switch the interface to English", "en": "Интерфейс на русском"},
    "query_label": {"ru": "Что искать", "en": "Search for"},
    "query_placeholder": {
        "ru": "Например: жилье, инвестиции, экология",
        "en": "For example: housing, investment, ecology",
    },
    "search_button": {"ru": "Найти", "en": "Search"},
    "apply_button": {"ru": "Применить", "en": "Apply"},
    "date_from": {"ru": "С даты", "en": "From"},
    "date_to": {"ru": "По дату", "en": "To"},
    "sort": {"ru": "Сортировка", "en": "Sort by"},
    "sort_relevance": {"ru": "по релевантности", "en": "relevance"},
    "sort_newest": {"ru": "сначала новые", "en": "newest first"},
    "sort_oldest": {"ru": "сначала старые", "en": "oldest first"},
    "per_page": {"ru": "На странице", "en": "Per page"},
    "facet_agency": {"ru": "Ведомство", "en": "Agency"},
    "facet_lang": {"ru": "Язык", "en": "Language"},
    "facet_month": {"ru": "Месяц", "en": "Month"},
    "facet_more": {"ru": "Ещё {n}", "en": "{n} more"},
    "facet_add": {"ru": "Добавить фильтр: {label}", "en": "Add filter: {label}"},
    "facet_remove": {"ru": "Убрать фильтр: {label}", "en": "Remove filter: {label}"},
    "filters": {"ru": "Фильтры", "en": "Filters"},
    "active_filters": {"ru": "Выбрано", "en": "Filtered by"},
    "clear_filters": {"ru": "Сбросить все", "en": "Clear all"},
    "date_range": {"ru": "{start} — {end}", "en": "{start} – {end}"},
    "date_since": {"ru": "с {date}", "en": "from {date}"},
    "date_until": {"ru": "по {date}", "en": "until {date}"},
    "newest_heading": {"ru": "Новые пресс-релизы", "en": "Latest press releases"},
    "results_range": {"ru": "показаны {first}–{last}", "en": "showing {first}–{last}"},
    "did_you_mean": {"ru": "Возможно, вы имели в виду", "en": "Did you mean"},
    "no_results": {"ru": "Ничего не найдено", "en": "No releases found"},
    "no_results_for": {
        "ru": "По запросу «{q}» ничего не найдено.",
        "en": "Nothing matches “{q}”.",
    },
    "no_results_filters": {
        "ru": "С выбранными фильтрами ничего не найдено.",
        "en": "Nothing matches the selected filters.",
    },
    "try_spelling": {
        "ru": "Проверьте написание или попробуйте другие, более общие слова.",
        "en": "Check the spelling or try other, more general words.",
    },
    "try_relax": {"ru": "Попробуйте убрать фильтр:", "en": "Try removing a filter:"},
    "try_without_filters": {"ru": "Искать без фильтров", "en": "Search without filters"},
    "page_empty": {
        "ru": "На этой странице результатов нет.",
        "en": "There are no results on this page.",
    },
    "first_page": {"ru": "К первой странице", "en": "Go to the first page"},
    "filters_link": {"ru": "Фильтры", "en": "Filters"},
    "pagination": {"ru": "Страницы", "en": "Pages"},
    "prev": {"ru": "← Назад", "en": "← Previous"},
    "next": {"ru": "Вперёд →", "en": "Next →"},
    "page_n": {"ru": "Страница {n}", "en": "Page {n}"},
    "back_to_search": {"ru": "← К поиску", "en": "← Back to search"},
    "published": {"ru": "Опубликовано", "en": "Published"},
    "agency": {"ru": "Ведомство", "en": "Agency"},
    "language": {"ru": "Язык", "en": "Language"},
    "category": {"ru": "Рубрика", "en": "Category"},
    "source": {"ru": "Источник", "en": "Source"},
    "source_link": {"ru": "Открыть оригинал на gov.kz", "en": "Open the original on gov.kz"},
    "source_link_other": {"ru": "Открыть оригинал", "en": "Open the original"},
    "no_source": {"ru": "Адрес источника неизвестен", "en": "The source address is unknown"},
    "other_links": {"ru": "Ссылки из текста", "en": "Links in the text"},
    "empty_body": {
        "ru": "Текст релиза в источнике пуст — откройте оригинал.",
        "en": "The source has no text for this release — open the original.",
    },
    "similar": {"ru": "Похожие релизы", "en": "Similar releases"},
    "more_from_agency": {"ru": "Все релизы ведомства", "en": "All releases of this agency"},
    "error_bad_parameter": {"ru": "Неверный параметр «{name}»", "en": "Bad parameter “{name}”"},
    "error_not_found": {"ru": "Страница не найдена", "en": "Page not found"},
    "error_not_found_text": {
        "ru": "Такого пресс-релиза или страницы нет. Возможно, ссылка устарела.",
        "en": "There is no such release or page. The link may be out of date.",
    },
    "error_method": {"ru": "Метод не поддерживается", "en": "Method not allowed"},
    "error_unavailable": {
        "ru": "Поиск временно недоступен",
        "en": "Search is temporarily unavailable",
    },
    "error_unavailable_text": {
        "ru": "Индекс пресс-релизов сейчас недоступен. Попробуйте позже.",
        "en": "The release index cannot be opened right now. Please try again later.",
    },
    "error_http": {"ru": "Ошибка {code}", "en": "Error {code}"},
    # Hostile requests (issue 14): a bad Host header, searches stopped or refused for cost
    "error_bad_host": {"ru": "Неверный заголовок Host", "en": "Bad Host header"},
    "error_bad_host_text": {
        "ru": "Заголовок Host запроса не является именем сайта или адресом с портом.",
        "en": "The request's Host header is not a host name or address with a port.",
    },
    "partial_stopped": {
        "ru": "Поиск остановлен через {seconds} с: показаны не все подходящие релизы. "
              "Уточните запрос: меньше фраз и префиксов, более редкие слова.",
        "en": "The search was stopped after {seconds} s: not every matching release is shown. "
              "Narrow the query: fewer phrases and prefixes, rarer words.",
    },
    "partial_prefix": {
        "ru": "«{prefix}» подходит к {terms} словам индекса; искались {searched} самых частых.",
        "en": "“{prefix}” matches {terms} words of the index; its {searched} most frequent "
              "were searched.",
    },
    "error_too_long": {"ru": "Запрос слишком долгий для выгрузки",
                       "en": "This search takes too long to export"},
    "error_too_long_text": {
        "ru": "Поиск не уложился во время и нашёл бы не все релизы, поэтому файл не выдан. "
              "Уточните запрос (меньше фраз и префиксов, более редкие слова) или выгрузите его "
              "командой govpress export, у которой нет ограничения по времени.",
        "en": "The search ran out of time and would miss releases, so no file was made. "
              "Narrow the query (fewer phrases and prefixes, rarer words), or export it with "
              "govpress export, which has no time limit.",
    },
    "error_busy": {"ru": "Сервер занят сложными запросами", "en": "Busy with long searches"},
    "error_busy_text": {
        "ru": "Сейчас выполняется слишком много сложных запросов (с фразами, префиксами, "
              "многими словами). Повторите через несколько секунд.",
        "en": "Too many long searches (with phrases, prefixes, many words) are running right "
              "now. Please try again in a few seconds.",
    },
    "go_home": {"ru": "На главную", "en": "Go to the start page"},
    "footer": {
        "ru": "govpress — открытый поиск по пресс-релизам с gov.kz",
        "en": "govpress — open search over press releases from gov.kz",
    },
    "api_link": {"ru": "Эти результаты в JSON", "en": "These results as JSON"},
    # Tools for researchers: exports, feeds, timeline, agencies, OpenSearch
    "nav_agencies": {"ru": "Ведомства", "en": "Agencies"},
    "export_csv": {"ru": "Скачать CSV", "en": "Download CSV"},
    "export_csv_hint": {
        "ru": "Все найденные релизы (до {limit}) таблицей CSV для Excel",
        "en": "Every matching release (up to {limit}) as a CSV spreadsheet",
    },
    "feed_link": {"ru": "Подписаться (Atom)", "en": "Subscribe (Atom)"},
    "feed_hint": {
        "ru": "Новые релизы по этому поиску — лентой Atom для RSS-читалки",
        "en": "New releases for this search as an Atom feed for your feed reader",
    },
    "feed_title": {"ru": "govpress: {search}", "en": "govpress: {search}"},
    "search_quoted": {"ru": "«{q}»", "en": "“{q}”"},
    "search_everything": {"ru": "все пресс-релизы", "en": "all press releases"},
    "timeline_day": {"ru": "Релизы по дням", "en": "Releases per day"},
    "timeline_month": {"ru": "Релизы по месяцам", "en": "Releases per month"},
    # Corpus input (issues 12, 14): a cut-off release, a timeline over decades
    "timeline_year": {"ru": "Релизы по годам", "en": "Releases per year"},
    "incomplete_notice": {
        "ru": "Этот релиз найден только в обрезанной копии: текст может быть неполным, "
              "а ссылки на источник нет.",
        "en": "Only a cut-off copy of this release was found: its text may end early, and "
              "it has no source address.",
    },
    "timeline_peak": {"ru": "максимум {n}", "en": "max {n}"},
    "timeline_aria": {
        "ru": "{caption}, {start} — {end}: больше всего {peak} ({period})",
        "en": "{caption}, {start} – {end}: most in {period} ({peak})",
    },
    "timeline_bar": {"ru": "{period}: {count}", "en": "{period}: {count}"},
    "agencies_title": {"ru": "Ведомства — govpress", "en": "Agencies — govpress"},
    "agencies_heading": {"ru": "Ведомства", "en": "Agencies"},
    "agencies_summary": {"ru": "{agencies}, {releases}", "en": "{agencies}, {releases}"},
    "agencies_empty": {"ru": "В индексе пока нет релизов.", "en": "The index has no releases yet."},
    "col_releases": {"ru": "Всего", "en": "Total"},
    "col_latest": {"ru": "Последний релиз", "en": "Latest release"},
    "order_label": {"ru": "Сортировка", "en": "Sort"},
    "order_count": {"ru": "по числу релизов", "en": "by releases"},
    "order_name": {"ru": "по названию", "en": "by name"},
    "order_latest": {"ru": "по последнему релизу", "en": "by latest release"},
    "agency_lang_hint": {"ru": "{agency}: релизы на языке «{lang}»",
                         "en": "{agency}: releases in {lang}"},
    "opensearch_description": {
        "ru": "Поиск по пресс-релизам госорганов Казахстана",
        "en": "Search press releases of Kazakhstan's government agencies",
    },
    # -- issue 12 (webux): the first hour of a new user ---------------------------------
    "skip_to_results": {"ru": "Перейти к результатам", "en": "Skip to results"},
    "skip_to_content": {"ru": "Перейти к содержанию", "en": "Skip to content"},
    "browse_filtered_title": {
        "ru": "Пресс-релизы: {filters} — govpress",
        "en": "Press releases: {filters} — govpress",
    },
    "parameters_ignored": {
        "ru": "Отмеченные значения не учтены в этом поиске.",
        "en": "The values marked above were left out of this search.",
    },
    "unknown_agency": {
        "ru": "Ведомства «{value}» в индексе нет.",
        "en": "No agency “{value}” is indexed.",
    },
    "all_agencies": {"ru": "Все ведомства в индексе", "en": "Every agency in the index"},
    "filtered_out": {
        "ru": "Выбранные фильтры исключают все релизы по запросу «{q}»: без них найдено {count}.",
        "en": "The selected filters exclude every release that matches “{q}”: without them "
              "it matches {count}.",
    },
    "export_csv_body": {"ru": "CSV с текстами", "en": "CSV with text"},
    "export_csv_body_hint": {
        "ru": "То же, что CSV, и полный текст каждого релиза (до {limit})",
        "en": "The same CSV with the full text of each release (up to {limit})",
    },
    "marks_note": {
        "ru": "Выделены слова запроса «{q}»",
        "en": "Words of the search “{q}” are marked",
    },
    "marks_off": {"ru": "Убрать выделение", "en": "Remove the marks"},
}

# Month names in the genitive, as a Russian date reads ("14 марта 2025").
_MONTHS = {
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "en": "January February March April May June July August September October November December",
}

_RELEASE_FORMS = {"ru": ("релиз", "релиза", "релизов"), "en": ("release", "releases")}
_AGENCY_FORMS = {"ru": ("ведомство", "ведомства", "ведомств"), "en": ("agency", "agencies")}


PROBLEMS_RU = {
    "repeated": "укажите его один раз",
    "choice": "допустимые значения: {choices}",
    "dates_reversed": "начальная дата («С даты») позже конечной («По дату»)",
    "agency_slug": "это не код ведомства: {value!r}",
    "too_many_agencies": "не больше {limit} ведомств сразу",
    "date_format": "нужна дата в виде ГГГГ-ММ-ДД, а указано {value!r}",
    "no_such_date": "такой даты нет: {value}",
    "number": "нужно целое число от {low} до {high}",
    "unknown_agency": "ведомства {value!r} нет в индексе; ближайшие: {closest}",
    "unknown_agency_far": "ведомства {value!r} нет в индексе",
    "too_many_phrases": "не больше {limit} фраз в одном запросе, а в этом {count}",
    "too_many_prefixes": "не больше {limit} префиксов (слово*) в одном запросе, а в этом {count}",
    "too_many_words": "не больше {limit} разных слов в одном запросе, а в этом {count}",
    "too_many_expansions": "префиксы (слово*) этого запроса ищут {count} слов индекса, а можно "
                           "не больше {limit}: удлините их или уберите часть",
}
"""`search.request.PROBLEMS` in Russian."""


def problem_text(error: BadParameter, ui: str) -> str:
    """What is wrong with a parameter, in the interface language."""
    if ui == "ru":
        return PROBLEMS_RU[error.problem].format(**error.details)
    return error.message


def text(key: str, ui: str, **values: object) -> str:
    """The interface string `key` in language `ui`, with `{placeholders}` filled in."""
    template = STRINGS[key].get(ui) or STRINGS[key][DEFAULT_UI]
    return template.format(**values) if values else template


def format_date(date: dt.date, ui: str) -> str:
    """A date as people write it in that language: "14 марта 2025", "14 March 2025"."""
    month = _MONTHS.get(ui, _MONTHS[DEFAULT_UI]).split()[date.month - 1]
    return f"{date.day} {month} {date.year}"


def format_number(number: int, ui: str) -> str:
    """"10 000" (thin space) in Russian, "10,000" in English."""
    return f"{number:,}".replace(",", "\u202f" if ui == "ru" else ",")


def count_releases(count: int, ui: str) -> str:
    """"17 релизов", "1 релиз", "3 релиза" / "1 release", "17 releases"."""
    return _count(count, ui, _RELEASE_FORMS)


def count_agencies(count: int, ui: str) -> str:
    """"21 ведомство", "3 ведомства" / "1 agency", "3 agencies"."""
    return _count(count, ui, _AGENCY_FORMS)


def _count(count: int, ui: str, forms: dict[str, tuple[str, ...]]) -> str:
    if ui == "en":
        one, many = forms["en"]
        return f"{count} {one if count == 1 else many}"
    one, few, many = forms["ru"]
    if count % 10 == 1 and count % 100 != 11:
        form = one
    elif 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        form = few
    else:
        form = many
    return f"{count} {form}"
