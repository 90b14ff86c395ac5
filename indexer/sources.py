"""Finding corpus files on disk and reading them, whatever state they are in.

Corpus files come from scrapes and hand copies: some are cp1251 or UTF-16, some are not
text at all, some cannot be read. None of that stops indexing: each file comes back as a
`FileResult` whose `problems` say, one line each ("PATH: what"), what was wrong with it.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.jsonl import parse_jsonl
from indexer.listing import ParseResult, parse_listing

CORPUS_SUFFIXES = (".txt", ".jsonl")
JSONL_SUFFIX = ".jsonl"
_SAMPLE_BYTES = 8192
_MAX_CONTROL_SHARE = 0.3
# Control bytes that do not occur in text (tab, line feed, vertical tab, form feed and
# carriage return do).
_CONTROL_BYTES = frozenset(range(0x09)) | frozenset(range(0x0E, 0x20)) | {0x7F}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class FileResult:
    """One corpus file read: what its reader found, or None if it could not be read.

    `problems` are messages about the file as a whole; some (a cp1251 file) come with a
    result, others (binary, empty, unreadable) mean `result` is None.
    """

    path: Path
    result: ParseResult | None
    problems: list[str] = field(default_factory=list)


def iter_corpus_files(paths: list[Path]) -> Iterator[Path]:
    """The corpus files named by `paths`, each once, in order.

    A folder gives its `.txt` and `.jsonl` files, recursively, sorted, without hidden
    files and folders; a file named outright is given whatever its extension. A path that
    does not exist gives nothing: the caller reports it (`read_corpus_file` would, too).
    A sub-folder that cannot be listed is given as is, so that reading it reports why.
    """
    seen: set[Path] = set()
    for path in paths:
        found = _files_in(path) if path.is_dir() else [path] if path.exists() else []
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def read_corpus_file(path: Path) -> FileResult:
    """Read and parse one corpus file; never raises for a bad or missing file."""
    if path.is_dir():
        return FileResult(path, None, [_folder_problem(path)])
    if path.exists() and not path.is_file():
        return FileResult(path, None, [f"{path}: not a regular file, skipped"])
    try:
        data = path.read_bytes()
    except OSError as error:
        return FileResult(path, None, [f"{path}: cannot read: {error.strerror or error}"])
    text, problems = _decode(path, data)
    if text is None:
        return FileResult(path, None, problems)
    if not text.strip():
        return FileResult(path, None, [*problems, f"{path}: empty file"])
    parse = parse_jsonl if path.suffix.lower() == JSONL_SUFFIX else parse_listing
    return FileResult(path, parse(text, str(path)), problems)


def _files_in(folder: Path) -> list[Path]:
    found: list[Path] = []

    def unlistable(error: OSError) -> None:
        found.append(Path(error.filename))

    for root, folders, files in os.walk(folder, onerror=unlistable):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found.extend(
            Path(root, name)
            for name in files
            if not name.startswith(".") and name.lower().endswith(CORPUS_SUFFIXES)
        )
    return sorted(found, key=lambda file: file.relative_to(folder).parts)


def _folder_problem(folder: Path) -> str:
    try:
        os.listdir(folder)
    except OSError as error:
        return f"{folder}: cannot read folder: {error.strerror or error}"
    return f"{folder}: is a folder, not a corpus file"


def _decode(path: Path, data: bytes) -> tuple[str | None, list[str]]:
    """The text of a file and any problem found on the way; None when it is not text."""
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), [f"{path}: not UTF-8, read as UTF-16"]
        except UnicodeDecodeError:
            return None, [f"{path}: binary file, skipped"]
    if _looks_binary(data[:_SAMPLE_BYTES]):
        return None, [f"{path}: binary file, skipped"]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), [f"{path}: not UTF-8, read as cp1251"]
    except UnicodeDecodeError:
        return None, [f"{path}: neither UTF-8 nor cp1251 text, skipped"]


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    control = sum(byte in _CONTROL_BYTES for byte in sample)
    return bool(sample) and control / len(sample) > _MAX_CONTROL_SHARE
