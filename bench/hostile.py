"""Hostile load: what the queries of `tests/data/hostile_queries.txt` cost, whether a simple
search stays fast while they run, and what idle and slow connections do (issue 14).

    python -m bench.hostile --releases 100000 [--workdir bench/out] [--seconds 60]
    python -m bench.hostile --index-dir /tmp/ix [--seconds 60]

1. In-process, each hostile query's first run on fresh caches: its answer (400 naming a
   limit, partial, complete) and its time. The goal: none over 1 s at 100,000 releases.
2. Over HTTP against `govpress serve` on loopback: one client sending simple one-word
   searches alone, then with `--clients` (8) clients sending hostile queries in a loop:
   the simple searches' p50/p95/p99 (goal: p95 under 100 ms) and what the hostile ones got.
3. 500 idle and 100 half-sent (slowloris) connections held open: the simple searches'
   latency meanwhile, and how long the server keeps a half-sent request.
Timing is wall-clock on whatever else the machine is doing: note the load with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench.generate import dictionary_words
from bench.run import _generate, _index, _percentiles, serving
from search.evaluate import PostingsCache
from search.request import BadParameter, SearchRequest
from search.searcher import SearchBusy, Searcher, _Evaluations

HOSTILE_QUERIES = Path(__file__).parents[1] / "tests" / "data" / "hostile_queries.txt"
CLIENTS = 8
IDLE = 500
SLOW = 100
SIMPLE_WORDS = 40  # per language, at frequency ranks 1000-…: ordinary one-word searches


def hostile_queries(path: Path = HOSTILE_QUERIES) -> list[tuple[str, str]]:
    """(name, query) pairs: each query is the line after its `# name` line."""
    pairs, name = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            name = line[1:].strip()
        elif line.strip():
            pairs.append((name or line[:40], line))
            name = None
    return pairs


def simple_queries() -> list[str]:
    words = []
    for lang in ("ru", "en"):
        vocabulary, _ = dictionary_words(lang)
        words += [w for w in vocabulary[1000:1200] if w.isalpha()][:SIMPLE_WORDS]
    return words


def in_process(index_dir: Path) -> tuple[list[str], float]:
    """One Markdown row per hostile query, and the longest time."""
    searcher = Searcher(index_dir)
    searcher.warm_up()
    rows, longest = [], 0.0
    for name, q in hostile_queries():
        searcher._postings = PostingsCache()  # a first run: nothing of it cached
        searcher._evaluations = _Evaluations(searcher._postings)  # with the server's budget
        started = time.perf_counter()
        try:
            results = searcher.search(SearchRequest(q=q))
            if results.partial is None:
                answer = f"complete, {results.total:,}"
            else:
                why = "stopped" if results.partial.stopped else "prefixes cut"
                answer = f"partial ({why}), {results.total:,}"
        except BadParameter as error:
            answer = f"400: {error.message}"
        except SearchBusy:
            answer = "503 busy"
        elapsed = time.perf_counter() - started
        longest = max(longest, elapsed)
        rows.append(f"| {name} | {answer} | {elapsed * 1000:,.0f} ms |")
    return rows, longest


class _Client:
    """One keep-alive connection that records (status, seconds, partial) per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str) -> tuple[int, float, bool]:
        started = time.perf_counter()
        try:
            self.connection.request("GET", path)
            response = self.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            return 0, time.perf_counter() - started, False
        partial = response.status == 200 and json.loads(body).get("partial") is not None
        return response.status, time.perf_counter() - started, partial


def _simple_run(port: int, seconds: float) -> list[float]:
    client, samples, words = _Client(port), [], simple_queries()
    deadline = time.monotonic() + seconds
    step = 0
    while time.monotonic() < deadline:
        status, elapsed, _ = client.get("/api/search?" + urlencode({"q": words[step % len(words)]}))
        step += 1
        if status == 200:
            samples.append(elapsed)
        time.sleep(0.05)  # a person, not a flood
    return samples


def under_attack(port: int, seconds: float, clients: int) -> dict[str, str]:
    figures = {"simple searches alone, p50/p95/p99": _percentiles(_simple_run(port, seconds / 3))}
    stop = threading.Event()
    outcomes: Counter[str] = Counter()
    hostile_times: list[float] = []
    lock = threading.Lock()
    paths = ["/api/search?" + urlencode({"q": q}) for _, q in hostile_queries()]

    def attacker(offset: int) -> None:
        client, step = _Client(port), offset
        while not stop.is_set():
            status, elapsed, partial = client.get(paths[step % len(paths)])
            step += 1
            with lock:
                outcomes["200 partial" if partial else str(status)] += 1
                hostile_times.append(elapsed)

    threads = [threading.Thread(target=attacker, args=(i * 3,), daemon=True)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    try:
        simple = _simple_run(port, seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    figures[f"simple searches with {clients} hostile clients, p50/p95/p99"] = _percentiles(simple)
    figures[f"hostile requests ({sum(outcomes.values())}), p50/p95/p99"] = _percentiles(
        hostile_times)
    figures["hostile answers"] = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))
    return figures


def slow_clients(port: int) -> dict[str, str]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < IDLE + SLOW + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, IDLE + SLOW + 100), hard))
    held: list[socket.socket] = []
    try:
        started = time.perf_counter()
        for number in range(IDLE + SLOW):
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            if number >= IDLE:
                sock.sendall(b"GET /search?q=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            held.append(sock)
        opened = time.perf_counter() - started
        simple = _simple_run(port, 10)
        slow = held[-1]
        started = time.perf_counter()
        try:
            slow.settimeout(120)
            closed = "closed" if slow.recv(1) == b"" else "answered"
        except OSError:
            closed = "reset"
        kept = time.perf_counter() - started + 10  # the simple run came first
    finally:
        for sock in held:
            sock.close()
    return {
        f"{IDLE} idle + {SLOW} half-sent connections opened in": f"{opened:.1f} s",
        "simple searches meanwhile, p50/p95/p99": _percentiles(simple),
        "a half-sent request is kept": f"{kept:.0f} s, then {closed}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--index-dir", type=Path, help="an existing index to measure")
    where.add_argument("--releases", type=int, help="generate and index this many releases")
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    parser.add_argument("--seconds", type=float, default=60, help="of the attack")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="hostile clients")
    parser.add_argument("--no-queries", action="store_true", help="skip part 1")
    parser.add_argument("--no-slow", action="store_true", help="skip part 3")
    args = parser.parse_args(argv)
    index_dir = args.index_dir
    if index_dir is None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        index_dir = args.workdir / f"index-{args.releases}"
        if not index_dir.is_dir():
            print(_index(_generate(args.releases, args.workdir), index_dir))
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, index {index_dir}")
    if not args.no_queries:
        rows, longest = in_process(index_dir)
        print("\n| hostile query | answer | first run |\n| --- | --- | --- |")
        print("\n".join(rows))
        print(f"\nlongest: {longest * 1000:,.0f} ms")
    with serving(index_dir) as server:
        figures = under_attack(server.port, args.seconds, args.clients)
        if not args.no_slow:
            figures.update(slow_clients(server.port))
    print("\n| measure | figure |\n| --- | --- |")
    for name, value in figures.items():
        print(f"| {name} | {value} |")
    print(f"\nload after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
