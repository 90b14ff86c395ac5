"""The interface catalogs: every message the code and templates use is translated in every
interface language, with the same placeholders, and the compiled `.mo` files that run are
those of the `.po` files (a stale `.mo` would show yesterday's text)."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from webui.i18n import DOMAIN, TRANSLATIONS_DIR, UI_LANGUAGES, text

ROOT = Path(__file__).resolve().parent.parent
CATALOG_LANGUAGES = sorted(p.name for p in TRANSLATIONS_DIR.iterdir() if p.is_dir())
KEYWORDS = {**DEFAULT_KEYWORDS, "text": None, "t": None, "N_": None}  # as the README says


def _po(lang: str) -> Catalog:
    with open(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as file:
        return read_po(file, locale=lang)


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _extracted() -> set[str]:
    """What `pybabel extract -F babel.cfg -k text -k t -k N_` finds in the code now."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)
    return {_key(message[2]) for message in found if _key(message[2])}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_interface_language_has_a_catalog() -> None:
    assert set(UI_LANGUAGES) <= set(CATALOG_LANGUAGES)


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_every_message_is_translated_and_none_is_left_over(lang: str) -> None:
    used = _extracted()
    catalog = _po(lang)
    messages = {_key(m.id): m for m in catalog if m.id}
    assert used - messages.keys() == set(), f"{lang}: messages without a translation"
    assert messages.keys() - used == set(), f"{lang}: messages no code uses"
    for key, message in messages.items():
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(form.strip() for form in forms), f"{lang}: {key} is empty"
        assert not message.fuzzy, f"{lang}: {key} is fuzzy"
        assert len(forms) == (catalog.num_plurals if message.pluralizable else 1), key


@pytest.mark.parametrize("lang", [lang for lang in CATALOG_LANGUAGES if lang != "en"])
def test_translations_fill_in_the_same_placeholders_as_english(lang: str) -> None:
    english = {_key(m.id): m.string for m in _po("en") if m.id}
    for message in _po(lang):
        if not message.id:
            continue
        theirs = message.string if isinstance(message.string, tuple) else (message.string,)
        ours = english[_key(message.id)]
        ours = ours if isinstance(ours, tuple) else (ours,)
        wanted = set().union(*map(_placeholders, ours))
        for form in theirs:
            assert _placeholders(form) == wanted, (lang, message.id, form)


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_the_compiled_catalog_is_that_of_the_po_file(lang: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _po(lang))
    shipped = (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").read_bytes()
    assert shipped == compiled.getvalue(), (
        f"{lang}: messages.mo is stale; run `pybabel compile -d webui/translations`")


def test_the_template_lists_what_the_code_uses() -> None:
    with open(TRANSLATIONS_DIR / f"{DOMAIN}.pot", "rb") as file:
        template = {_key(m.id) for m in read_po(file) if m.id}
    assert template == _extracted()


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_a_message_reads_in_its_language(lang: str) -> None:
    button = text("search_button", lang)
    assert button and button != "search_button"
    assert re.search(r"\d", text("page_n", lang, n=3))
