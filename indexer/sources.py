"""Finding corpus files on disk and reading them, whatever state they are in.

Corpus files come from scrapes and hand copies: some are cp1251 or UTF-16 (with or
without a byte order mark), some mix UTF-8 and cp1251 lines, some hold a stray NUL byte,
some are not text at all, some cannot be read, some are symbolic links that loop. None of
that stops indexing: each file comes back as a `FileResult` whose `problems` say, one line
each ("PATH: what"), what was wrong with it.

Whether a file is text is decided by its whole content, never by where a byte sits:
UTF-16 by its zero bytes (every other byte of its ASCII characters), binary by the share
of control bytes in the whole file (random or compressed data has ~11%, text none), and a
text line that is not UTF-8 is read as cp1251, line by line, so that the UTF-8 lines of a
mixed file stay UTF-8.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.jsonl import parse_jsonl
from indexer.listing import ParseResult, parse_listing, split_lines

CORPUS_SUFFIXES = (".txt", ".jsonl")
JSONL_SUFFIX = ".jsonl"
_MAX_CONTROL_SHARE = 0.05
# Control bytes that do not occur in text (tab, line feed, vertical tab, form feed and
# carriage return do).
_CONTROL_BYTES = bytes(range(0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# UTF-16 without a byte order mark: at least this share of the bytes at one parity is
# zero (the high byte of spaces, digits, punctuation, line breaks, Latin letters; a
# Cyrillic listing has ~25%) and almost none at the other.
_UTF16_MIN_ZERO_SHARE = 0.15
_UTF16_MAX_OTHER_ZERO_SHARE = 0.01
_LINE_BREAKS = re.compile(rb"(\r\n|\r|\n)")
_LISTED_LINES = 10  # line numbers named in one message; more are counted
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
    files and folders, following symbolic links to folders; a file named outright is
    given whatever its extension. A path that does not exist gives nothing: the caller
    reports it (`read_corpus_file` would, too). A sub-folder that cannot be listed, a
    symbolic link that loops (to itself, or to a folder it is in) and a broken one are
    given as they are, so that reading them reports why.
    """
    seen: set[Path] = set()
    for path in paths:
        found = (_files_in(path) if path.is_dir() and not _loops(path)
                 else [path] if path.exists() or path.is_symlink() else [])
        for file in found:
            key = _resolved(file)
            if key not in seen:
                seen.add(key)
                yield file


def read_corpus_file(path: Path) -> FileResult:
    """Read and parse one corpus file; never raises for a bad or missing file."""
    if problem := _link_problem(path):
        return FileResult(path, None, [problem])
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
    """The corpus files under `folder`; a link back to a folder above it is given as is.

    A linked folder is walked when it lies outside `folder` and was not walked yet (one
    inside is walked as itself), so that links that lead to each other end too.
    """
    found: list[Path] = []
    tree = _resolved(folder)
    walked: set[Path] = set()

    def unlistable(error: OSError) -> None:
        found.append(Path(error.filename))

    def walk_into(path: Path) -> bool:
        if not path.is_symlink():
            return True
        target = _resolved(path)
        return target not in walked and target != tree and tree not in target.parents

    for root, folders, files in os.walk(folder, onerror=unlistable, followlinks=True):
        walked.add(_resolved(Path(root)))
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        loops = [name for name in folders if _loops(Path(root, name))]
        found.extend(Path(root, name) for name in loops)
        folders[:] = [name for name in folders
                      if name not in loops and walk_into(Path(root, name))]
        found.extend(
            Path(root, name)
            for name in files
            if not name.startswith(".") and name.lower().endswith(CORPUS_SUFFIXES)
        )
    return sorted(found, key=lambda file: file.relative_to(folder).parts)


def _loops(path: Path) -> bool:
    """Whether `path` is a symbolic link to a folder that holds it (walking it never ends)."""
    if not path.is_symlink():
        return False
    try:
        target = path.resolve(strict=True)
        parent = path.parent.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return target.is_dir() and (target == parent or target in parent.parents)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link that loops: it is its own file
        return path.absolute()


def _link_problem(path: Path) -> str | None:
    """What is wrong with a symbolic link that leads to no file: a loop, or nothing."""
    if not path.is_symlink():
        return None
    if _loops(path):
        return f"{path}: symbolic link loop (points back to {path.resolve()}), skipped"
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return f"{path}: symbolic link loop, skipped"
        if error.errno == errno.ENOENT:
            return f"{path}: broken symbolic link (to {os.readlink(path)}), skipped"
    return None


def _folder_problem(folder: Path) -> str:
    try:
        os.listdir(folder)
    except OSError as error:
        return f"{folder}: cannot read folder: {error.strerror or error}"
    return f"{folder}: is a folder, not a corpus file"


def _decode(path: Path, data: bytes) -> tuple[str | None, list[str]]:
    """The text of a file and any problem found on the way; None when it is not text."""
    if data.startswith(_UTF16_BOMS):
        return _decode_utf16(path, data, "utf-16", "")
    if endian := _utf16_without_bom(data):
        order = "little" if endian == "le" else "big"
        return _decode_utf16(path, data, f"utf-16-{endian}",
                             f" ({order}-endian, no byte order mark)")
    if _looks_binary(data):
        return None, [f"{path}: binary file, skipped"]
    decoded = _decode_lines(data.removeprefix(codecs.BOM_UTF8))
    if decoded is None:
        return None, [f"{path}: neither UTF-8 nor cp1251 text, skipped"]
    text, cp1251_lines, utf8_lines = decoded
    problems = []
    if cp1251_lines and not utf8_lines:
        problems.append(f"{path}: not UTF-8, read as cp1251")
    elif cp1251_lines:
        problems.append(f"{path}: {_lines(cp1251_lines)} not UTF-8, read as cp1251 "
                        "(the other lines are UTF-8)")
    return _without_nul(path, text, problems)


def _decode_utf16(path: Path, data: bytes, codec: str, how: str) -> tuple[str | None, list[str]]:
    try:
        text = data[: len(data) // 2 * 2].decode(codec)
    except UnicodeDecodeError:
        return None, [f"{path}: binary file, skipped"]
    if _looks_binary(text.encode("utf-8", "surrogatepass")):
        return None, [f"{path}: binary file, skipped"]
    return _without_nul(path, text, [f"{path}: not UTF-8, read as UTF-16{how}"])


def _utf16_without_bom(data: bytes) -> str | None:
    """"le" or "be" when the zero bytes say the data is UTF-16, else None."""
    even, odd = data[0::2], data[1::2]
    if len(odd) < 2:
        return None
    even_zeros, odd_zeros = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zeros >= _UTF16_MIN_ZERO_SHARE and even_zeros <= _UTF16_MAX_OTHER_ZERO_SHARE:
        return "le"
    if even_zeros >= _UTF16_MIN_ZERO_SHARE and odd_zeros <= _UTF16_MAX_OTHER_ZERO_SHARE:
        return "be"
    return None


def _looks_binary(data: bytes) -> bool:
    """More control bytes than text ever holds, counted over the whole file."""
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return bool(data) and control / len(data) > _MAX_CONTROL_SHARE


def _decode_lines(data: bytes) -> tuple[str, list[int], int] | None:
    """The text, the numbers of the lines read as cp1251 and how many non-ASCII lines
    are UTF-8; None if a line is neither UTF-8 nor cp1251."""
    try:
        return data.decode("utf-8"), [], 1
    except UnicodeDecodeError:
        pass
    # line, break, line, …: no UTF-8 or cp1251 character holds a line-break byte, so
    # splitting the bytes splits the text exactly where `split_lines` does.
    pieces = _LINE_BREAKS.split(data)
    text: list[str] = []
    cp1251_lines: list[int] = []
    utf8_lines = 0
    for index, piece in enumerate(pieces):
        if index % 2:  # a line break
            text.append(piece.decode("ascii"))
            continue
        try:
            text.append(piece.decode("utf-8"))
            utf8_lines += not piece.isascii()
            continue
        except UnicodeDecodeError:
            pass
        try:
            text.append(piece.decode("cp1251"))
        except UnicodeDecodeError:
            return None
        cp1251_lines.append(index // 2 + 1)
    return "".join(text), cp1251_lines, utf8_lines


def _without_nul(path: Path, text: str, problems: list[str]) -> tuple[str, list[str]]:
    """The text without NUL characters (they end strings in C libraries, XML cannot hold
    them, and no listing means one), and a problem naming the lines they were on."""
    if "\x00" not in text:
        return text, problems
    lines = [number for number, line in enumerate(split_lines(text), start=1) if "\x00" in line]
    problems = [*problems, f"{path}: NUL bytes removed from {_lines(lines)}"]
    return text.replace("\x00", ""), problems


def _lines(numbers: list[int]) -> str:
    """"line 3", "lines 3, 7–9" (ranges joined), "lines 1–4, 9, … (40 lines)"."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    shown = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:_LISTED_LINES]]
    more = f", … ({len(numbers)} lines)" if len(runs) > _LISTED_LINES else ""
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(shown) + more
