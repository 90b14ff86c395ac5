"""The govpress benchmark: indexing, query latency and HTTP latency at several corpus sizes.

    python -m bench.run --sizes 10000 100000 [--workdir bench/out] [--rounds 5]

For each size it generates a corpus (`bench.generate`, cached in the work folder), indexes
it with `govpress index` in a child process (throughput, peak memory, index size), runs
the fixed query set (`bench.queries`) in-process and then over HTTP against
`govpress serve` on loopback with 4 concurrent clients, and prints the figures as
Markdown. Then, when `tantivy` is installed (the `bench` extra), `bench.peer` indexes the
same corpus into tantivy and runs the same queries, and each figure is printed as a ratio
govpress / tantivy (`--no-peer` skips it). Timing is wall-clock on whatever else the
machine is doing: run it idle, or read the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

from bench.queries import Query, build_queries
from bench.stats import percentile
from search.export import agency_overview
from search.query import QueryParser
from search.request import SearchRequest
from search.searcher import Searcher

CLIENTS = 4
SCALING_CLIENTS = 8  # clients against one server process, then against one per core
Recorder = Callable[[str, str, list[float], int], None]


def _percentiles(samples: list[float]) -> str:
    """p50 / p95 / p99 in milliseconds."""
    if not samples:
        return "n/a (nothing to time)"
    p50, p95, p99 = (percentile(samples, p) * 1000 for p in (0.50, 0.95, 0.99))
    return f"{p50:.1f} / {p95:.1f} / {p99:.1f} ms"


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _generate(size: int, workdir: Path) -> Path:
    corpus = workdir / f"corpus-{size}"
    marker = corpus / ".complete"
    if not marker.exists():
        subprocess.run(
            [sys.executable, "-m", "bench.generate", "--releases", str(size), "--out",
             str(corpus)],
            check=True,
        )
        marker.touch()
    return corpus


def _index(corpus: Path, index_dir: Path) -> dict[str, str]:
    shutil.rmtree(index_dir, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "webui.cli", "index", str(corpus), "--index-dir", str(index_dir)],
        check=True, stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    releases = Searcher(index_dir).count_all()
    return {
        "releases": f"{releases:,}",
        "indexing time": f"{elapsed:.0f} s",
        "indexing throughput": f"{releases / elapsed:.0f} releases/s",
        "indexing peak RSS": f"{peak_kb / 1024:.0f} MB",
        "index size": f"{_folder_size(index_dir) / 2**20:.0f} MB",
    }


def _request(query: Query) -> SearchRequest:
    params = {name: value if isinstance(value, list) else [value]
              for name, value in query.params().items()}
    return SearchRequest.from_params(params)


def _rounds(value: str) -> int:
    if not value.isdigit() or int(value) < 2:
        raise argparse.ArgumentTypeError("at least 2: a query's first run, then its repeats")
    return int(value)


def _timed(work: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


def _runnable(searcher: Searcher) -> list[Query]:
    """The queries whose agencies the index has (a small corpus lacks the rare ones, and
    an agency nobody indexed is an error, not a search)."""
    indexed = {row.agency for row in agency_overview(searcher)}
    return [query for query in build_queries() if set(query.agencies) <= indexed]


def _queries(index_dir: Path, rounds: int, record: Recorder | None = None) -> dict[str, str]:
    """Latencies in-process. Each query's first run evaluates it ("first"); later runs of
    the same query (the next page, a facet click) reuse the evaluation ("repeat").
    `record` is given each query's label, kind, runs and match count (for the peer)."""
    searcher = Searcher(index_dir)
    queries = _runnable(searcher)
    started = time.perf_counter()
    searcher.warm_up()  # as `govpress serve` does before it listens
    warm_up = time.perf_counter() - started
    parser = QueryParser(searcher._ix.schema)
    whoosh = searcher._ix.searcher()
    top20: list[float] = []
    first: dict[str, list[float]] = {"page": [], "filtered": [], "browse": []}
    repeat: dict[str, list[float]] = {"page": [], "filtered": [], "browse": []}
    release_pages: list[float] = []
    for query in queries:
        request = _request(query)
        parsed = parser.parse(query.q)
        filtered = bool(query.agencies or query.date_from or query.date_to)
        if parsed is not None and not filtered:
            top20 += _timed(lambda p=parsed: whoosh.search(p.query, limit=20), rounds)
        kind = "browse" if parsed is None else "filtered" if filtered else "page"
        samples = _timed(lambda r=request: searcher.search(r), rounds)
        first[kind].append(samples[0])
        repeat[kind] += samples[1:]
        if record is not None:
            record(query.label, kind, samples, searcher.search(request).total)
        if kind == "page":  # the top hit's own page: its text and similar releases
            top = searcher.search(request).hits[:1]
            release_pages += [
                _timed(lambda i=hit.id: (searcher.document(i), searcher.similar(i)), 1)[0]
                for hit in top
            ]
    return {
        "serve start-up (`warm_up`)": f"{warm_up:.1f} s",
        "(a) top-20 hits only (plain Whoosh), p50/p95/p99": _percentiles(top20),
        "(b) full results page, first run, p50/p95/p99": _percentiles(first["page"]),
        "(b) full results page, repeated, p50/p95/p99": _percentiles(repeat["page"]),
        "(c) filtered queries, first run, p50/p95/p99": _percentiles(first["filtered"]),
        "(c) filtered queries, repeated, p50/p95/p99": _percentiles(repeat["filtered"]),
        "browse (filters only), p50/p95/p99": _percentiles(first["browse"] + repeat["browse"]),
        "release page (text + similar releases), p50/p95/p99": _percentiles(release_pages),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (a server's workers), from /proc."""
    tree, index = [pid], 0
    while index < len(tree):
        for children in Path(f"/proc/{tree[index]}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                tree += [int(child) for child in children.read_text().split()]
        index += 1
    return tree


def _proc_kb(path: str, *names: str) -> list[int]:
    """The kB figures of `names` in a /proc file of "Name: value kB" lines (0 if gone)."""
    fields: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":")
            if name in names:
                fields[name] = int(value.split()[0])
    return [fields.get(name, 0) for name in names]


def _serving_memory(pid: int) -> str:
    """Resident memory of a server's processes together: RSS now and the sum of their
    peaks, and PSS (proportional set size: pages shared between processes, such as the
    index files in the page cache and what the workers share since the fork, counted
    once across them) when the kernel reports it."""
    processes = _process_tree(pid)
    status = [_proc_kb(f"/proc/{p}/status", "VmRSS", "VmHWM") for p in processes]
    rss, peak = (sum(figures[i] for figures in status) / 1024 for i in (0, 1))
    pss = sum(_proc_kb(f"/proc/{p}/smaps_rollup", "Pss")[0] for p in processes) / 1024
    shared = f", PSS {pss:.0f} MB" if pss else ""
    count = f"{len(processes)} process{'es' if len(processes) > 1 else ''}"
    return f"{rss:.0f} / {peak:.0f} MB{shared} ({count})"


@contextlib.contextmanager
def serving(index_dir: Path, workers: int | None = None) -> Iterator[subprocess.Popen]:
    """`govpress serve` (`workers` processes, by default one per core) on a free loopback
    port for the duration of a measurement; the process's `port` attribute says where."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "webui.cli", "serve", "--port", str(port),
         "--index-dir", str(index_dir), *(["--workers", str(workers)] if workers else [])],
        stderr=subprocess.DEVNULL,
    )
    server.port = port
    try:
        _wait_for(port)
        yield server
    finally:
        server.terminate()
        server.wait()


def _result_pages(index_dir: Path) -> list[str]:
    """The results page of every query of the set, as a request target."""
    return [
        "/search?" + urlencode({k: v for k, v in q.params().items() if v}, doseq=True)
        for q in _runnable(Searcher(index_dir))
    ]


def _drive(port: int, paths: list[str], clients: int,
           rounds: int) -> tuple[list[float], list[str], float]:
    """`clients` concurrent clients, each on its own connection walking `paths` `rounds`
    times from its own starting point: every request's latency, the answers other than
    200, and the wall-clock seconds of the whole run."""
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for round_ in range(rounds):
            for i in range(len(paths)):
                path = paths[(i + offset + round_) % len(paths)]
                started = time.perf_counter()
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    samples.append(elapsed)
                    if response.status != 200:
                        errors.append(f"{response.status} {path}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i * 7,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, errors, time.perf_counter() - started


def _http(index_dir: Path, rounds: int) -> dict[str, str]:
    with serving(index_dir) as server:
        samples, errors, elapsed = _drive(server.port, _result_pages(index_dir), CLIENTS,
                                          rounds)
        return {
            f"HTTP results page, {CLIENTS} clients, p50/p95/p99": _percentiles(samples),
            "HTTP throughput": f"{len(samples) / elapsed:.0f} pages/s ({len(samples)} requests, "
                               f"{len(errors)} errors)",
            "serving RSS (now / peak)": _serving_memory(server.pid),
        }


def _scaling(index_dir: Path, rounds: int) -> dict[str, str]:
    """The same page load from `SCALING_CLIENTS` clients against `govpress serve
    --workers 1` and then against the default (one worker per core; two on a single
    core), each server fresh: how much the extra processes add, and what they cost in
    memory."""
    from webui.serve import default_workers

    paths = _result_pages(index_dir)
    figures: dict[str, str] = {}
    rates: list[float] = []
    many = max(2, default_workers())
    for workers in (1, many):
        with serving(index_dir, workers) as server:
            samples, errors, elapsed = _drive(server.port, paths, SCALING_CLIENTS, rounds)
            memory = _serving_memory(server.pid)
        rates.append(len(samples) / elapsed)
        name = f"HTTP {SCALING_CLIENTS} clients, {workers} process{'es' if workers > 1 else ''}"
        figures[f"{name}, pages/s"] = (f"{rates[-1]:.1f} pages/s ({len(samples)} requests, "
                                       f"{len(errors)} errors)")
        figures[f"{name}, p50/p95/p99"] = _percentiles(samples)
        figures[f"{name}, serving memory (RSS now / peak)"] = memory
    figures[f"HTTP {SCALING_CLIENTS} clients, page rate {many} processes / 1"] = (
        f"{rates[1] / rates[0]:.2f}×")
    return figures


def _wait_for(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/search?q=")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"govpress serve did not answer on port {port}")


def _peer_module(skip: bool) -> ModuleType | None:
    """`bench.peer` (tantivy), or None with one line saying why it is skipped."""
    if skip:
        return None
    try:
        return importlib.import_module("bench.peer")
    except ModuleNotFoundError as error:
        if error.name != "tantivy":
            raise
        print("peer skipped: tantivy is not installed (pip install -e '.[bench]' adds it)")
        return None


def _side_by_side(peer: ModuleType, size: int, corpus: Path, args: argparse.Namespace,
                  figures: dict[str, str], govpress: object) -> None:
    """The same corpus indexed and the same queries run in tantivy, printed as ratios."""
    index_dir = args.workdir / f"index-{size}"
    searcher = Searcher(index_dir)
    releases = searcher.count_all()
    throughput = figures.get("indexing throughput")  # "279 releases/s"; absent when reused
    ours = peer.Built(releases, releases / float(throughput.split()[0]) if throughput else None,
                      _folder_size(index_dir))
    built = peer.build(corpus, args.workdir / f"tantivy-{size}")
    timings = peer.measure(args.workdir / f"tantivy-{size}", _runnable(searcher), args.rounds)
    print("\n".join(peer.compare(size, govpress, timings, ours, built)))
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    parser.add_argument("--rounds", type=_rounds, default=5,
                        help="runs of each query: the first, then repeats (at least 2)")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP measurement")
    parser.add_argument("--reuse-index", action="store_true",
                        help="measure queries on an existing index of that size")
    parser.add_argument("--no-peer", action="store_true",
                        help="skip the side-by-side run of the same corpus and queries in tantivy")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}")
    peer = _peer_module(args.no_peer)
    for size in args.sizes:
        corpus = _generate(size, args.workdir)
        index_dir = args.workdir / f"index-{size}"
        figures: dict[str, str] = {}
        if not (args.reuse_index and index_dir.is_dir()):
            figures.update(_index(corpus, index_dir))
        govpress = peer.Timings() if peer else None
        figures.update(_queries(index_dir, args.rounds, govpress.add if govpress else None))
        if not args.no_http:
            figures.update(_http(index_dir, max(1, args.rounds // 2)))
            figures.update(_scaling(index_dir, max(1, args.rounds // 2)))
        print(f"\n### {size:,} releases\n\n| measure | figure |\n| --- | --- |")
        for name, value in figures.items():
            print(f"| {name} | {value} |")
        sys.stdout.flush()
        (args.workdir / f"figures-{size}.json").write_text(json.dumps(figures, indent=1))
        if peer:
            _side_by_side(peer, size, corpus, args, figures, govpress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
