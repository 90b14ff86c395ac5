"""Crash safety of `govpress index`: SIGKILL at random points (in a commit too), Ctrl-C,
a second run while one is going, the lock a killed run leaves behind.

The promise (README, "Indexing"): a run that is killed or interrupted leaves the index as of
its last commit, with no worker process left behind; running it again finishes the job;
only one run writes at a time. Killed runs alternate `--jobs 1` and `--jobs 2` (worker
processes) on one index, so the whole story costs about one full indexing of the corpus.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from indexer.indexing import INTERRUPTED, IndexBusy, _ParallelWriter, _RunLock, index_paths
from indexer.storage import INDEX_NAME, open_index, open_or_create_index
from search.request import SearchRequest
from search.searcher import Searcher

RELEASES = 1500
COMMIT = 100
SMALL = 300  # the first three files of the corpus
_SCRIPT = shutil.which("govpress")
GOVPRESS = [_SCRIPT] if _SCRIPT else [sys.executable, "-m", "webui.cli"]


# -- helpers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crash") / "corpus"
    subprocess.run(
        [sys.executable, "-m", "bench.generate", "--releases", str(RELEASES), "--out", str(out),
         "--per-file", "100", "--jobs", "1"],
        check=True, capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def small_corpus(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("crash-small")
    for listing in sorted(corpus.glob("*.txt"))[:3]:
        shutil.copy(listing, out)
    return out


class Run:
    """`govpress index` in a child process (its own session, like a shell job)."""

    def __init__(self, workdir: Path, *args: str) -> None:
        self.out = (workdir / f"run-{time.monotonic_ns()}.out").open("w+")
        self.err = (workdir / f"run-{time.monotonic_ns()}.err").open("w+")
        self.process = subprocess.Popen(
            [*GOVPRESS, "index", *args], stdout=self.out, stderr=self.err,
            start_new_session=True, env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
        self.pid = self.process.pid

    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:  # hung: its stacks (faulthandler) say where
            children = _children(self.pid)
            self.process.send_signal(signal.SIGABRT)
            time.sleep(2)
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait()
            raise AssertionError(f"govpress index did not end in {timeout} s; children "
                                 f"{sorted(children)}:\n{self._read(self.err)[-6000:]}") from None
        return code, self._read(self.out), self._read(self.err)

    @staticmethod
    def _read(file) -> str:
        file.flush()
        file.seek(0)
        return file.read()


def _children(pid: int) -> set[int]:
    """Processes whose parent is `pid`, from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _mentioning(text: str) -> set[int]:
    """Live processes whose command line holds `text` (forked workers share the parent's)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if text in cmdline and state != "Z":
                found.add(int(entry.name))
    return found


def _assert_no_survivors(pids: set[int], index_dir: Path, within: float = 2.0) -> None:
    deadline = time.monotonic() + within
    alive: set[int] = set()
    while time.monotonic() < deadline:
        alive = {pid for pid in pids if Path(f"/proc/{pid}").exists()} | _mentioning(
            str(index_dir))
        alive = {pid for pid in alive if _state(pid) not in ("Z", None)}
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"processes survived the indexer: {sorted(alive)}")


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return None


def _wait_until(condition: Callable[[], bool], run: Run, timeout: float = 60) -> bool:
    """Poll `condition` every 5 ms; False if the run ended (or time ran out) first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.process.poll() is None:
        if condition():
            return True
        time.sleep(0.005)
    return False


def _generation(index_dir: Path) -> int:
    """The index's newest commit number (0: created, nothing committed)."""
    numbers = [int(m[1]) for p in index_dir.glob(f"_{INDEX_NAME}_*.toc")
               if (m := re.fullmatch(rf"_{INDEX_NAME}_(\d+)\.toc", p.name))]
    return max(numbers, default=-1)


def _committing(index_dir: Path) -> bool:
    """A commit is under way: there are column files (written when a segment is finished)
    of a segment that the index's last commit does not list."""
    segments = {path.name.split(".", 1)[0] for path in index_dir.glob(f"{INDEX_NAME}_*.col")}
    if not segments:
        return False
    try:
        toc = TOC.read(FileStorage(str(index_dir)), INDEX_NAME)
    except Exception:  # no commit yet, or one being replaced: look again
        return False
    return bool(segments - {segment.segment_id() for segment in toc.segments})


def _indexed_ids(index_dir: Path) -> list[str]:
    with open_index(index_dir).reader() as reader:
        if reader.doc_count() == 0:
            return []
        ids = reader.column_reader("id")
        return [ids[docnum] for docnum in reader.all_doc_ids()]


def _lock_note(index_dir: Path) -> str:
    try:
        return (index_dir / _RunLock.FILE).read_text().strip()
    except FileNotFoundError:
        return ""


def _check_index(index_dir: Path, total: int, commit: int) -> int:
    """The index opens, holds whole commits without duplicates, and answers searches."""
    ids = _indexed_ids(index_dir)
    assert len(ids) == len(set(ids)), "a release is in the index twice"
    count = len(ids)
    assert count % commit == 0 or count == total, f"{count} is not a whole number of commits"
    searcher = Searcher(index_dir)
    assert searcher.count_all() == count
    assert searcher.search(SearchRequest()).total == count
    if count:
        assert searcher.search(SearchRequest(q="министерство OR government")).total > 0
        assert searcher.document(ids[0]) is not None
    return count


# -- SIGKILL ----------------------------------------------------------------------------------


def test_sigkill_at_random_points_keeps_whole_commits_and_a_rerun_finishes(corpus, tmp_path):
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    ix = tmp_path / "ix"
    common = [str(corpus), "--index-dir", str(ix), "--commit-every", str(COMMIT), "--wait", "0"]
    # Worker runs (`--jobs 2`) cost twice the CPU at this batch size: they get short runs.
    steps = [("2", "anytime"), ("1", "commit"), ("2", "commit"), ("1", "anytime")]
    committed, note, log = 0, "", []
    for jobs, when in steps:
        run = Run(tmp_path, *common, "--jobs", jobs)
        if when == "anytime":  # startup, reading, analysing or committing: wherever it falls
            deadline = time.monotonic() + rng.uniform(1.5, 5.0)
            _wait_until(lambda d=deadline: time.monotonic() > d, run)
        else:  # in a commit after at least one more: column files being written out
            start = _generation(ix)
            _wait_until(lambda s=start: _generation(ix) > max(s, 0) and _committing(ix), run)
            time.sleep(rng.uniform(0, 0.3))
        workers = _children(run.pid)
        in_commit = _committing(ix)
        run.process.send_signal(signal.SIGKILL)
        code, _, err = run.finish()
        log.append(f"jobs {jobs} {when}: workers {sorted(workers)}, in commit {in_commit}")
        context = f"seed {seed}; {log}"
        assert code == -signal.SIGKILL, context
        if note:  # the run before was killed holding the lock: this one said so, and went on
            assert INTERRUPTED in err, context
        assert "Traceback" not in err, context
        _assert_no_survivors(workers | {run.pid}, ix)
        count = _check_index(ix, RELEASES, COMMIT)
        assert count >= committed, context
        committed, note = count, _lock_note(ix)

    run = Run(tmp_path, *common, "--jobs", "1")  # the same command finishes the job
    code, out, err = run.finish()
    print(f"seed {seed}; committed {committed} before the last run; " + "; ".join(log))
    assert code == 0, err
    if note:
        assert INTERRUPTED in err
    assert out.startswith(
        f"15 file(s), {RELEASES} release(s): {RELEASES - committed} added, 0 updated, "
        f"{committed} unchanged, 0 skipped"
    ), (out, log)
    assert _check_index(ix, RELEASES, COMMIT) == RELEASES
    assert _lock_note(ix) == ""


# -- Ctrl-C -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("jobs", "target"), [("1", "group"), ("2", "process")])
def test_ctrl_c_stops_with_a_message_and_keeps_the_last_commit(small_corpus, tmp_path, jobs,
                                                               target):
    """SIGINT to the process group (a terminal's Ctrl-C) or to the indexer alone (`kill
    -INT`); with workers, while they work."""
    ix = tmp_path / "ix"
    run = Run(tmp_path, str(small_corpus), "--index-dir", str(ix), "--commit-every", "50",
              "--jobs", jobs)
    assert _wait_until(lambda: _generation(ix) >= 1, run), "no commit came"
    if jobs == "2":
        assert _wait_until(lambda: bool(_children(run.pid)), run), "no worker came"
    workers = _children(run.pid)
    if target == "group":
        os.killpg(run.pid, signal.SIGINT)
    else:
        run.process.send_signal(signal.SIGINT)
    code, _, err = run.finish(timeout=20)
    assert code == 1
    assert "govpress: interrupted" in err and "Traceback" not in err, err
    _assert_no_survivors(workers, ix)
    assert _check_index(ix, SMALL, 50) >= 50
    assert _lock_note(ix) == ""  # an orderly end: the next run has nothing to report


def test_a_killed_worker_fails_its_batch_and_a_rerun_finishes(small_corpus, tmp_path):
    """The kernel's out-of-memory killer picks the biggest process: an indexing worker.
    Whoosh alone would commit the other worker's share and drop the killed one's."""
    ix = tmp_path / "ix"
    run = Run(tmp_path, str(small_corpus), "--index-dir", str(ix), "--commit-every", str(SMALL),
              "--jobs", "2")
    assert _wait_until(lambda: len(_children(run.pid)) == 2, run), "no workers came"
    workers = _children(run.pid)
    os.kill(min(workers), signal.SIGKILL)
    code, out, err = run.finish(timeout=60)
    assert code == 1, (out, err)
    assert "worker process ended abnormally (killed by signal 9" in err, err
    assert "Traceback" not in err, err
    _assert_no_survivors(workers, ix)
    assert _check_index(ix, SMALL, SMALL) == 0  # the only batch was not committed
    code, out, err = Run(tmp_path, str(small_corpus), "--index-dir", str(ix)).finish()
    assert code == 0, err
    assert f"{SMALL} added" in out
    assert _check_index(ix, SMALL, SMALL) == SMALL


def test_cancelled_parallel_writer_ends_its_idle_workers(tmp_path):
    """Whoosh's own cancel leaves workers waiting for work forever (and holding the lock)."""
    ix = open_or_create_index(tmp_path / "ix")
    writer = _ParallelWriter(ix, procs=2, batchsize=2, multisegment=True, limitmb=32)
    try:
        for number in range(4):
            writer.add_document(id=f"a-{number}-en", title="Trees", body="Children planted.",
                                date=20250301, month="2025-03", agency="a", lang="en",
                                digest="x")
        workers = list(writer.tasks)
        assert workers and all(task.is_alive() for task in workers)
        time.sleep(0.5)  # they finish the two small jobs and wait for more
        writer.cancel()
        assert not any(task.is_alive() for task in workers)
        ix.writer(timeout=0.5).cancel()  # the lock is free again
    finally:
        for task in multiprocessing.active_children():
            task.kill()


# -- one run at a time ------------------------------------------------------------------------


def test_a_second_run_waits_or_stops_and_never_adds_twice(small_corpus, tmp_path):
    ix = tmp_path / "ix"
    common = [str(small_corpus), "--index-dir", str(ix), "--commit-every", "50", "--jobs", "1"]
    first = Run(tmp_path, *common)
    assert _wait_until(lambda: _lock_note(ix) == str(first.pid), first), "no lock taken"
    impatient = Run(tmp_path, *common, "--wait", "0.5")
    patient = Run(tmp_path, *common, "--wait", "120")
    code, out, err = impatient.finish()
    assert code == 1 and "another `govpress index` is writing to this index" in err, err
    assert first.finish()[0] == 0
    code, out, err = patient.finish()
    assert code == 0, err
    assert f"{SMALL} release(s): 0 added, 0 updated, {SMALL} unchanged" in out
    assert _check_index(ix, SMALL, 50) == SMALL


HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.pwrite(fd, b"%d\\n" % os.getpid(), 0)
print("locked", flush=True)
time.sleep(120)
"""


def test_a_live_lock_is_never_taken_and_a_dead_ones_is_reported(tmp_path):
    listing = tmp_path / "a.txt"
    listing.write_text(
        "Children planted trees 06.03.2025\nVolunteers planted 500 trees.Source : "
        "https://www.gov.kz/memleket/entities/astana/press/news/details/102?lang=en\n"
    )
    ix = tmp_path / "ix"
    ix.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(ix / _RunLock.FILE)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        started = time.monotonic()
        with pytest.raises(IndexBusy, match=r"waited 0\.3 s"):
            index_paths([listing], ix, lock_timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 5
        assert _lock_note(ix) == str(holder.pid)  # untouched
    finally:
        holder.kill()
        holder.wait()
    messages: list[str] = []
    started = time.monotonic()
    summary = index_paths([listing], ix, lock_timeout=0, report=messages.append)
    assert time.monotonic() - started < 10
    assert messages[0] == f"{ix}: {INTERRUPTED}"
    assert sum(summary.added.values()) == 1
    assert _lock_note(ix) == ""


# -- killed in the final merge ----------------------------------------------------------------

# `govpress index` in a process that SIGKILLs itself when Whoosh starts a merge: a run
# killed during its final merge (the batches before it were committed unmerged).
_KILLED_IN_MERGE = """
import os, signal, sys
import whoosh.writing
def die(writer, segments):
    os.kill(os.getpid(), signal.SIGKILL)
whoosh.writing.MERGE_SMALL = die
from webui.cli import main
sys.exit(main(["index", *sys.argv[1:]]))
"""


def _segments(index_dir: Path) -> int:
    return len(TOC.read(FileStorage(str(index_dir)), INDEX_NAME).segments)


def test_a_run_killed_in_its_final_merge_is_merged_by_the_next_even_if_nothing_changed(
        corpus, tmp_path):
    listing = sorted(corpus.glob("*.txt"))[0]  # 100 releases
    # Whoosh merges segments only when they are small for their number: 20 of 5 releases.
    args = [str(listing), "--commit-every", "5", "--jobs", "1", "--wait", "0"]
    index_paths([listing], tmp_path / "reference", commit_every=5, jobs=1)
    merged = _segments(tmp_path / "reference")
    ix = tmp_path / "ix"
    killed = subprocess.run([sys.executable, "-c", _KILLED_IN_MERGE, *args, "--index-dir",
                             str(ix)], capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert _check_index(ix, 100, 5) == 100  # every batch was committed, unmerged
    assert _segments(ix) == 20 > merged
    rerun = Run(tmp_path, *args, "--index-dir", str(ix))
    code, out, err = rerun.finish()
    assert code == 0, err
    assert "0 added, 0 updated, 100 unchanged, 0 skipped" in out + err
    assert _segments(ix) == merged
    assert "the last run was interrupted before its final merge" in err
    assert _check_index(ix, 100, 5) == 100
    again = Run(tmp_path, *args, "--index-dir", str(ix))
    code, out, err = again.finish()
    assert code == 0 and "final merge" not in err  # merged once, then never again
