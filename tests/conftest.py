"""Shared fixtures: the bundled corpus indexed once per test session; `govpress serve` run
as deployed."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bench.generate import generate
from indexer.indexing import index_paths
from indexer.locations import bundled_corpus
from webui import create_app


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled corpus (20 releases), built once and shared read-only."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    index_paths([bundled_corpus()], index_dir)
    return index_dir


@pytest.fixture(scope="session")
def generated_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 synthetic releases (`bench.generate`), built once and shared read-only: enough
    for broad prefixes (`про*` matches ~190 terms) and phrases of frequent words."""
    folder = tmp_path_factory.mktemp("generated")
    generate(600, folder / "corpus", per_file=300, jobs=1)
    index_paths([folder / "corpus"], folder / "ix")
    return folder / "ix"


@pytest.fixture(scope="module")
def app(corpus_index: Path) -> Flask:
    """The web app over the bundled corpus."""
    return create_app(corpus_index)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_SCRIPT = shutil.which("govpress")
GOVPRESS = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "webui.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> set[int]:
    """The live child processes of `pid`, from /proc."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in task.read_text().split())
    return {child for child in found if Served.alive(child)}


@dataclass
class Served:
    """A running `govpress serve`: its process, port and log (stdout and stderr)."""

    process: subprocess.Popen
    port: int
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def workers(self) -> set[int]:
        """The pids of its worker processes now (none when it serves in one process)."""
        return _children(self.process.pid)

    @staticmethod
    def alive(pid: int) -> bool:
        """Whether `pid` runs (a zombie waiting for its parent to read its status does not)."""
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            return False
        return state != "Z"


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/api/search?per_page=1")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def serving(index_dir: Path, log: Path, *options: str) -> Iterator[Served]:
    """`govpress serve` on a free loopback port over `index_dir` until the block ends, once
    it answers and every worker is ready; then stopped, and no worker of it left behind."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [*GOVPRESS, "serve", "--host", "127.0.0.1", "--port", str(port), "--index-dir",
             str(index_dir), *options],
            stdout=out, stderr=out,
        )
    served = Served(process, port, log)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while not (_answers(port) and "serving the index in" in served.log_text()):
            assert process.poll() is None, served.log_text()
            assert time.monotonic() < deadline, "govpress serve did not start"
            time.sleep(0.1)
        workers = served.workers()
        yield served
    finally:
        workers |= served.workers()
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def govpress_serve() -> Callable[..., contextlib.AbstractContextManager[Served]]:
    """`serving`, for the module fixtures that run a server."""
    return serving
