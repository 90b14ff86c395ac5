"""`govpress serve` as deployed: on loopback, under concurrent load, and while `govpress
index` writes into the index it serves (no restart, no failed request, totals that only
grow, new releases visible within seconds of the run's end)."""

from __future__ import annotations

import http.client
import itertools
import json
import re
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench import load

NEW_RELEASES = 1000
CORPUS_RELEASES = 20
_SCRIPT = shutil.which("govpress")
GOVPRESS = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "webui.cli"]


def _get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(corpus_index: Path, tmp_path_factory: pytest.TempPathFactory, govpress_serve):
    """`govpress serve` (one worker per CPU) on a free loopback port, over a writable copy
    of the corpus index."""
    folder = tmp_path_factory.mktemp("serving")
    index_dir = folder / "ix"
    shutil.copytree(corpus_index, index_dir)
    with govpress_serve(index_dir, folder / "serve.log") as served:
        yield served.port, index_dir, folder


def test_concurrent_clients_get_every_answer_quickly(server, capsys):
    """4 clients × 50 requests of the fixed mix of `bench.load`."""
    port, _, _ = server
    result = load.run(f"http://127.0.0.1:{port}", clients=4, requests=200, seconds=20)
    with capsys.disabled():
        print("\nload test (4 clients):", " | ".join(result.lines()))
    assert result.requests == 200, result.lines()
    assert result.errors == 0, result.statuses
    assert result.seconds < 20


def test_the_index_is_loaded_before_the_server_listens(server):
    """No first visitor waits while the per-document arrays and the term list load."""
    _, _, folder = server
    log = (folder / "serve.log").read_text()
    loaded, listening = log.find("loaded 20 releases in"), log.find("serving the index in")
    assert 0 <= loaded < listening, log


def test_limits_answer_with_their_own_status_through_waitress(server):
    port, _, _ = server
    status, body = _get(port, "/api/search?q=" + "a+" * 5000)  # 10 KB address
    assert status == 414 and b"at most 8,192" in body
    status, _ = _get(port, "/api/search?q=" + "a+" * 9000)  # 18 KB request line
    assert status == 431
    status, body = _get(port, "/api/search?per_page=1000")
    assert status == 400 and json.loads(body)["error"]["parameter"] == "per_page"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/api/search", body=b"x" * 100_000)
    assert connection.getresponse().status == 413
    connection.close()


IDLE_CONNECTIONS = 500


def _allow_sockets(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count:
        wanted = count if hard == resource.RLIM_INFINITY else min(count, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def test_idle_and_slow_connections_do_not_keep_anyone_waiting(server):
    """500 connections that send nothing or half a request (slowloris): a normal request
    is still answered at once, where waitress's default limit of 100 connections left it
    in the listen queue until the idle ones timed out (120 s)."""
    port, _, _ = server
    _allow_sockets(IDLE_CONNECTIONS + 200)
    idle: list[socket.socket] = []
    try:
        for number in range(IDLE_CONNECTIONS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if number % 5 == 0:
                sock.sendall(b"GET /search?q=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            idle.append(sock)
        time.sleep(0.5)  # the server has them all by now
        status, body = _get(port, "/api/search?per_page=1", timeout=1)
        assert status == 200 and json.loads(body)["total"] >= CORPUS_RELEASES
    finally:
        for sock in idle:
            sock.close()


def _readme_curl_commands() -> list[str]:
    """Every `curl` command of the README's shell examples, continuation lines joined."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for command in block.replace("\\\n", " ").splitlines():
            if command.startswith("curl "):
                commands.append(command)
    return commands


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_readme_curl_examples_work_as_written(server, tmp_path: Path):
    """Raw Cyrillic in the address (`?q=жилье`) got "400 Bad URI" from waitress."""
    port, _, _ = server
    commands = _readme_curl_commands()
    assert len(commands) >= 6 and any("жилье" in command for command in commands)
    for command in commands:
        argv = shlex.split(command.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{port}"))
        done = subprocess.run([*argv, "--fail", "--silent", "--show-error"], cwd=tmp_path,
                              capture_output=True, timeout=60)
        assert done.returncode == 0, (command, done.stderr)
    # curl -J takes the ASCII fallback of the file name
    assert (tmp_path / "govpress-zhile-economy-2025-03-01-2025-03-31.csv").exists()
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    raw.sendall("GET /api/search?q=жилье HTTP/1.0\r\n\r\n".encode())
    assert raw.recv(100).startswith(b"HTTP/1.0 400")  # why the README encodes it
    raw.close()


def test_serving_while_indexing_never_fails_and_shows_new_releases(server):
    port, index_dir, folder = server
    corpus = folder / "corpus"
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--releases", str(NEW_RELEASES), "--out",
         str(corpus), "--per-file", "100", "--jobs", "1"],
        check=True, capture_output=True,
    )
    failures: list[str] = []
    totals: list[int] = []
    stop = threading.Event()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        paths = ["/api/search?per_page=1", "/api/search?" + urlencode({"q": "министерство"}),
                 "/search?q=development"]
        step = 0
        while not stop.is_set():
            path = paths[step % len(paths)]
            step += 1
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                failures.append(f"{path}: {error!r}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            if response.status != 200:
                failures.append(f"{path}: {response.status} {body[:200]!r}")
            elif path.endswith("per_page=1"):
                totals.append(json.loads(body)["total"])
        connection.close()

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    try:
        indexing = subprocess.run(
            [*GOVPRESS, "index", str(corpus), "--index-dir", str(index_dir),
             "--commit-every", "100", "--jobs", "1"],
            capture_output=True, text=True, timeout=300,
        )
        assert indexing.returncode == 0, indexing.stderr
        finished = time.monotonic()
        expected = CORPUS_RELEASES + NEW_RELEASES
        while (not totals or totals[-1] != expected) and time.monotonic() - finished < 3:
            time.sleep(0.05)
        seen_after = time.monotonic() - finished
    finally:
        stop.set()
        thread.join(30)
    print(f"\n{len(totals)} totals read while indexing; the new total showed "
          f"{seen_after:.2f} s after the run")
    assert not failures, failures[:5]
    assert totals[-1] == expected, totals[-5:]
    decreases = [(a, b) for a, b in itertools.pairwise(totals) if b < a]
    assert not decreases, decreases[:5]
    assert len(set(totals)) > 2  # the commits showed up one by one, not only at the end
