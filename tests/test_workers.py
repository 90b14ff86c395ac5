"""`govpress serve` in several worker processes: all of them answer, a worker that dies is
replaced, every one follows new commits, and a signal to the parent stops them all."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from webui.cli import main

CORPUS_RELEASES = 20
NEW_RELEASES = 50


@pytest.fixture(scope="module")
def server(corpus_index: Path, tmp_path_factory: pytest.TempPathFactory, govpress_serve):
    folder = tmp_path_factory.mktemp("workers")
    index_dir = folder / "ix"
    shutil.copytree(corpus_index, index_dir)
    with govpress_serve(index_dir, folder / "serve.log", "--workers", "2") as served:
        served.index_dir = index_dir
        yield served


_probes = iter(range(1_000_000))


def _answered_by(server, rounds: int = 20, clients: int = 8) -> dict[int, list[dict]]:
    """Answers of `/api/search?per_page=1` from `clients` connections at once, by the pid
    of the worker that answered (which the access log names: the request carries a
    number of its own, which the app ignores)."""
    answers: dict[int, dict] = {}
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for _ in range(rounds):
            probe = next(_probes)
            connection.request("GET", f"/api/search?per_page=1&probe={probe}")
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                failures.append(f"{response.status} {body[:200]!r}")
            else:
                answers[probe] = json.loads(body)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[:3]
    by_pid: dict[int, list[dict]] = {}
    deadline = time.monotonic() + 10  # a line is written once its answer has been sent
    while sum(map(len, by_pid.values())) < len(answers) and time.monotonic() < deadline:
        time.sleep(0.05)
        by_pid = {}
        for pid, probe in re.findall(r"\[(\d+)\] govpress\.access GET /api/search\?"
                                     r"per_page=1&probe=(\d+) 200", server.log_text()):
            if int(probe) in answers:
                by_pid.setdefault(int(pid), []).append(answers[int(probe)])
    assert sum(map(len, by_pid.values())) == len(answers) == rounds * clients
    return by_pid


def _until(check, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_two_workers_serve_and_both_answer(server):
    workers = server.workers()
    assert len(workers) == 2
    log = server.log_text()
    assert log.count("loaded 20 releases in") == 2
    pids = ", ".join(map(str, sorted(workers)))
    assert f"in 2 worker processes (pids {pids})" in log
    answered: set[int] = set()
    for _ in range(5):  # the kernel gives a connection to whichever worker accepts first
        answered |= set(_answered_by(server))
        if answered == workers:
            break
    assert answered == workers


def test_a_killed_worker_is_replaced_and_the_server_keeps_answering(server):
    before = server.workers()
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    assert sum(map(len, _answered_by(server, rounds=5).values())) == 40  # meanwhile
    _until(lambda: len(server.workers()) == 2 and victim not in server.workers())
    assert f"worker {victim} was killed by SIGKILL; starting another" in server.log_text()
    answered = set(_answered_by(server))
    assert answered <= server.workers() and victim not in answered


def test_every_worker_sees_a_new_commit(server, tmp_path: Path):
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, "-m", "bench.generate", "--releases", str(NEW_RELEASES),
                    "--out", str(corpus), "--jobs", "1"], check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "webui.cli", "index", str(corpus),
                           "--index-dir", str(server.index_dir), "--jobs", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    expected = CORPUS_RELEASES + NEW_RELEASES
    seen: set[int] = set()

    def all_see_it() -> bool:
        for pid, answers in _answered_by(server, rounds=4).items():
            if answers[-1]["total"] == expected:
                seen.add(pid)
        return seen == server.workers()

    _until(all_see_it)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_parent_stops_every_worker(corpus_index, tmp_path, govpress_serve,
                                                   signum):
    with govpress_serve(corpus_index, tmp_path / "serve.log", "--workers", "2") as served:
        workers = served.workers()
        assert len(workers) == 2
        served.process.send_signal(signum)
        assert served.process.wait(15) == 0
        assert not [pid for pid in workers if served.alive(pid)]
        log = served.log_text()
        assert "Traceback" not in log and log.rstrip().endswith("govpress.serve stopped"), log


def test_workers_end_with_their_parent_even_when_it_is_killed(corpus_index, tmp_path,
                                                              govpress_serve):
    with govpress_serve(corpus_index, tmp_path / "serve.log", "--workers", "2") as served:
        workers = served.workers()
        served.process.kill()
        served.process.wait(5)
        _until(lambda: not [pid for pid in workers if served.alive(pid)], seconds=10)


@pytest.mark.parametrize("value", ["0", "x", "65", "-1", "1.5"])
def test_a_bad_number_of_workers_is_refused(value, capsys):
    assert main(["serve", "--workers", value]) == 2
    err = capsys.readouterr().err
    assert f"--workers: expected a number of processes from 1 to 64, got '{value}'" in err
