"""Kazakh word forms meet their dictionary form, unrelated words stay apart, new words too.

The rows come from tests/data/kk_dev.tsv (its header says what they mean): half of a
larger gold set, so the rules are the language's, not the rows'.
"""

from __future__ import annotations

import pickle
import tomllib
from concurrent.futures import ThreadPoolExecutor
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path

import pytest

from indexer.languages import kk

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "kk_dev.tsv"


def gold(kind: str) -> list[list[str]]:
    """The rows of one kind: [kind, form, lemma-or-other-word, flags-or-tier, note]."""
    rows = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if fields[0] == kind:
            rows.append(fields)
    return rows


def key(word: str) -> str:
    """The key of a word as the tokenizer hands it over: lower-cased."""
    return kk.lemma(word.lower())


def test_forms_meet_their_dictionary_form():
    rows = gold("POS")
    misses = [
        f"{form} → {key(form)}, {lemma} → {key(lemma)} ({flags or '-'})"
        for _kind, form, lemma, flags, *_note in rows
        if key(form) != key(lemma)
    ]
    met = 1 - len(misses) / len(rows)
    print(f"\n{len(rows) - len(misses)} of {len(rows)} forms meet their lemma ({met:.1%})")
    print("\n".join(misses))
    assert len(rows) > 100
    assert met >= 0.95, "\n".join(misses)


@pytest.mark.parametrize("tier", ["hard", "soft"])
def test_unrelated_words_do_not_meet(tier):
    """Soft pairs are derivational relatives (министр / министрлік): different things to
    search for, and each is a dictionary entry of its own, so they stay apart too."""
    rows = [row for row in gold("NEG") if row[3] == tier]
    met = [f"{a} / {b} → {key(a)}" for _kind, a, b, *_rest in rows if key(a) == key(b)]
    assert rows
    assert not met


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("министрлігінің", "министрлік"),
        ("операторлары", "оператор"),
        ("моңғолиядағы", "моңғолия"),
        ("тоқаевтың", "тоқаев"),  # stored capitalised in the analyser
        ("қарағандыда", "қарағанды"),
        ("балаларға", "бала"),  # балалар is an entry too: still the plural of бала
        ("ұсынылды", "ұсыну"),  # a passive keys to its verb
        ("кездесуі", "кездесу"),  # the noun made from a verb meets it
        ("кездесті", "кездесу"),
        ("қарады", "қарау"),  # қара+ды 'looked', not қар+а+ды
        ("қолдайды", "қолдау"),  # 'supports', not қол 'hand' + 'like'
        ("етті", "ету"),  # 'did', not the adjective 'meaty'
        ("жасанды", "жасанды"),  # 'artificial' (жасанды интеллект), a rare verb's past too
        ("жетісуда", "жетісу"),
        ("ТОҚАЕВТЫҢ", "тоқаев"),
    ],
)
def test_key_of_a_word(word, expected):
    assert kk.lemma(word) == expected


def test_words_that_are_dictionary_entries_key_to_themselves():
    # келісім is not келіс + 'my'; ақша is not ақ 'white'; қала is not қалу 'to stay'.
    assert [kk.lemma(w) for w in ["келісім", "ақша", "қала", "тілші"]] == [
        "келісім",
        "ақша",
        "қала",
        "тілші",
    ]


@pytest.mark.parametrize(
    "forms",
    [
        # words the analyser does not know: a new word, loanwords, a Russian-spelled name
        ["цифрландыру", "цифрландыруға", "цифрландырудың", "цифрландыруды", "цифрландыруы"],
        ["блокчейн", "блокчейнге", "блокчейндер", "блокчейнді", "блокчейнмен"],
        ["вебинар", "вебинарлар", "вебинарға", "вебинардың", "вебинарларында"],
        ["коворкинг", "коворкингте", "коворкингтен", "коворкингтің"],
        ["жумангарин", "жумангариннің", "жумангаринге", "жумангаринмен"],
        ["бектенов", "бектеновтің", "бектеновке", "бектеновпен"],
        ["цифрлық", "цифрлығы", "цифрлықтың"],  # қ turns ғ before a vowel
    ],
)
def test_unknown_words_meet_their_forms(forms):
    assert len({kk.lemma(form) for form in forms}) == 1, [kk.lemma(f) for f in forms]
    assert kk.lemma(forms[1]) == forms[0]


def test_the_stripper_follows_harmony_and_keeps_short_stems():
    assert kk.strip_suffixes("зорбатлер") == "зорбатлер"  # front ending on a back stem
    assert kk.strip_suffixes("зорбаттар") == "зорбат"
    assert kk.strip_suffixes("зорбатдар") == "зорбатдар"  # д does not follow т
    assert kk.strip_suffixes("бетке") == "бетке"  # бет is too short to be a new word's stem
    assert kk.strip_suffixes("аудиттеріне") == "аудит"


def test_proper_nouns():
    assert kk.is_proper("тоқаевтың")
    assert kk.is_proper("алматыда")
    assert not kk.is_proper("министрлігінің")
    assert not kk.is_proper("tokayev")


def test_a_run_of_letters_too_long_for_a_word_is_kept_as_it_is():
    # The analyser's time grows faster than the length: 10,000 letters took 46 s.
    assert kk.lemma("қ" * 10_000) == "қ" * 10_000
    assert kk.lemma("лар" * 3_000) == "лар" * 3_000
    assert not kk.is_proper("а" * 10_000)


def test_other_words_are_left_as_they_are():
    assert [kk.lemma(w) for w in ["", "tokayev", "2025", "covid19"]] == [
        "",
        "tokayev",
        "2025",
        "covid19",
    ]


def test_lookups_from_threads_agree():
    words = sorted({row[1].lower() for row in gold("POS")})
    uncached = kk.lemma.__wrapped__
    expected = [uncached(w) for w in words]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(uncached, words)) == expected


def test_the_analyser_pickles_by_reference():
    # Whoosh pickles analyzers into the index: the module must hold the state, not objects.
    assert pickle.loads(pickle.dumps(kk.lemma))("облысының") == "облыс"


def test_the_analyser_ships_in_the_package():
    folder = resources.files("indexer.languages").joinpath("apertium_kaz")
    names = ["kaz.automorf.hfstol", "COPYING", "AUTHORS", "PROVENANCE.md", "build.sh"]
    for name in names:
        assert folder.joinpath(name).is_file(), name
    assert folder.joinpath("kaz.automorf.hfstol").read_bytes().startswith(b"HFST")
    assert "GNU GENERAL PUBLIC LICENSE" in folder.joinpath("COPYING").read_text()
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["indexer"]
    for name in names:
        assert any(fnmatch(f"languages/apertium_kaz/{name}", p) for p in patterns), name
