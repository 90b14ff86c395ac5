"""The benchmark corpus generator: deterministic, right counts, both languages, dates in range."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bench.generate import generate, main

SOURCE = re.compile(
    r"Source : https://www\.gov\.kz/memleket/entities/[a-z-]+/press/news/details/(\d+)"
    r"\?lang=(?:ru|en|kk)$",
    re.M,
)
DATE = re.compile(r"(?:^| )(\d\d)\.(\d\d)\.(\d{4})$", re.M)


def _read(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("listing_*.txt"))}


def test_tiny_corpus(tmp_path: Path, capsys) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert (
        main(
            ["--releases", "50", "--out", str(a), "--per-file", "20", "--seed", "7", "--jobs", "2"]
        )
        == 0
    )
    assert "wrote 50 releases" in capsys.readouterr().out
    generate(50, b, seed=7, per_file=20, jobs=1)
    files = _read(a)
    assert list(files) == ["listing_00000.txt", "listing_00001.txt", "listing_00002.txt"]
    assert files == _read(b)  # same seed, same bytes

    text = "".join(data.decode("utf-8") for data in files.values())
    ids = SOURCE.findall(text)
    assert text.count("Source :") == len(ids) == 50
    assert len(set(ids)) == 50
    assert re.search(r"[а-яё]{4}", text) and re.search(r"\b(?:the|and|of)\b", text)

    dates = [dt.date(int(y), int(m), int(d)) for d, m, y in DATE.findall(text)]
    assert len(dates) == 50
    assert all(dt.date(2016, 1, 1) <= d <= dt.date(2025, 12, 31) for d in dates)


def test_other_seed_differs_and_stale_files_go(tmp_path: Path) -> None:
    generate(30, tmp_path, seed=1, per_file=10, jobs=1)
    first = _read(tmp_path)
    generate(15, tmp_path, seed=2, per_file=10, jobs=1)
    second = _read(tmp_path)
    assert list(second) == ["listing_00000.txt", "listing_00001.txt"]
    assert second["listing_00000.txt"] != first["listing_00000.txt"]
