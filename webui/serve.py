"""`govpress serve`: the web app under waitress, a production WSGI server.

Flask's development server is never used. The first run builds the index from the
bundled corpus so that `govpress serve` on a fresh checkout shows something; after that
the Searcher follows index commits (from `govpress index` runs) by itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import resource
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import waitress

from indexer.indexing import index_paths
from indexer.locations import bundled_corpus
from indexer.storage import IndexError_, index_exists
from search.searcher import Searcher
from webui.application import MAX_BODY_BYTES, create_app

log = logging.getLogger("govpress.serve")
access_log = logging.getLogger("govpress.access")

THREADS = 8
OPEN_FILES = 65_536
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc mallopt parameter
MAX_REQUEST_HEADER_BYTES = 16 * 1024
# Idle and slow clients cost a socket each, not a thread (README, "Limits"): waitress's
# defaults (100 connections, closed after 120 s idle) let 100 idle sockets lock everyone
# out for two minutes.
CONNECTION_LIMIT = 1000
IDLE_SECONDS = 30  # a connection with no traffic for this long is closed
CLEANUP_SECONDS = 5  # how often waitress looks for them
LOGGED_TARGET_CHARS = 300
FREE_PORT_TRIES = 20  # ports after a busy one to look at for one to suggest


class CannotServe(Exception):
    """The server cannot listen where it was asked to; the message says what to do."""


def _printable(target: str) -> str:
    """A request target safe for a log line: no control characters, bounded length."""
    cleaned = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in target)
    if len(cleaned) > LOGGED_TARGET_CHARS:
        cleaned = cleaned[:LOGGED_TARGET_CHARS] + "…"
    return cleaned


class AccessLog:
    """WSGI middleware: one line per request (method, path and query, status, ms)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], logger: logging.Logger) -> None:
        self.app = app
        self.logger = logger

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        status = ["-"]

        def recording_start_response(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not target:
            query = environ.get("QUERY_STRING", "")
            target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        method = environ.get("REQUEST_METHOD", "-")

        def log_line() -> None:
            elapsed = (time.perf_counter() - started) * 1000
            self.logger.info(
                "%s %s %s %.1fms", _printable(method), _printable(target), status[0], elapsed
            )

        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            status[0] = "500"
            log_line()
            raise
        return _LoggedBody(body, log_line)


class _LoggedBody:
    """The response body, logging once it has been sent (so the time includes sending)."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self.body = body
        self.done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done()


def _configure_logging() -> None:
    """Our request lines and waitress's notices on stderr; libraries only when they warn."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    for name in ("govpress", "waitress"):
        logging.getLogger(name).setLevel(logging.INFO)


def ensure_index(index_dir: Path) -> None:
    """Build the index from the bundled corpus when `index_dir` has none yet."""
    if index_exists(index_dir):
        return
    corpus = bundled_corpus()
    log.info("no index in %s: building it from the bundled corpus %s", index_dir, corpus)
    summary = index_paths([corpus], index_dir, report=log.warning)
    for line in summary.lines():
        log.info("%s", line)


def _allow_open_files() -> None:
    """Raise the soft limit on open files to the hard one: each server thread reads the
    index through its own open files, a few per segment (1,024, a common default, runs
    out on a large index with many segments)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, OPEN_FILES)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _warm_searcher(index_dir: Path) -> Searcher | None:
    """A Searcher that has read what searches need, so that no user waits for it (a
    million releases: ~10 s); None when the index cannot be opened, which the pages then
    explain."""
    started = time.perf_counter()
    try:
        searcher = Searcher(index_dir)
        searcher.warm_up()
    except IndexError_ as exc:
        log.warning("%s", exc)
        return None
    count = searcher.count_all()
    log.info("loaded %s release%s in %.1f s", f"{count:,}", "" if count == 1 else "s",
             time.perf_counter() - started)
    return searcher


def _limit_malloc_arenas() -> None:
    """Two malloc arenas instead of glibc's default of eight a core.

    Each server thread would otherwise keep the freed numpy buffers of its searches in an
    arena of its own: at 1,000,000 releases, 4 clients for a minute left 865 MB resident
    with the default and 760 MB with two arenas, at the same speed. glibc only.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, MALLOC_ARENAS)


def _bind_error(host: str, port: int) -> OSError | None:
    """Why a server could not listen on host:port now, or None if it could.

    Bound as waitress binds (`SO_REUSEADDR`), so a port only lingering after a server
    stopped counts as free, and one another program listens on as busy.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return exc
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                return exc
    return None


def check_port(host: str, port: int) -> None:
    """Say before anything else is done (building or loading the index) that host:port
    cannot be listened on, and how to choose another: `CannotServe`."""
    error = _bind_error(host, port)
    if error is None:
        return
    if isinstance(error, socket.gaierror):
        raise CannotServe(f"cannot listen on {host!r}: {error.strerror}; choose another "
                          "address with --host, e.g. --host 127.0.0.1")
    if error.errno == errno.EADDRINUSE:
        free = next((p for p in range(port + 1, min(port + FREE_PORT_TRIES, 65535) + 1)
                     if _bind_error(host, p) is None), None)
        example = f", e.g. --port {free}, which is free" if free else ""
        raise CannotServe(f"port {port} on {host} is already in use (another server listens "
                          f"on it); choose another port with --port{example}")
    if error.errno == errno.EACCES:
        raise CannotServe(f"no permission to listen on port {port} (ports below 1024 need "
                          "administrator rights); choose another port with --port, "
                          "e.g. --port 8000")
    raise CannotServe(f"cannot listen on {host} port {port}: {error.strerror}; choose "
                      "another address with --host or port with --port")


def serve(index_dir: Path, host: str, port: int) -> None:
    """Serve the web UI and JSON API on host:port until interrupted."""
    check_port(host, port)
    _configure_logging()
    _allow_open_files()
    _limit_malloc_arenas()
    ensure_index(index_dir)
    app = create_app(index_dir, _warm_searcher(index_dir))
    log.info("serving the index in %s on http://%s:%d/", index_dir, host, port)
    waitress.serve(
        AccessLog(app, access_log),
        host=host,
        port=port,
        threads=THREADS,
        ident="govpress",
        server_name=host,  # absolute links of a request without a Host header
        clear_untrusted_proxy_headers=True,
        # Waitress's own limits, before the app sees a request: 431 for a request line plus
        # headers over 16 KB (the app answers 414 for an address over 8 KB), 413 for a body
        # over 16 KB (no route reads one; the default would buffer up to 1 GB to disk).
        max_request_header_size=MAX_REQUEST_HEADER_BYTES,
        max_request_body_size=MAX_BODY_BYTES,
        # Many open connections: poll(), because select() fails on descriptors over 1,024
        # (a large index holds hundreds of files open).
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=IDLE_SECONDS,
        cleanup_interval=CLEANUP_SECONDS,
        asyncore_use_poll=True,
    )
