"""`govpress search` as a user runs it: readable results, `--json`, exit codes, messages."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from indexer.locations import INDEX_DIR_ENV
from search.request import SearchRequest
from search.searcher import Searcher
from webui.cli import main

FITCH = "almaty-948131-en"
HOUSING_RU = "economy-956947-ru"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def expected_json(index_dir: Path, **params: list[str]) -> dict:
    return Searcher(index_dir).search(SearchRequest.from_params(params)).as_json()


def test_search_prints_a_readable_list(capsys, corpus_index):
    code, out, err = run(capsys, "search", "жилье", "--index-dir", str(corpus_index))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "1 release(s), showing 1–1"
    assert lines[2].startswith("Ввод 19 млн квадратных метров жилья")
    assert lines[3] == (
        "  2025-03-14 · Ministry of National Economy (economy) · ru · economy-956947-ru"
    )
    assert "*жилья*" in out  # the matched form, marked without HTML on a pipe
    assert "<mark>" not in out and "&quot;" not in out
    assert "https://www.gov.kz/memleket/entities/economy/press/news/details/956947" in out


def test_search_shows_the_suggestion_and_pages(capsys, corpus_index):
    code, out, _ = run(capsys, "search", "Dossayef", "--index-dir", str(corpus_index))
    assert code == 0
    assert out.splitlines() == ["0 release(s)", "Did you mean: Dossayev"]
    code, out, _ = run(
        capsys, "search", "Dossayev", "--per-page", "2", "--page", "2",
        "--index-dir", str(corpus_index),
    )
    assert code == 0
    assert out.splitlines()[0] == "5 release(s), showing 3–4"
    assert out.splitlines()[-1] == "page 2 of 3 (use --page)"


def test_snippet_text_is_unescaped_for_the_terminal(capsys, corpus_index):
    code, out, _ = run(capsys, "search", "title:Fitch", "--index-dir", str(corpus_index))
    assert code == 0
    assert "*Fitch* Ratings" in out
    assert '("Almaty SEC")' in out  # &quot; in the HTML snippet, a quote on the terminal
    assert "&quot;" not in out


@pytest.mark.parametrize(
    ("argv", "params"),
    [
        (["жильё"], {"q": ["жильё"]}),
        (
            ["Kazakhstan", "--agency", "economy", "--agency", "ecogeo", "--lang", "en",
             "--from", "2025-03-04", "--to", "2025-03-04", "--sort", "newest",
             "--page", "2", "--per-page", "3"],
            {"q": ["Kazakhstan"], "agency": ["economy", "ecogeo"], "lang": ["en"],
             "from": ["2025-03-04"], "to": ["2025-03-04"], "sort": ["newest"],
             "page": ["2"], "per_page": ["3"]},
        ),
        ([""], {}),
        (["Dosayev"], {"q": ["Dosayev"]}),
        (['"Clean Kazakhstan" -Almaty'], {"q": ['"Clean Kazakhstan" -Almaty']}),
    ],
)
def test_json_is_exactly_the_api_object(capsys, corpus_index, argv, params):
    code, out, err = run(capsys, "search", *argv, "--json", "--index-dir", str(corpus_index))
    assert (code, err) == (0, "")
    assert json.loads(out) == expected_json(corpus_index, **params)


def test_index_dir_from_the_environment(capsys, corpus_index, monkeypatch, tmp_path):
    monkeypatch.setenv(INDEX_DIR_ENV, str(corpus_index))
    code, out, _ = run(capsys, "search", "Fitch", "--json")
    assert code == 0
    assert [hit["id"] for hit in json.loads(out)["hits"]] == [FITCH]
    code, _, err = run(capsys, "search", "Fitch", "--index-dir", str(tmp_path / "none"))
    assert code == 1  # the flag wins over the environment
    assert str(tmp_path / "none") in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "2025-13-01"], "govpress: --from: no such date: 2025-13-01"),
        (["--from", "yesterday"], "govpress: --from: expected a date as YYYY-MM-DD"),
        (["--to", "04.03.2025"], "govpress: --to: expected a date as YYYY-MM-DD"),
        (["--from", "2025-03-12", "--to", "2025-03-05"], "govpress: --from: the start date"),
        (["--page", "0"], "govpress: --page:"),
        (["--per-page", "101"], "govpress: --per-page:"),
        (["--agency", "Not a slug!"], "govpress: --agency:"),
        (["--lang", "de"], "--lang"),
        (["--sort", "random"], "--sort"),
        (["--no-such-option"], "--no-such-option"),
    ],
)
def test_bad_usage_exits_2_with_one_line(capsys, corpus_index, argv, message):
    code, out, err = run(capsys, "search", "Fitch", *argv, "--index-dir", str(corpus_index))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err
    assert "Traceback" not in err


def test_missing_index_exits_1_with_one_line(capsys, tmp_path):
    missing = tmp_path / "no-index"
    code, out, err = run(capsys, "search", "Fitch", "--index-dir", str(missing))
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [
        f"govpress: {missing}: no govpress index here; run `govpress index` to build one"
    ]


def test_console_script(corpus_index, tmp_path):
    govpress = shutil.which("govpress")
    if govpress is None:
        pytest.skip("the govpress console script is not installed (pip install -e .)")
    done = subprocess.run(
        [govpress, "search", "жилье OR Fitch", "--sort", "oldest", "--json",
         "--index-dir", str(corpus_index)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    printed = json.loads(done.stdout)
    assert printed == expected_json(corpus_index, q=["жилье OR Fitch"], sort=["oldest"])
    assert [hit["id"] for hit in printed["hits"]] == [FITCH, HOUSING_RU]
    assert "<mark>жилья</mark>" in printed["hits"][1]["snippet"]
    for argv, code in (
        (["--from", "2025-02-30", "--index-dir", str(corpus_index)], 2),
        (["--index-dir", str(tmp_path / "none")], 1),
    ):
        done = subprocess.run(
            [govpress, "search", "Fitch", *argv],
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert done.returncode == code
        assert done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1
        assert done.stderr.startswith("govpress: ") and "Traceback" not in done.stderr
