"""The `govpress` command: index, search, stats, export and serve.

Exit status: 0 on success, 2 on bad usage, 1 on any other error, always with a one-line
message on stderr (never a traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from indexer.batching import COMMIT_EVERY
from indexer.locations import INDEX_DIR_ENV, bundled_corpus, default_index_dir
from search.request import EXPORT_LIMIT, LANGS, MAX_PER_PAGE, SORTS, BadParameter, SearchRequest
from webui.display import partial_notices
from webui.i18n import UI_LANGUAGES

if TYPE_CHECKING:
    from search.results import SearchResults

# Each command imports what it needs when it runs (Whoosh, numpy, the analysis chain,
# Flask, waitress), so `govpress --help` and a search start fast: docs/benchmarks.md.

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 with usage; keep it one line
        raise UsageError(f"{self.prog}: {message}")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def _workers(text: str) -> int:
    from webui.serve import MAX_WORKERS

    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(
            f"expected a number of processes from 1 to {MAX_WORKERS}, got {text!r}")
    return int(text)


def _index_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index-dir", type=Path, default=None,
        help=f"index folder (default: ${INDEX_DIR_ENV} or {default_index_dir()})",
    )


def _filter_options(parser: argparse.ArgumentParser, sort: bool = True) -> None:
    parser.add_argument("query", nargs="?", default="", help="words to search (see README)")
    parser.add_argument("--agency", action="append", default=[], help="agency slug (repeatable)")
    parser.add_argument("--lang", choices=LANGS)
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    if sort:
        parser.add_argument("--sort", choices=SORTS, default="relevance",
                            help="default: relevance, or newest first with no query")


def _ui_option(parser: argparse.ArgumentParser, default: str | None, help: str) -> None:
    parser.add_argument("--ui", choices=UI_LANGUAGES, default=default, help=help)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="govpress", description="Search Kazakhstan government press releases.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    index = commands.add_parser("index", help="index listing files or folders of them")
    index.add_argument("paths", nargs="*", type=Path, help="files or folders (default: corpus/)")
    index.add_argument("--rebuild", action="store_true", help="start the index over")
    index.add_argument("--wait", type=float, default=10.0, metavar="SECONDS",
                       help="how long to wait for another indexing run to finish (default 10)")
    index.add_argument("--jobs", type=_positive, default=None, metavar="N",
                       help="worker processes (default: one per core for large input)")
    index.add_argument("--commit-every", type=_positive, metavar="N",
                       help=f"commit after every N changed releases (default {COMMIT_EVERY}, "
                       f"or a tenth of a larger input)")
    _index_dir_option(index)

    search = commands.add_parser("search", help="search the index")
    _filter_options(search)
    search.add_argument("--page", type=int, default=1)
    search.add_argument("--per-page", type=int, default=20, help=f"1–{MAX_PER_PAGE}")
    search.add_argument("--json", action="store_true", help="print the /api/search object")
    _ui_option(search, None, "language of agency names and labels (default: ru with --json, "
               "as the API; en in the list)")
    _index_dir_option(search)

    export = commands.add_parser(
        "export", help="write every matching release as CSV or JSON Lines",
        description="Every release the search finds, in its order (all of them: the "
        f"{EXPORT_LIMIT:,}-release cap of the web download does not apply here).",
    )
    _filter_options(export)
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv",
                        help="csv (UTF-8 with BOM, for Excel; the default) or jsonl")
    export.add_argument("--output", "-o", type=Path, default=None, metavar="FILE",
                        help="write to FILE instead of standard output")
    export.add_argument("--body", action="store_true", help="include the release text")
    export.add_argument("--limit", type=_positive, default=None, metavar="N",
                        help="at most N releases (default: all)")
    _ui_option(export, "ru", "language of agency names (default ru)")
    _index_dir_option(export)

    stats = commands.add_parser(
        "stats", help="counts by language, agency and month",
        description="Counts by language, agency and month of the whole index, or of the "
        "releases a query and filters select.",
    )
    _filter_options(stats, sort=False)
    _ui_option(stats, "en", "language of agency names and labels (default en)")
    _index_dir_option(stats)

    serve = commands.add_parser("serve", help="run the web interface")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000, help="default 8000")
    serve.add_argument("--workers", type=_workers, default=None, metavar="N",
                       help="server processes (default: one per CPU this process may use)")
    _index_dir_option(serve)
    return parser


def _request(args: argparse.Namespace, **extra: str) -> SearchRequest:
    params = {
        "q": [args.query],
        "agency": args.agency,
        "lang": [args.lang or ""],
        "from": [args.date_from or ""],
        "to": [args.date_to or ""],
        "sort": [getattr(args, "sort", "relevance")],
    }
    params.update({name: [value] for name, value in extra.items()})
    return SearchRequest.from_params(params)


def _cmd_index(args: argparse.Namespace) -> int:
    from indexer.indexing import index_paths

    paths = args.paths or [bundled_corpus()]
    summary = index_paths(
        paths, args.index_dir, rebuild=args.rebuild, lock_timeout=args.wait,
        commit_every=args.commit_every, jobs=args.jobs, progress=sys.stderr.isatty(),
        report=lambda line: print(line, file=sys.stderr, flush=True),
    )
    for line in summary.lines():
        print(line)
    return EXIT_ERROR if summary.missing else EXIT_OK


def _cmd_search(args: argparse.Namespace) -> int:
    from search.searcher import Searcher

    request = _request(args, page=str(args.page), per_page=str(args.per_page))
    results = Searcher(args.index_dir, time_budget=False).search(request)
    if args.json:
        print(json.dumps(results.as_json(args.ui or "ru"), ensure_ascii=False, indent=2))
    else:
        print(_render(results, args.ui or "en"))
    return EXIT_OK


def _render(results: SearchResults, ui: str) -> str:
    """Results for a terminal: matched words in bold where the terminal shows it."""
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("*", "*")
    request = results.request
    first = (request.page - 1) * request.per_page + 1
    lines = [f"{results.total} release(s)" + (
        f", showing {first}–{first + len(results.hits) - 1}" if results.hits else ""
    )]
    if results.unfiltered_total:
        lines.append(f"the filters exclude every match: without them, "
                     f"{results.unfiltered_total} release(s)")
    if results.suggestion:
        lines.append(f"Did you mean: {results.suggestion}")
    if results.partial is not None:
        lines += [f"Partial: {notice}" for notice in partial_notices(results, "en")]
    for hit in results.hits:
        text = _plain_snippet(hit.snippet, bold, plain)
        lines += [
            "",
            f"{hit.title}",
            f"  {hit.date.isoformat()} · {hit.agency_names.in_language(ui)} ({hit.agency})"
            f" · {hit.lang} · {hit.id}",
            *textwrap.wrap(text, width=100, initial_indent="  ", subsequent_indent="  "),
        ]
        if hit.url:
            lines.append(f"  {hit.url}")
    if results.pages > 1:
        lines += ["", f"page {request.page} of {results.pages} (use --page)"]
    return "\n".join(lines)


def _plain_snippet(html_snippet: str, bold: str, plain: str) -> str:
    marked = html_snippet.replace("<mark>", "\x00").replace("</mark>", "\x01")
    return unescape(marked).replace("\x00", bold).replace("\x01", plain)


def _cmd_export(args: argparse.Namespace) -> int:
    """Stream the releases as they are read: an export of the whole index never sits in
    memory. Bytes are UTF-8 whatever the terminal's encoding: the file is the product."""
    from search.export import iter_releases
    from search.searcher import Searcher
    from webui.formats import csv_chunks, jsonl_lines

    request = _request(args)
    searcher = Searcher(args.index_dir, time_budget=False)
    total, releases = iter_releases(searcher, request, args.limit)
    write = csv_chunks if args.format == "csv" else jsonl_lines
    chunks = write(releases, args.ui, args.body)
    if args.output is not None:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            out.writelines(chunks)
        written = total if args.limit is None else min(total, args.limit)
        print(f"{written} of {total} release(s) written to {args.output}", file=sys.stderr)
        return EXIT_OK
    sys.stdout.flush()
    stdout = getattr(sys.stdout, "buffer", None)
    try:
        for chunk in chunks:
            if stdout is not None:
                stdout.write(chunk.encode("utf-8"))
            else:
                sys.stdout.write(chunk)
        sys.stdout.flush()
    except BrokenPipeError:  # `govpress export … | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    return EXIT_OK


def _cmd_stats(args: argparse.Namespace) -> int:
    from search.results import facet_label
    from search.searcher import Searcher

    request = _request(args, per_page="1")
    results = Searcher(args.index_dir, time_budget=False).search(request)
    print(f"{results.total} release(s)")
    if not results.total:
        return EXIT_OK
    for facet, title in (("lang", "By language"), ("agency", "By agency"), ("month", "By month")):
        print(f"\n{title}:")
        for value in results.facets.get(facet, []):
            label = facet_label(facet, value.value, args.ui)
            name = value.value if label == value.value else f"{value.value} ({label})"
            print(f"  {value.count:>8}  {name}")
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from webui.serve import CannotServe, default_workers, serve

    try:
        serve(args.index_dir, args.host, args.port, args.workers or default_workers())
    except CannotServe as exc:
        print(f"govpress: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def _exit_now(code: int) -> NoReturn:
    """End the process without the interpreter's exit handlers.

    A Ctrl-C can land while the main thread holds the lock of one of the indexing workers'
    multiprocessing queues; the queue's exit handler then waits for that lock forever (an
    interrupted `govpress index` that never returns). Nothing is left to finish: the index
    is as of its last commit and the workers are gone.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


COMMANDS = {
    "index": _cmd_index, "search": _cmd_search, "export": _cmd_export, "stats": _cmd_stats,
    "serve": _cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.index_dir is None:
            args.index_dir = default_index_dir()
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except BadParameter as exc:
        name = "QUERY" if exc.name == "q" else f"--{exc.name.replace('_', '-')}"
        print(f"govpress: {name}: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("govpress: interrupted; the index keeps what was committed", file=sys.stderr)
        _exit_now(EXIT_ERROR)
    except BrokenPipeError:  # the reader of our output went away (`| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"govpress: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        from indexer.storage import IndexError_  # loaded already by whatever raised it

        if isinstance(exc, IndexError_):
            print(f"govpress: {exc}", file=sys.stderr)
            return EXIT_ERROR
        raise


if __name__ == "__main__":
    sys.exit(main())
