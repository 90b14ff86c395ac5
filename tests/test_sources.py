"""Files on disk in, parse results and one-line problems out; never an exception."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path

import pytest

from indexer.sources import iter_corpus_files, read_corpus_file

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GOV = "https://www.gov.kz/memleket/entities"
RUSSIAN_LISTING = (
    "Новости\n"
    "Олжас Бектенов провел совещание по развитию экономики 12.03.2025\n"
    "Премьер-министр провел рабочее совещание.Источник : "
    f"{GOV}/economy/press/news/details/954900\n"
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- finding files ----------------------------------------------------------------------


def test_folders_give_listing_and_jsonl_files_recursively_sorted_without_hidden(tmp_path):
    for name in [
        "b.txt",
        "a.jsonl",
        "sub/c.TXT",
        "sub/deeper/d.txt",
        "notes.md",
        ".hidden.txt",
        ".git/e.txt",
        "sub/.cache/f.txt",
    ]:
        write(tmp_path / name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_corpus_files([tmp_path])]
    assert found == ["a.jsonl", "b.txt", "sub/c.TXT", "sub/deeper/d.txt"]


def test_files_named_outright_are_given_whatever_their_name_and_each_file_once(tmp_path):
    notes = write(tmp_path / "notes.md", "x")
    hidden = write(tmp_path / ".hidden.txt", "x")
    listing = write(tmp_path / "listing.txt", "x")
    found = list(iter_corpus_files([notes, hidden, tmp_path, listing]))
    assert found == [notes, hidden, listing]


def test_a_path_that_does_not_exist_gives_nothing(tmp_path):
    assert list(iter_corpus_files([tmp_path / "missing", tmp_path / "missing.txt"])) == []


def test_the_bundled_corpus_folder():
    assert list(iter_corpus_files([CORPUS])) == [CORPUS / "000_b09e075d879a1931.txt"]


# --- reading files ----------------------------------------------------------------------


def test_the_bundled_corpus_file_reads_cleanly():
    read = read_corpus_file(CORPUS / "000_b09e075d879a1931.txt")
    assert read.problems == []
    assert len(read.result.releases) == 20
    assert read.result.skipped == []


def test_utf8_with_bom(tmp_path):
    path = write(tmp_path / "bom.txt", "\ufeff".encode() + RUSSIAN_LISTING.encode())
    read = read_corpus_file(path)
    assert read.problems == []
    assert read.result.releases[0].category == "Новости"


def test_cp1251_is_read_with_a_warning(tmp_path):
    path = write(tmp_path / "old.txt", RUSSIAN_LISTING.encode("cp1251"))
    read = read_corpus_file(path)
    assert read.problems == [f"{path}: not UTF-8, read as cp1251"]
    (release,) = read.result.releases
    assert release.title == "Олжас Бектенов провел совещание по развитию экономики"
    assert release.body == "Премьер-министр провел рабочее совещание."
    assert release.date == dt.date(2025, 3, 12)


def test_utf16_with_bom_is_read_with_a_warning(tmp_path):
    path = write(tmp_path / "notepad.txt", RUSSIAN_LISTING.encode("utf-16"))
    read = read_corpus_file(path)
    assert read.problems == [f"{path}: not UTF-8, read as UTF-16"]
    assert len(read.result.releases) == 1


def test_bytes_that_are_neither_utf8_nor_cp1251(tmp_path):
    path = write(tmp_path / "odd.txt", b"Title 04.03.2025\n\x98\x98 body\n")
    read = read_corpus_file(path)
    assert read.result is None
    assert read.problems == [f"{path}: neither UTF-8 nor cp1251 text, skipped"]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        bytes(range(1, 9)) * 100,
        random.Random(7).randbytes(30_000),
        RUSSIAN_LISTING.encode() * 100 + random.Random(7).randbytes(300_000),
        b"\x7fELF\x02\x01\x01" + bytes(9) + RUSSIAN_LISTING.encode() * 300 + bytes(40_000),
    ],
    ids=["png", "control-bytes", "random", "text-then-random", "executable"],
)
def test_binary_files_are_skipped(tmp_path, content):
    path = write(tmp_path / "image.txt", content)
    read = read_corpus_file(path)
    assert read.result is None
    assert read.problems == [f"{path}: binary file, skipped"]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n \r\n\t\n"])
def test_empty_files(tmp_path, content):
    path = write(tmp_path / "empty.txt", content)
    read = read_corpus_file(path)
    assert read.result is None
    assert read.problems == [f"{path}: empty file"]


def test_a_missing_file(tmp_path):
    path = tmp_path / "gone.txt"
    read = read_corpus_file(path)
    assert read.result is None
    assert read.problems == [f"{path}: cannot read: No such file or directory"]


def test_a_folder(tmp_path):
    read = read_corpus_file(tmp_path)
    assert read.result is None
    assert read.problems == [f"{tmp_path}: is a folder, not a corpus file"]


def test_a_fifo_is_not_read(tmp_path):
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    read = read_corpus_file(path)
    assert read.result is None
    assert read.problems == [f"{path}: not a regular file, skipped"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_and_folder(tmp_path):
    path = write(tmp_path / "secret" / "locked.txt", RUSSIAN_LISTING)
    path.chmod(0)
    assert read_corpus_file(path).problems == [f"{path}: cannot read: Permission denied"]
    path.parent.chmod(0)
    try:
        found = list(iter_corpus_files([tmp_path]))
        assert found == [path.parent]
        problems = read_corpus_file(path.parent).problems
        assert problems == [f"{path.parent}: cannot read folder: Permission denied"]
    finally:
        path.parent.chmod(0o700)


def test_jsonl_files_go_to_the_jsonl_reader_and_others_to_the_listing_reader(tmp_path):
    jsonl = write(
        tmp_path / "releases.JSONL",
        json.dumps({"title": "Kazakhstan and Croatia", "date": "2025-03-04", "lang": "en"}),
    )
    notes = write(tmp_path / "listing.md", RUSSIAN_LISTING)
    assert read_corpus_file(jsonl).result.releases[0].lang == "en"
    assert read_corpus_file(notes).result.releases[0].category == "Новости"


def test_locations_and_warnings_name_the_path(tmp_path):
    path = write(tmp_path / "cut.txt", "Stray line\n" + RUSSIAN_LISTING + "Обрыв 05.03.2025\n")
    result = read_corpus_file(path).result
    assert [str(r.where) for r in result.releases] == [f"{path}:3", f"{path}:5"]
    assert result.warnings == [
        f"{path}:1: 1 line of text before the first release, ignored: 'Stray line'",
        f"{path}:5: release has no source (cut off before a source line)",
    ]


# --- decided by content, wherever a byte is (issue 14) ----------------------------------


@pytest.mark.parametrize("at", [0, 40, 9_000, 60_000])
def test_a_stray_nul_byte_is_removed_wherever_it_is(tmp_path, at):
    listing = (RUSSIAN_LISTING * 400).encode()
    at = listing.index(b" ", at) + 1  # between two words
    path = write(tmp_path / "nul.txt", listing[:at] + b"\x00" + listing[at:])
    read = read_corpus_file(path)
    line = listing[:at].count(b"\n") + 1
    assert read.problems == [f"{path}: NUL bytes removed from line {line}"]
    assert len(read.result.releases) == 400
    assert all("\x00" not in r.title + r.body for r in read.result.releases)
    clean = read_corpus_file(write(tmp_path / "clean.txt", listing)).result
    assert [(r.title, r.body) for r in read.result.releases] \
        == [(r.title, r.body) for r in clean.releases]


@pytest.mark.parametrize(("codec", "order"), [("utf-16-le", "little"), ("utf-16-be", "big")])
@pytest.mark.parametrize("name", ["russian", "the bundled corpus"])
def test_utf16_without_a_byte_order_mark_is_recognised_by_its_zero_bytes(tmp_path, codec,
                                                                          order, name):
    text = RUSSIAN_LISTING if name == "russian" else (
        CORPUS / "000_b09e075d879a1931.txt").read_text(encoding="utf-8")
    path = write(tmp_path / "notepad.txt", text.encode(codec))
    read = read_corpus_file(path)
    assert read.problems == [f"{path}: not UTF-8, read as UTF-16 ({order}-endian, "
                             "no byte order mark)"]
    utf8 = read_corpus_file(write(tmp_path / "utf8.txt", text)).result
    assert [(r.title, r.body, r.date, r.source_url) for r in read.result.releases] \
        == [(r.title, r.body, r.date, r.source_url) for r in utf8.releases]
    assert len(utf8.releases) == (1 if name == "russian" else 20)


def test_a_file_mixing_utf8_and_cp1251_is_decoded_line_by_line(tmp_path):
    cp1251_release = ("Аким Алматы встретился с жителями 14.03.2025\n"
                      "Встреча прошла в акимате.Источник : "
                      f"{GOV}/almaty/press/news/details/960001\n")
    data = (RUSSIAN_LISTING.encode() + cp1251_release.encode("cp1251")
            + RUSSIAN_LISTING.replace("954900", "954901").replace("12.03", "13.03").encode())
    path = write(tmp_path / "mixed.txt", data)
    read = read_corpus_file(path)
    assert read.problems == [
        f"{path}: lines 4–5 not UTF-8, read as cp1251 (the other lines are UTF-8)"
    ]
    first, second, third = read.result.releases
    assert first.title == third.title == "Олжас Бектенов провел совещание по развитию экономики"
    assert second.title == "Аким Алматы встретился с жителями"
    assert second.body == "Встреча прошла в акимате."
    assert third.category == "Новости" and third.where.line == 7


# --- symbolic links -----------------------------------------------------------------------


def test_symbolic_link_loops_are_reported_and_the_rest_is_read(tmp_path):
    corpus = tmp_path / "corpus"
    good = write(corpus / "good.txt", RUSSIAN_LISTING)
    (corpus / "a.txt").symlink_to("b.txt")
    (corpus / "b.txt").symlink_to("a.txt")
    (corpus / "self.txt").symlink_to("self.txt")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "up").symlink_to("..")
    (corpus / "gone.txt").symlink_to("missing.txt")
    elsewhere = write(tmp_path / "elsewhere" / "linked.txt", RUSSIAN_LISTING)
    (corpus / "linked").symlink_to(elsewhere.parent)
    found = list(iter_corpus_files([corpus]))
    assert [p.relative_to(corpus).as_posix() for p in found] == [
        "a.txt", "b.txt", "gone.txt", "good.txt", "linked/linked.txt", "self.txt", "sub/up"]
    problems = {p.name: read_corpus_file(p).problems for p in found}
    assert problems == {
        "a.txt": [f"{corpus / 'a.txt'}: symbolic link loop, skipped"],
        "b.txt": [f"{corpus / 'b.txt'}: symbolic link loop, skipped"],
        "gone.txt": [f"{corpus / 'gone.txt'}: broken symbolic link (to missing.txt), skipped"],
        "good.txt": [], "linked.txt": [],
        "self.txt": [f"{corpus / 'self.txt'}: symbolic link loop, skipped"],
        "up": [f"{corpus / 'sub' / 'up'}: symbolic link loop (points back to {corpus}), "
               "skipped"],
    }
    assert read_corpus_file(good).result.releases
    # Named on the command line, a loop is given (and reported), not taken for a missing file.
    assert list(iter_corpus_files([corpus / "self.txt", corpus / "sub" / "up"])) \
        == [corpus / "self.txt", corpus / "sub" / "up"]


def test_folders_linked_to_each_other_are_walked_once(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    write(corpus / "a" / "one.txt", RUSSIAN_LISTING)
    write(corpus / "b" / "two.txt", RUSSIAN_LISTING)
    (corpus / "a" / "to-b").symlink_to(corpus / "b")
    (corpus / "b" / "to-a").symlink_to(corpus / "a")
    write(outside / "x" / "three.txt", RUSSIAN_LISTING)
    write(outside / "y" / "four.txt", RUSSIAN_LISTING)
    (outside / "x" / "to-y").symlink_to(outside / "y")
    (outside / "y" / "to-x").symlink_to(outside / "x")
    (corpus / "c").symlink_to(outside / "x")
    found = [p.relative_to(corpus).as_posix() for p in iter_corpus_files([corpus])]
    assert found == ["a/one.txt", "b/two.txt", "c/three.txt", "c/to-y/four.txt"]
