"""`govpress serve`: the web app under waitress, a production WSGI server, in one worker
process per core.

Flask's development server is never used. The first run builds the index from the
bundled corpus so that `govpress serve` on a fresh checkout shows something. The parent
process then listens on the port and forks the workers (pre-fork): each runs waitress on
the inherited socket with a Searcher of its own, which follows index commits (from
`govpress index` runs) by itself. The parent only supervises: it replaces a worker that
dies and stops them all on Ctrl-C or SIGTERM. Nothing large is loaded before the fork, so
no worker holds a copy of another's memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gc
import logging
import os
import resource
import select
import shutil
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import waitress

from indexer.indexing import index_paths
from indexer.locations import bundled_corpus
from indexer.processes import end_with_parent
from indexer.storage import IndexError_, index_exists
from search.searcher import Searcher, load_analysis
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
MAX_WORKERS = 64
FIRST_RUN_FOLDER = ".first-run"  # inside the index folder while the first build runs
BACKLOG = 1024  # connections the kernel queues for the workers to accept
STOP_SECONDS = 10  # workers still running this long after SIGTERM are killed
RESTART_PAUSE = 1.0  # a worker that died sooner than this after its start is restarted
# only after this long, so that one failing at start-up does not fork in a tight loop


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
        handler.setFormatter(logging.Formatter("%(asctime)s [%(process)d] %(name)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    for name in ("govpress", "waitress"):
        logging.getLogger(name).setLevel(logging.INFO)


def ensure_index(index_dir: Path) -> None:
    """Build the index from the bundled corpus when `index_dir` has none yet.

    The build is made in a folder of its own inside `index_dir` and its files are moved
    up when it is complete, the table of contents last: a build interrupted (Ctrl-C, a
    crash) leaves no index, so the next start builds again instead of serving an empty
    one."""
    if index_exists(index_dir):
        return
    corpus = bundled_corpus()
    log.info("no index in %s: building it from the bundled corpus %s", index_dir, corpus)
    building = index_dir / FIRST_RUN_FOLDER
    shutil.rmtree(building, ignore_errors=True)  # what an interrupted build left
    summary = index_paths([corpus], building, report=log.warning)
    for path in sorted(building.iterdir(), key=lambda path: path.suffix == ".toc"):
        os.replace(path, index_dir / path.name)
    building.rmdir()
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


def _warm_searcher(index_dir: Path, processes: int) -> Searcher | None:
    """A Searcher that has read what searches need, so that no user waits for it (a
    million releases: ~10 s); None when the index cannot be opened, which the pages then
    explain."""
    started = time.perf_counter()
    try:
        searcher = Searcher(index_dir, processes=processes)
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
    if error is not None:
        raise _cannot_serve(host, port, error)


def _cannot_serve(host: str, port: int, error: OSError) -> CannotServe:
    """What to tell the user when listening on host:port failed with `error`."""
    if isinstance(error, socket.gaierror):
        return CannotServe(f"cannot listen on {host!r}: {error.strerror}; choose another "
                           "address with --host, e.g. --host 127.0.0.1")
    if error.errno == errno.EADDRINUSE:
        free = next((p for p in range(port + 1, min(port + FREE_PORT_TRIES, 65535) + 1)
                     if _bind_error(host, p) is None), None)
        example = f", e.g. --port {free}, which is free" if free else ""
        return CannotServe(f"port {port} on {host} is already in use (another server "
                           f"listens on it); choose another port with --port{example}")
    if error.errno == errno.EACCES:
        return CannotServe(f"no permission to listen on port {port} (ports below 1024 "
                           "need administrator rights); choose another port with --port, "
                           "e.g. --port 8000")
    return CannotServe(f"cannot listen on {host} port {port}: {error.strerror}; choose "
                       "another address with --host or port with --port")


def default_workers() -> int:
    """One worker per CPU this process may run on (a container or `taskset` may allow
    fewer than the machine has), at most `MAX_WORKERS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def _listen(host: str, port: int) -> list[socket.socket]:
    """The listening sockets of host:port (one per address it resolves to), bound once
    here and shared by every worker; `CannotServe` as `check_port` says it."""
    sockets: list[socket.socket] = []
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in dict.fromkeys(
            (info[0], info[1], info[2], None, info[4]) for info in addresses
        ):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(BACKLOG)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise _cannot_serve(host, port, exc) from None
    return sockets


class _Stop(SystemExit):
    """SIGINT or SIGTERM arrived: stop serving (raised by the signal handler; a
    `SystemExit`, which waitress's loop lets through and ends its `run` with)."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signum)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def serve(index_dir: Path, host: str, port: int, workers: int = 1) -> None:
    """Serve the web UI and JSON API on host:port with `workers` processes until
    interrupted (Ctrl-C or SIGTERM)."""
    check_port(host, port)
    _configure_logging()
    _allow_open_files()
    _limit_malloc_arenas()
    ensure_index(index_dir)  # before the handlers: Ctrl-C here ends as in `govpress index`
    sockets = _listen(host, port)
    for signum in _STOP_SIGNALS:
        signal.signal(signum, _raise_stop)
    try:
        where = f"the index in {index_dir} on http://{host}:{port}/"
        if workers == 1:
            server = _server(index_dir, host, sockets, processes=1)
            log.info("serving %s in 1 process", where)
            server.run()  # returns on `_Stop`
        else:
            load_analysis()
            gc.freeze()  # what the workers share: no collection of theirs writes to it
            _Supervisor(index_dir, host, sockets, workers).run(where)
    except _Stop:
        pass
    log.info("stopped")


def _server(index_dir: Path, host: str, sockets: list[socket.socket], processes: int) -> Any:
    """A waitress server of the app on the listening `sockets`, its Searcher warm."""
    app = create_app(index_dir, _warm_searcher(index_dir, processes))
    return waitress.create_server(
        AccessLog(app, access_log),
        sockets=sockets,
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
        backlog=BACKLOG,
    )


class _Supervisor:
    """The parent of the worker processes: starts them, replaces any that dies, and stops
    them all when it is told to stop."""

    def __init__(self, index_dir: Path, host: str, sockets: list[socket.socket],
                 workers: int) -> None:
        self.index_dir = index_dir
        self.host = host
        self.sockets = sockets
        self.workers = workers
        self.started: dict[int, float] = {}  # pid → when it was forked (monotonic)

    def run(self, where: str) -> None:
        """Start the workers, say once all of them serve, and supervise until `_Stop`."""
        try:
            self._start_all(where)
            while True:
                pid, status = os.wait()
                self._replace(pid, status)
        finally:
            self._stop_all()

    def _start_all(self, where: str) -> None:
        ready_read, ready_write = os.pipe()
        try:
            for _ in range(self.workers):
                self._fork(ready_write)
            ready = 0
            while ready < self.workers:
                if select.select([ready_read], [], [], 0.5)[0]:
                    ready += len(os.read(ready_read, self.workers))
                while self.started:  # a worker that died before it served
                    pid, status = os.waitpid(-1, os.WNOHANG)
                    if pid == 0:
                        break
                    self._replace(pid, status, ready_write)
        finally:
            os.close(ready_read)
            os.close(ready_write)
        pids = ", ".join(str(pid) for pid in sorted(self.started))
        log.info("serving %s in %d worker processes (pids %s)", where, self.workers, pids)

    def _fork(self, ready: int | None = None) -> None:
        """A new worker; it writes a byte to the `ready` pipe once it serves."""
        stop_signals = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                _worker(self.index_dir, self.host, self.sockets, self.workers, ready,
                        os.getppid(), stop_signals)
            self.started[pid] = time.monotonic()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, stop_signals)

    def _replace(self, pid: int, status: int, ready: int | None = None) -> None:
        started = self.started.pop(pid, None)
        if started is None:  # not one of ours
            return
        log.warning("worker %d %s; starting another", pid, _how_it_ended(status))
        if time.monotonic() - started < RESTART_PAUSE:
            time.sleep(RESTART_PAUSE)
        self._fork(ready)

    def _stop_all(self) -> None:
        """SIGTERM to every worker; SIGKILL to those still there after `STOP_SECONDS`."""
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)  # a second Ctrl-C: no traceback
        for pid in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while self.started and time.monotonic() < deadline:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if pid:
                self.started.pop(pid, None)
            else:
                time.sleep(0.02)
        for pid in self.started:
            log.warning("worker %d did not stop within %d s: killed", pid, STOP_SECONDS)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        self.started.clear()


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def _worker(index_dir: Path, host: str, sockets: list[socket.socket], workers: int,
            ready: int | None, parent: int, signals: set[signal.Signals]) -> None:
    """A worker process: serve on the inherited sockets until SIGTERM; never returns."""
    code = 1
    try:
        end_with_parent(signal.SIGTERM)  # no worker is left serving on its own
        signal.pthread_sigmask(signal.SIG_SETMASK, signals)
        if os.getppid() != parent:  # the parent died before that took effect
            raise _Stop(signal.SIGTERM)
        server = _server(index_dir, host, sockets, processes=workers)
        if ready is not None:
            os.write(ready, b".")
            os.close(ready)
        server.run()  # returns on `_Stop`
        code = 0
    except _Stop:
        code = 0
    except Exception:
        log.exception("worker %d failed", os.getpid())
    finally:
        logging.shutdown()
        os._exit(code)
