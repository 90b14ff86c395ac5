"""The interface catalogs: every message the code and templates use is translated in every
interface language, with the same placeholders, and the compiled `.mo` files that run are
those of the `.po` files (a stale `.mo` would show yesterday's text)."""

from __future__ import annotations

import io
import json
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from search.request import PROBLEMS
from webui.cli import main
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


# -- the interface in each language, on the bundled corpus ------------------------------

HOUSING_ID = "economy-956947-ru"
PAGES = ("/", "/search?q=Almaty&per_page=5", f"/doc/{HOUSING_ID}", "/agencies",
         "/search?q=qqqqzzzz&lang=en", "/search?lang=xx", "/doc/no-such-release")


def _shown(html: str) -> str:
    """The text a reader sees, attributes included (titles, labels, placeholders)."""
    attributes = " ".join(re.findall(r'(?:title|aria-label|placeholder|content)="([^"]*)"', html))
    return " ".join(re.sub(r"<[^>]*>", " ", html).split()) + " " + attributes


def test_every_page_reads_in_kazakh(client: FlaskClient) -> None:
    home = client.get("/?ui=kk").get_data(as_text=True)
    assert '<html lang="kk">' in home
    shown = _shown(home)
    for phrase in ("Қазақстан мемлекеттік органдарының баспасөз релиздері бойынша іздеу",
                   "Іздеу", "Мекеме", "Алматы қаласының әкімдігі 10", "Ағылшын тілі 17",
                   "Орыс тілі 3", "2025 ж. наурыз 20", "Жаңа баспасөз релиздері", "20 релиз",
                   "CSV жүктеп алу", "Күндер бойынша релиздер"):
        assert phrase in shown, phrase
    release = _shown(client.get(f"/doc/{HOUSING_ID}?ui=kk").get_data(as_text=True))
    for phrase in ("Жарияланған күні", "2025 ж. 14 наурыз", "ҚР Ұлттық экономика министрлігі",
                   "Орыс тілі", "Түпнұсқасын gov.kz сайтында ашу", "Ұқсас релиздер"):
        assert phrase in release, phrase
    agencies = _shown(client.get("/agencies?ui=kk&order=name").get_data(as_text=True))
    assert "3 мекеме, 20 релиз" in agencies and "Соңғы релиз" in agencies
    bad = client.get("/search?from=2025-02-31&ui=kk")
    assert bad.status_code == 400
    assert "«from» параметрі қате" in _shown(bad.get_data(as_text=True))
    assert "мұндай күн жоқ: 2025-02-31" in _shown(bad.get_data(as_text=True))
    missing = client.get("/doc/no-such-release?ui=kk")
    assert missing.status_code == 404 and "Бет табылмады" in missing.get_data(as_text=True)
    posted = client.post("/search?ui=kk")
    assert posted.status_code == 405 and "GET сұрауы" in posted.get_data(as_text=True)
    long = client.get(f"/search?ui=kk&q={'а' * 5000}")
    assert long.status_code == 414
    assert "Мекенжай тым ұзын" in long.get_data(as_text=True)
    assert "8\xa0192 байттан ұзын" in long.get_data(as_text=True)


def test_feeds_downloads_and_opensearch_speak_kazakh(client: FlaskClient) -> None:
    feed = client.get("/feed?agency=economy&from=2025-03-01&to=2025-03-31&ui=kk")
    assert "<title>govpress: ҚР Ұлттық экономика министрлігі · 2025\u202fж. наурыз</title>" \
        in feed.get_data(as_text=True)
    assert 'xml:lang="kk"' in feed.get_data(as_text=True)
    csv = client.get("/search.csv?agency=economy&ui=kk").get_data(as_text=True)
    assert ",economy,ҚР Ұлттық экономика министрлігі," in csv
    opensearch = client.get("/opensearch.xml?ui=kk").get_data(as_text=True)
    assert "<Language>kk</Language>" in opensearch
    assert "баспасөз релиздері бойынша іздеу" in opensearch


@pytest.mark.parametrize("ui", UI_LANGUAGES)
def test_no_page_shows_a_bare_message_id(client: FlaskClient, ui: str) -> None:
    ids = {_key(m.id) for m in _po("en") if m.id and "_" in _key(m.id)}
    for path in PAGES:
        separator = "&" if "?" in path else "?"
        shown = set(re.findall(r"[a-z]+(?:_[a-z]+)+", _shown(
            client.get(f"{path}{separator}ui={ui}").get_data(as_text=True))))
        assert not shown & ids, (ui, path, shown & ids)


def test_the_interface_language_never_changes_results(client: FlaskClient) -> None:
    answers = {}
    for ui in UI_LANGUAGES:
        body = client.get(f"/api/search?q=Almaty+OR+жилье&per_page=50&ui={ui}").get_json()
        answers[ui] = (
            body["total"], [(hit["id"], hit["score"]) for hit in body["hits"]],
            {name: [(v["value"], v["count"]) for v in values]
             for name, values in body["facets"].items()},
        )
    assert answers["kk"] == answers["ru"] == answers["en"]
    assert answers["ru"][0] > 10


def test_russian_stays_the_default_interface(client: FlaskClient) -> None:
    assert '<html lang="ru">' in client.get("/").get_data(as_text=True)
    wrong = client.get("/api/search?ui=de").get_json()
    assert wrong["error"]["parameter"] == "ui"
    assert "kk, ru, en" in wrong["error"]["message"]


def test_command_line_export_in_kazakh(
    capsys: pytest.CaptureFixture[str], corpus_index: Path
) -> None:
    code = main(["export", "--agency", "economy", "--format", "jsonl", "--ui", "kk",
                 "--index-dir", str(corpus_index)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    names = {json.loads(line)["agency_name"] for line in out.splitlines()}
    assert names == {"ҚР Ұлттық экономика министрлігі"}


def test_every_parameter_problem_is_explained_in_every_language() -> None:
    """`search.request.PROBLEMS` grows with the search layer; each needs its messages."""
    for lang in CATALOG_LANGUAGES:
        messages = {_key(m.id) for m in _po(lang) if m.id}
        assert {f"problem_{problem}" for problem in PROBLEMS} <= messages, lang
