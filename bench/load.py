"""A load test for a running `govpress serve`: concurrent clients, a fixed query mix.

    python -m bench.load --url http://127.0.0.1:8000 --clients 8 --seconds 30

Each client keeps one HTTP/1.1 connection and walks the same fixed mix of requests (pages,
the JSON API, filters, sorting, paging, release pages; the release ids are taken from the
server's newest releases first), starting at a different point. The run stops by itself
after `--seconds` or `--requests` in all, whichever comes first, and prints requests/s,
latency p50/p95/p99 and the errors (any answer but 200, any failed connection). Exit
status 0 with no errors, 1 with some, 2 on bad usage. Only loopback addresses are
accepted: this is for measuring your own machine, not anyone else's server.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

QUERY_MIX: tuple[tuple[str, dict[str, str | list[str]]], ...] = (
    ("/api/search", {"q": "жилье"}),
    ("/search", {"q": "Kazakhstan"}),
    ("/api/search", {"q": "planting trees"}),
    ("/search", {}),
    ("/api/search", {"q": "министерство", "sort": "newest"}),
    ("/api/search", {"q": "Fitch OR EBRD"}),
    ("/search", {"q": "инвест*", "ui": "en"}),
    ("/api/search", {"agency": ["almaty", "economy"], "lang": "en"}),
    ("/api/search", {"q": '"квадратный метр"'}),
    ("/search", {"q": "development", "from": "2025-01-01", "to": "2025-12-31"}),
    ("/api/search", {"q": "region", "page": "2", "per_page": "10"}),
    ("/api/search", {"q": "title:Almaty"}),
    ("/search", {"sort": "oldest", "per_page": "50"}),
    ("/api/search", {"q": "Dosayev"}),  # a misspelling: the suggestion path
)
DOC_SHARE = 4  # one release page (/doc or /api/doc) after every this many searches
DEFAULT_REQUESTS = 100_000


@dataclass
class LoadResult:
    """What one run measured."""

    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful or not
    statuses: Counter[str] = field(default_factory=Counter)  # "200", "503", "error: …"

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != "200")

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency, in milliseconds (nearest rank)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def lines(self) -> list[str]:
        errors = ", ".join(f"{status} ×{n}" for status, n in sorted(self.statuses.items())
                           if status != "200")
        return [
            f"{self.requests} requests in {self.seconds:.1f} s: {self.throughput:.1f} requests/s",
            f"latency p50 {self.percentile(50):.1f} ms, p95 {self.percentile(95):.1f} ms, "
            f"p99 {self.percentile(99):.1f} ms",
            f"errors: {self.errors}" + (f" ({errors})" if errors else ""),
        ]


def is_loopback(host: str) -> bool:
    """Whether every address `host` resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def request_paths(doc_ids: list[str]) -> list[str]:
    """The fixed mix as request targets, release pages interleaved."""
    paths = []
    for number, (path, params) in enumerate(QUERY_MIX):
        paths.append(f"{path}?{urlencode(params, doseq=True)}" if params else path)
        if doc_ids and number % DOC_SHARE == DOC_SHARE - 1:
            release = doc_ids[(number // DOC_SHARE) % len(doc_ids)]
            prefix = "/api/doc/" if (number // DOC_SHARE) % 2 else "/doc/"
            paths.append(prefix + release)
    return paths


def _newest_ids(host: str, port: int, timeout: float) -> list[str]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", "/api/search?sort=newest&per_page=20")
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            return []
        return [hit["id"] for hit in json.loads(body)["hits"]]
    finally:
        connection.close()


def run(
    url: str,
    *,
    clients: int = 4,
    seconds: float = 30.0,
    requests: int = DEFAULT_REQUESTS,
    timeout: float = 10.0,
) -> LoadResult:
    """Drive `clients` concurrent clients against `url` until `seconds` have passed or
    `requests` have been made; every request is bounded by `timeout`."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 80
    if parts.scheme != "http" or not is_loopback(host):
        raise ValueError(f"{url}: only http:// on a loopback address (127.0.0.1, ::1, localhost)")
    paths = request_paths(_newest_ids(host, port, timeout))
    result = LoadResult()
    lock = threading.Lock()
    budget = [requests]
    started = time.perf_counter()
    deadline = started + seconds

    def take() -> bool:
        with lock:
            if budget[0] <= 0 or time.perf_counter() >= deadline:
                return False
            budget[0] -= 1
            return True

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        step = offset
        while take():
            path = paths[step % len(paths)]
            step += 1
            began = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                status = f"error: {type(error).__name__}"
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            elapsed = time.perf_counter() - began
            with lock:
                result.requests += 1
                result.latencies.append(elapsed)
                result.statuses[status] += 1
        connection.close()

    threads = [
        threading.Thread(target=client, args=(number * len(paths) // max(clients, 1),),
                         daemon=True)
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 2 * timeout)
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000",
                        help="the server (loopback only; default %(default)s)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most this long (30)")
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS,
                        help=f"at most this many requests in all ({DEFAULT_REQUESTS})")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds one request may take (10)")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.requests < 1 or args.timeout <= 0:
        parser.error("--clients, --seconds, --requests and --timeout must be positive")
    try:
        result = run(args.url, clients=args.clients, seconds=args.seconds,
                     requests=args.requests, timeout=args.timeout)
    except ValueError as error:
        print(f"bench.load: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"bench.load: {args.url}: {error}", file=sys.stderr)
        return 1
    print(f"{args.clients} client(s) against {args.url}")
    for line in result.lines():
        print(line)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
