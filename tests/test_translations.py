"""One gov.kz news item in several languages: its versions are linked, on the release page,
on results and in the API, and a version indexed later is linked from the earlier ones
without indexing them again.

The listings are written here: news 958001 of the Ministry of National Economy in
Russian, English and Kazakh, another economy release about the same subject, and a
release with no source address at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.indexing import index_paths
from webui import create_app

NEWS = "https://www.gov.kz/memleket/entities/economy/press/news/details/958001"
RU = (
    "Министр Жаксылыков обсудил тарифы на воду с акиматами 14.03.2025\n"
    "Министр национальной экономики Жаксылыков провел совещание о тарифах на воду и "
    "водоснабжении сел; акиматам поручено обновить тарифы.\n"
    f"Источник : {NEWS}?lang=ru\n"
)
EN = (
    "Minister Zhaksylykov discusses water tariffs with akimats 14.03.2025\n"
    "The Minister of National Economy Zhaksylykov held a meeting on water tariffs and "
    "rural water supply; akimats are to update the tariffs.\n"
    f"Source : {NEWS}?lang=en\n"
)
KK = (
    "Министр Жақсылықов әкімдіктермен су тарифтерін талқылады 14.03.2025\n"
    "Ұлттық экономика министрі Жақсылықов су тарифтері мен ауылдарды сумен қамту "
    "жөнінде кеңес өткізді; әкімдіктерге тарифтерді жаңарту тапсырылды.\n"
    f"Ақпарат көзі : {NEWS}?lang=kk\n"
)
OTHER = (
    "Тарифы на воду для сел пересмотрят в апреле 20.03.2025\n"
    "Министр Жаксылыков сообщил, что тарифы на воду и водоснабжение сел пересмотрят; "
    "акиматы готовят расчеты тарифов на воду.\n"
    "Источник : https://www.gov.kz/memleket/entities/economy/press/news/details/958777?lang=ru\n"
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "first.txt").write_text(RU + "\n" + OTHER, encoding="utf-8")
    return folder


@pytest.fixture
def index_dir(tmp_path: Path, corpus: Path) -> Path:
    index_dir = tmp_path / "index"
    index_paths([corpus], index_dir)
    return index_dir


def _add_translations(corpus: Path, index_dir: Path) -> None:
    (corpus / "later.txt").write_text(EN + "\n" + KK, encoding="utf-8")
    summary = index_paths([corpus], index_dir)
    assert sum(summary.added.values()) == 2
    assert sum(summary.updated.values()) == 0  # the Russian version is not indexed again


def test_a_translation_indexed_later_is_linked_from_the_earlier_version(
    corpus: Path, index_dir: Path
) -> None:
    client = create_app(index_dir).test_client()
    alone = client.get("/api/doc/economy-958001-ru").get_json()
    assert alone["translations"] == []

    _add_translations(corpus, index_dir)
    client = create_app(index_dir).test_client()
    body = client.get("/api/doc/economy-958001-ru").get_json()
    assert body["translations"] == [
        {"id": "economy-958001-en", "lang": "en",
         "title": "Minister Zhaksylykov discusses water tariffs with akimats",
         "url": f"{NEWS}?lang=en"},
        {"id": "economy-958001-kk", "lang": "kk",
         "title": "Министр Жақсылықов әкімдіктермен су тарифтерін талқылады",
         "url": f"{NEWS}?lang=kk"},
    ]
    back = client.get("/api/doc/economy-958001-kk").get_json()
    assert [t["id"] for t in back["translations"]] == ["economy-958001-ru", "economy-958001-en"]
    other = client.get("/api/doc/economy-958777-ru").get_json()
    assert other["translations"] == []


def test_the_release_page_links_to_its_other_versions_and_back(
    corpus: Path, index_dir: Path
) -> None:
    _add_translations(corpus, index_dir)
    client = create_app(index_dir).test_client()
    html = client.get("/doc/economy-958001-ru?ui=en").get_data(as_text=True)
    assert '<p class="also-in"><span class="versions-label">Also in:</span>' in html
    assert ('href="/doc/economy-958001-en?ui=en" hreflang="en" lang="en" rel="alternate" '
            'title="Minister Zhaksylykov discusses water tariffs with akimats">English</a>'
            ) in html
    assert 'href="/doc/economy-958001-kk?ui=en" hreflang="kk" lang="kk"' in html
    assert '<link rel="alternate" hreflang="en" href="/doc/economy-958001-en?ui=en">' in html
    english = client.get("/doc/economy-958001-en?ui=kk").get_data(as_text=True)
    assert "Басқа тілдерде:" in english
    assert 'href="/doc/economy-958001-ru?ui=kk" hreflang="ru" lang="ru"' in english
    assert ">Русский</a>" in english and ">Қазақша</a>" in english
    # Opened from a search, the other versions keep the search's words marked.
    searched = client.get("/doc/economy-958001-ru?q=тарифы&ui=en").get_data(as_text=True)
    assert 'href="/doc/economy-958001-en?q=%D1%82%D0%B0%D1%80%D0%B8%D1%84%D1%8B&amp;ui=en"' in (
        searched)


def test_similar_releases_never_list_the_releases_own_translations(
    corpus: Path, index_dir: Path
) -> None:
    _add_translations(corpus, index_dir)
    client = create_app(index_dir).test_client()
    similar = [hit["id"] for hit in client.get("/api/doc/economy-958001-ru").get_json()["similar"]]
    assert "economy-958777-ru" in similar
    assert not {"economy-958001-en", "economy-958001-kk"} & set(similar)


def test_search_hits_name_their_versions_and_the_results_page_folds_them(
    corpus: Path, index_dir: Path
) -> None:
    _add_translations(corpus, index_dir)
    client = create_app(index_dir).test_client()
    api = client.get("/api/search?agency=economy&sort=newest").get_json()
    assert api["total"] == 4  # releases are still counted one by one
    by_id = {hit["id"]: hit["translations"] for hit in api["hits"]}
    assert by_id["economy-958001-en"] == [{"id": "economy-958001-ru", "lang": "ru"},
                                          {"id": "economy-958001-kk", "lang": "kk"}]
    assert by_id["economy-958777-ru"] == []

    html = client.get("/search?agency=economy&sort=newest&ui=en").get_data(as_text=True)
    listed = html.split('<li class="hit">')[1:]
    assert len(listed) == 2  # the three versions of news 958001 share one line
    first_version = min(api["hits"].index(hit) for hit in api["hits"]
                        if hit["id"].startswith("economy-958001"))
    leader = api["hits"][first_version]["id"]
    folded = next(line for line in listed if f'/doc/{leader}?ui=en"' in line)
    assert folded.count('class="version on-page"') == 2
    assert "Also found by this search:" in folded
    csv = client.get("/search.csv?agency=economy").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 5  # header and every release


def test_a_result_shows_its_versions_as_small_language_links(
    corpus: Path, index_dir: Path
) -> None:
    _add_translations(corpus, index_dir)
    client = create_app(index_dir).test_client()
    html = client.get("/search?q=Zhaksylykov&lang=en").get_data(as_text=True)
    assert '<span class="versions-label">На других языках:</span>' in html
    assert ('href="/doc/economy-958001-ru?q=Zhaksylykov&amp;ui=ru" hreflang="ru" lang="ru" '
            'title="Русский"') in html
    assert 'hreflang="kk" lang="kk" title="Казахский">Қазақша</a>' in html


def test_releases_without_a_source_are_labelled_agency_not_stated(tmp_path: Path) -> None:
    listing = tmp_path / "no-source.jsonl"
    record = {"title": "Water tariffs reviewed", "body": "Tariffs for water were reviewed.",
              "date": "2025-03-14"}
    listing.write_text(json.dumps(record) + "\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    index_paths([listing], index_dir)
    client: FlaskClient = create_app(index_dir).test_client()
    for ui, label in (("ru", "Ведомство не указано"), ("en", "Agency not stated"),
                      ("kk", "Мекеме көрсетілмеген")):
        hit = client.get(f"/api/search?q=tariffs&ui={ui}").get_json()["hits"][0]
        assert hit["agency_name"] == label and hit["translations"] == []
        for page in (f"/search?q=tariffs&ui={ui}", f"/agencies?ui={ui}"):
            shown = re.sub(r"<[^>]*>", " ", client.get(page).get_data(as_text=True))
            assert label in shown and "unknown" not in shown, (ui, page)
