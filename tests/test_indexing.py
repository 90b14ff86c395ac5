"""Indexing as a user runs it: `govpress index`, its summary, re-runs, bad input, crashes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.indexing import IndexBusy, index_paths
from indexer.locations import bundled_corpus
from indexer.storage import INDEX_NAME, open_index
from search.request import SearchRequest
from search.searcher import Searcher
from webui import create_app
from webui.cli import main

LISTING = """Politics
Аким провел прием граждан по вопросам жилья 05.03.2025
Аким города провел прием граждан.Source : https://www.gov.kz/memleket/entities/astana/press/news/details/101
Children planted trees in the park 06.03.2025
Volunteers and children planted 500 trees.Source : https://www.gov.kz/memleket/entities/astana/press/news/details/102?lang=en
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def counts(summary) -> tuple[int, int, int, int]:
    return (
        sum(summary.added.values()),
        sum(summary.updated.values()),
        sum(summary.unchanged.values()),
        len(summary.skipped),
    )


def test_bundled_corpus_indexes_20_releases_by_language(tmp_path):
    summary = index_paths([bundled_corpus()], tmp_path / "ix")
    assert counts(summary) == (20, 0, 0, 0)
    assert summary.added == {"en": 17, "ru": 3}
    with open_index(tmp_path / "ix").searcher() as searcher:
        assert searcher.doc_count() == 20


def test_reindexing_unchanged_corpus_adds_nothing(tmp_path):
    index_paths([bundled_corpus()], tmp_path / "ix")
    again = index_paths([bundled_corpus()], tmp_path / "ix")
    assert counts(again) == (0, 0, 20, 0)
    assert again.lines()[0] == (
        "1 file(s), 20 release(s): 0 added, 0 updated, 20 unchanged, 0 skipped"
    )


def test_changed_release_is_replaced_and_new_one_added(tmp_path):
    listing = write(tmp_path / "a.txt", LISTING)
    index_paths([listing], tmp_path / "ix")
    changed = LISTING.replace("500 trees", "700 trees") + (
        "Новый релиз о субсидиях 07.03.2025\n"
        "Текст о субсидиях фермерам. Источник : "
        "https://www.gov.kz/memleket/entities/moa/press/news/details/103\n"
    )
    write(listing, changed)
    summary = index_paths([listing], tmp_path / "ix")
    assert counts(summary) == (1, 1, 1, 0)
    searcher = Searcher(tmp_path / "ix")
    assert searcher.document("astana-102-en").body == "Volunteers and children planted 700 trees."
    assert searcher.search(SearchRequest(q="500")).total == 0
    assert searcher.count_all() == 3


def test_rebuild_starts_over(tmp_path):
    index_paths([bundled_corpus()], tmp_path / "ix")
    listing = write(tmp_path / "a.txt", LISTING)
    summary = index_paths([listing], tmp_path / "ix", rebuild=True)
    assert counts(summary) == (2, 0, 0, 0)
    assert Searcher(tmp_path / "ix").count_all() == 2


def test_duplicate_release_is_reported_with_both_places(tmp_path):
    first = write(tmp_path / "a.txt", LISTING)
    second = write(tmp_path / "b.txt", LISTING)
    messages: list[str] = []
    summary = index_paths([first, second], tmp_path / "ix", report=messages.append)
    assert counts(summary) == (2, 0, 0, 2)
    assert f"{second}:2: duplicate of the release at {first}:2" in messages


def test_bad_input_is_reported_and_the_rest_indexed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "good.txt", LISTING)
    write(folder / "bad-date.txt", LISTING.replace("05.03.2025", "31.02.2025"))
    (folder / "cp1251.txt").write_bytes(
        "Заголовок про жилье 01.03.2025\nТекст.Source : "
        "https://www.gov.kz/memleket/entities/moa/press/news/details/9\n".encode("cp1251")
    )
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 20)
    write(folder / "empty.txt", "")
    messages: list[str] = []
    summary = index_paths([folder], tmp_path / "ix", report=messages.append)
    assert any("bad-date.txt:2: invalid date 31.02.2025" in m for m in messages)
    assert any("cp1251.txt: not UTF-8, read as cp1251" in m for m in messages)
    assert any("binary.txt: binary file" in m for m in messages)
    assert any("empty.txt: empty file" in m for m in messages)
    # good.txt: 2 added; bad-date.txt: 1 skipped (invalid date), 1 duplicate; cp1251.txt: 1.
    assert counts(summary) == (3, 0, 0, 2)
    assert Searcher(tmp_path / "ix").search(SearchRequest(q="жильё")).total == 2


def test_second_writer_fails_with_a_clear_message(tmp_path):
    index_paths([bundled_corpus()], tmp_path / "ix")
    holder = whoosh_index.open_dir(str(tmp_path / "ix"), indexname=INDEX_NAME).writer()
    try:
        with pytest.raises(IndexBusy, match="another `govpress index` is writing"):
            index_paths([bundled_corpus()], tmp_path / "ix", lock_timeout=0.2, rebuild=True)
    finally:
        holder.cancel()
    assert Searcher(tmp_path / "ix").count_all() == 20


def test_cli_index_summary_and_exit_codes(tmp_path, capsys):
    ix = str(tmp_path / "ix")
    assert main(["index", "--index-dir", ix]) == 0
    out = capsys.readouterr().out
    assert "20 release(s): 20 added" in out
    assert "en: 17 added" in out and "ru: 3 added" in out
    assert main(["index", str(tmp_path / "missing"), "--index-dir", ix]) == 1
    assert "missing: no such file or folder" in capsys.readouterr().err
    assert main(["index", "--commit-every", "0", "--index-dir", ix]) == 2
    assert main(["stats", "--index-dir", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "no govpress index here" in err and "Traceback" not in err


def test_cli_stats_counts(tmp_path, capsys):
    ix = str(tmp_path / "ix")
    main(["index", "--index-dir", ix])
    capsys.readouterr()
    assert main(["stats", "--index-dir", ix]) == 0
    out = capsys.readouterr().out
    assert out.startswith("20 release(s)")
    assert "10  almaty (Almaty City Akimat)" in out
    assert "17  en (English)" in out
    assert "20  2025-03 (March 2025)" in out


def test_index_dir_comes_from_the_environment(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GOVPRESS_INDEX_DIR", str(tmp_path / "env-ix"))
    assert main(["index"]) == 0
    assert (tmp_path / "env-ix").is_dir()
    assert main(["stats"]) == 0
    assert capsys.readouterr().out.count("20 release(s)") == 2


def _generate(out: Path, releases: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--releases", str(releases), "--out", str(out),
         "--per-file", "100", "--jobs", "1"],
        check=True, capture_output=True,
    )


def test_killed_run_leaves_a_readable_index_and_rerun_completes(tmp_path):
    corpus = tmp_path / "corpus"
    _generate(corpus, 600)
    ix = tmp_path / "ix"
    env = {**os.environ, "GOVPRESS_INDEX_DIR": str(ix)}
    command = [shutil.which("govpress") or "govpress", "index", str(corpus), "--commit-every", "50"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if (ix.is_dir() and whoosh_index.exists_in(str(ix), indexname=INDEX_NAME)
                and Searcher(ix).count_all() >= 100):
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    committed = Searcher(ix).count_all()
    assert committed % 50 == 0 and committed >= 100
    assert Searcher(ix).search(SearchRequest(q="")).total == committed
    summary = index_paths([corpus], ix)
    assert sum(summary.unchanged.values()) == committed
    assert summary.total == 600
    assert Searcher(ix).count_all() == 600 - len(summary.skipped)


def test_unreadable_index_is_reported_and_rebuild_replaces_it(tmp_path, capsys):
    ix = tmp_path / "ix"
    index_paths([bundled_corpus()], ix)
    for toc in ix.glob("_releases_*.toc"):
        toc.write_bytes(b"not a whoosh table of contents")
    assert main(["search", "almaty", "--index-dir", str(ix)]) == 1
    err = capsys.readouterr().err
    assert "cannot open the index" in err and "govpress index --rebuild" in err
    assert main(["index", "--index-dir", str(ix)]) == 1
    assert main(["index", "--rebuild", "--index-dir", str(ix)]) == 0
    assert Searcher(ix).count_all() == 20


def test_hostile_json_lines_are_reported_and_the_rest_of_the_run_indexed(tmp_path, capsys):
    good = '{"title": "Fitch affirmed the rating", "date": "2025-03-04", "body": "Fitch."}'
    lines = [good, '{"title": "\\ud800", "date": "2025-03-04"}',
             '{"title": "x", "date": "2025-03-04", "n": ' + "9" * 5000 + "}",
             "[" * 100_000 + "]" * 100_000,
             good.replace("Fitch", "EBRD").replace("03-04", "03-05")]
    write(tmp_path / "hostile.jsonl", "\n".join(lines))
    write(tmp_path / "good.txt", LISTING)
    code = main(["index", str(tmp_path / "hostile.jsonl"), str(tmp_path / "good.txt"),
                 "--index-dir", str(tmp_path / "ix")])
    out, err = capsys.readouterr()
    assert code == 0
    for line in (2, 3, 4):
        assert f"hostile.jsonl:{line}: " in err
    assert "2 file(s), 7 release(s): 4 added, 0 updated, 0 unchanged, 3 skipped" in out + err
    searcher = Searcher(tmp_path / "ix")
    assert searcher.count_all() == 4
    assert searcher.search(SearchRequest(q="EBRD")).total == 1


def test_symbolic_link_loops_are_reported_and_the_rest_indexed(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus / "good.txt", LISTING)
    (corpus / "loop.txt").symlink_to("loop.txt")
    (corpus / "up").symlink_to(".")
    code = main(["index", str(corpus), str(corpus / "loop.txt"), "--index-dir",
                 str(tmp_path / "ix")])
    out, err = capsys.readouterr()
    assert code == 0
    assert err.count(f"{corpus / 'loop.txt'}: symbolic link loop, skipped") == 1
    assert f"{corpus / 'up'}: symbolic link loop (points back to {corpus}), skipped" in err
    assert "no such file" not in err and "Traceback" not in err
    assert "2 added" in out + err


def test_a_release_over_the_size_limit_is_cut_with_a_message(tmp_path):
    huge_body = "Инвестиции в экономику региона растут. " * 30_000 + "Финальнаяфраза."
    record = {"title": "Огромный релиз " + "слово " * 400, "date": "2025-03-04",
              "body": huge_body, "urls": [f"https://example.kz/{n}" for n in range(500)],
              "url": "https://www.gov.kz/memleket/entities/economy/press/news/details/1"}
    write(tmp_path / "huge.jsonl", json.dumps(record, ensure_ascii=False))
    messages: list[str] = []
    summary = index_paths([tmp_path / "huge.jsonl"], tmp_path / "ix", report=messages.append)
    assert counts(summary) == (1, 0, 0, 0)
    where = f"{tmp_path / 'huge.jsonl'}:1"
    assert messages[0] == f"{where}: the title is 2,414 characters, over the limit of 1,000: " \
        "cut to 994"
    assert messages[1] == f"{where}: the body is 1,170,015 characters, over the limit of " \
        "200,000: cut to 199,993"
    assert messages[2] == f"{where}: 500 other addresses, over the limit of 100: the first " \
        "100 kept"
    searcher = Searcher(tmp_path / "ix")
    release = searcher.document("economy-1-ru")
    assert len(release.body) == 199_993 and release.body.endswith("растут. …")
    assert len(release.title) == 994 and len(release.urls) == 100
    assert searcher.search(SearchRequest(q="инвестиции")).total == 1
    assert searcher.search(SearchRequest(q="Финальнаяфраза")).total == 0


RUSSIAN_RELEASES = "".join(
    f"Аким провел встречу номер {n} с жителями района {n:02d}.03.2025\n"
    f"Обсуждались вопросы жилья и дорог.Источник : "
    f"https://www.gov.kz/memleket/entities/astana/press/news/details/{700 + n}\n"
    for n in range(1, 6)
)


def test_an_appended_cp1251_release_never_turns_good_releases_into_mojibake(tmp_path):
    listing = tmp_path / "astana.txt"
    write(listing, RUSSIAN_RELEASES)
    assert counts(index_paths([listing], tmp_path / "ix")) == (5, 0, 0, 0)
    appended = ("Аким провел итоговую встречу 10.03.2025\nИтоги года.Источник : "
                "https://www.gov.kz/memleket/entities/astana/press/news/details/710\n")
    listing.write_bytes(RUSSIAN_RELEASES.encode() + appended.encode("cp1251"))
    messages: list[str] = []
    summary = index_paths([listing], tmp_path / "ix", report=messages.append)
    assert counts(summary) == (1, 0, 5, 0)
    assert messages == [f"{listing}: lines 11–12 not UTF-8, read as cp1251 (the other lines "
                        "are UTF-8)"]
    searcher = Searcher(tmp_path / "ix")
    assert searcher.document("astana-701-ru").title.startswith("Аким провел встречу номер 1")
    assert searcher.document("astana-710-ru").body == "Итоги года."
    # The same file once misread whole as cp1251 and saved as UTF-8: mojibake never
    # replaces the good text; the release that was cp1251 reads correctly either way.
    write(listing, listing.read_bytes().decode("cp1251", "replace"))
    messages.clear()
    summary = index_paths([listing], tmp_path / "ix", report=messages.append)
    assert counts(summary) == (0, 0, 1, 5)
    assert f"{listing}:1: looks garbled (UTF-8 read in another encoding): skipped" in messages
    searcher = Searcher(tmp_path / "ix")
    assert searcher.count_all() == 6
    assert searcher.document("astana-701-ru").title.startswith("Аким провел встречу номер 1")
    assert searcher.search(SearchRequest(q="жилья")).total == 5
    # A record whose id and language are stated: its good text is kept.
    record = {"id": "astana-701-ru", "lang": "ru", "date": "2025-03-01",
              "title": "Аким провел встречу номер 1 с жителями района".encode()
              .decode("cp1251", "replace"), "body": "Обсуждались вопросы жилья и дорог."
              .encode().decode("cp1251", "replace")}
    write(tmp_path / "garbled.jsonl", json.dumps(record, ensure_ascii=False))
    messages.clear()
    summary = index_paths([tmp_path / "garbled.jsonl"], tmp_path / "ix", report=messages.append)
    assert counts(summary) == (0, 0, 0, 1)
    assert messages == [f"{tmp_path / 'garbled.jsonl'}:1: looks garbled (UTF-8 read in another "
                        "encoding): the indexed text of astana-701-ru is kept"]
    assert Searcher(tmp_path / "ix").document("astana-701-ru").body \
        == "Обсуждались вопросы жилья и дорог."


# -- one release, a cut-off and a complete copy (issue 12) --------------------------------

# a gov.kz home page listing whose last release is cut off (also in the other tests)
HOME_PAGE = (Path(__file__).parent / "data" / "listing_home_page.txt").read_text(encoding="utf-8")
CATEGORY_PAGE = (
    "Society\nAkimat opened a new school in Astana 07.03.2025\nThe akim of Astana opened a "
    "school for 1,200 pupils in the new district. Classes begin in September.Source : "
    "https://www.gov.kz/memleket/entities/astana/press/news/details/103?lang=en\n"
)
SCHOOL = "astana-103-en"


def _ids(index_dir: Path) -> list[str]:
    searcher = Searcher(index_dir)
    return sorted(hit.id for hit in searcher.search(SearchRequest(per_page=100)).hits)


@pytest.mark.parametrize("order", ["cut-off first", "complete first"])
def test_a_cut_off_and_a_complete_copy_are_one_release_whichever_comes_first(tmp_path, order):
    names = ("a-home.txt", "b-category.txt") if order == "cut-off first" else (
        "b-home.txt", "a-category.txt")
    home, category = write(tmp_path / names[0], HOME_PAGE), write(tmp_path / names[1],
                                                                   CATEGORY_PAGE)
    messages: list[str] = []
    summary = index_paths([tmp_path], tmp_path / "ix", report=messages.append)
    assert counts(summary) == (2, 0, 0, 1)  # 3 releases in the input
    assert [str(s) for s in summary.skipped] == [
        f"{home}:4: cut-off copy of the release at {category}:2, which is kept"]
    assert _ids(tmp_path / "ix") == ["astana-102-en", SCHOOL]
    searcher = Searcher(tmp_path / "ix")
    assert not searcher.document(SCHOOL).incomplete
    facet = searcher.search(SearchRequest()).facets["agency"]
    assert [(f.value, f.count) for f in facet] == [("astana", 2)]  # no "unknown"


def test_a_release_found_only_cut_off_is_kept_marked_incomplete_until_a_complete_copy(tmp_path):
    home, category = write(tmp_path / "home.txt", HOME_PAGE), write(tmp_path / "cat.txt",
                                                                     CATEGORY_PAGE)
    messages: list[str] = []
    assert counts(index_paths([home], tmp_path / "ix", report=messages.append)) == (2, 0, 0, 0)
    assert f"{home}:4: release has no source (cut off before a source line)" in messages
    (cut_off,) = [i for i in _ids(tmp_path / "ix") if i.startswith("unknown-")]
    client = create_app(tmp_path / "ix").test_client()
    doc = client.get(f"/api/doc/{cut_off}?ui=en").get_json()
    assert (doc["incomplete"], doc["url"], doc["source"]) == (True, None, "home.txt:4")
    page = client.get(f"/doc/{cut_off}?ui=en").get_data(as_text=True)
    assert "Only a cut-off copy of this release was found" in page
    assert str(tmp_path) not in page and str(tmp_path) not in json.dumps(doc)
    complete = client.get("/api/doc/astana-102-en").get_json()
    assert (complete["incomplete"], complete["source"]) == (False, "home.txt:2")
    assert "cut-off copy" not in client.get("/doc/astana-102-en?ui=en").get_data(as_text=True)
    # The complete copy arrives in a later run: it replaces the cut-off one ...
    messages.clear()
    assert counts(index_paths([category], tmp_path / "ix", report=messages.append)) \
        == (1, 0, 0, 0)
    assert messages == [f"{category}:2: replaces {cut_off}, a cut-off copy of this release "
                        "indexed before"]
    assert _ids(tmp_path / "ix") == ["astana-102-en", SCHOOL]
    # ... and the cut-off copy, read again, is a duplicate of it.
    summary = index_paths([home], tmp_path / "ix")
    assert counts(summary) == (0, 0, 1, 1)
    assert str(summary.skipped[0]) == (f"{home}:4: cut-off copy of the indexed release "
                                       f"{SCHOOL}, which is kept")
    assert _ids(tmp_path / "ix") == ["astana-102-en", SCHOOL]
    assert counts(index_paths([home, category], tmp_path / "ix")) == (0, 0, 2, 1)


def test_an_index_of_an_earlier_version_gains_the_new_fields_on_an_incremental_run(tmp_path):
    from indexer.schema import release_schema

    older = release_schema()
    older.remove("incomplete")  # the schema before INDEX_FORMAT 3
    (tmp_path / "ix").mkdir()
    whoosh_index.create_in(str(tmp_path / "ix"), older, indexname=INDEX_NAME)
    write(tmp_path / "home.txt", HOME_PAGE)
    assert counts(index_paths([tmp_path / "home.txt"], tmp_path / "ix")) == (2, 0, 0, 0)
    assert "incomplete" in open_index(tmp_path / "ix").schema.names()
    cut_off = next(i for i in _ids(tmp_path / "ix") if i.startswith("unknown-"))
    assert Searcher(tmp_path / "ix").document(cut_off).incomplete


def test_releases_of_other_sites_with_one_title_and_date_are_not_cut_off_copies(tmp_path):
    # No gov.kz address: agency `unknown`, ids from title and date, like cut-off copies.
    listing = write(tmp_path / "other.txt", (
        "Премьер-министр провел совещание 04.03.2025\nТекст.Source : "
        "https://primeminister.kz/ru/news/1\nPrime Minister held a meeting 04.03.2025\n"
        "Text.Source : https://primeminister.kz/en/news/1\n"))
    assert counts(index_paths([listing], tmp_path / "ix")) == (2, 0, 0, 0)
    assert counts(index_paths([listing], tmp_path / "ix")) == (0, 0, 2, 0)
    assert len(_ids(tmp_path / "ix")) == 2
