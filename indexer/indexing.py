"""Incremental indexing: corpus files → release records → committed Whoosh documents.

Each release carries a digest of everything the index stores about it; a release whose
digest is already in the index is left alone, a changed one replaced, a new one added.
Work is committed in batches, so a run that is killed keeps every batch committed before
it and leaves the index as it was at the last commit; `--rebuild` is one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm
from whoosh.index import FileIndex, LockError
from whoosh.multiproc import MpWriter
from whoosh.query import Every
from whoosh.writing import NO_MERGE, IndexWriter

from indexer.analysis import in_language, load_languages
from indexer.batching import commit_size
from indexer.codec import ArrayCodec, ArrayWriter, ArrayWriterTask, TermPool, merge_policy
from indexer.processes import end_with_parent
from indexer.records import build_release, cut_off_ids, looks_garbled, news_number, within_limits
from indexer.release import Location, Release, Skipped
from indexer.schema import INDEX_FORMAT, PAIR_FIELDS
from indexer.sources import iter_corpus_files, read_corpus_file
from indexer.storage import IndexError_, open_or_create_index

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

PARALLEL_MIN_BATCH = 1000  # smaller batches: one process is faster than new workers each
PARALLEL_MIN_BYTES = 4_000_000  # below this, starting worker processes costs more than it saves
UNMERGED_FILE = "govpress_UNMERGED"  # in the index folder while segments await the final merge
MERGE_OWED = (
    "the last run was interrupted before its final merge; this run merges the index's "
    "segments"
)
INTERRUPTED = (
    "a previous run was interrupted; its lock was released (the index is as of its last "
    "commit, and this run finishes the job)"
)


class IndexBusy(IndexError_):
    """Another process holds the index's write lock."""


class WorkerFailed(IndexError_):
    """An indexing worker process ended abnormally, so its share of the batch is missing."""


@dataclass
class IndexSummary:
    """What one run did; the counts add up to every release the input holds."""

    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files that could not be used
    missing: list[str] = field(default_factory=list)  # named paths that do not exist
    files: int = 0

    @property
    def total(self) -> int:
        return sum(
            sum(c.values()) for c in (self.added, self.updated, self.unchanged)
        ) + len(self.skipped)

    def lines(self) -> list[str]:
        """The human summary printed at the end of `govpress index`."""
        langs = sorted(set(self.added) | set(self.updated) | set(self.unchanged))
        rows = [
            f"{self.files} file(s), {self.total} release(s): "
            f"{sum(self.added.values())} added, {sum(self.updated.values())} updated, "
            f"{sum(self.unchanged.values())} unchanged, {len(self.skipped)} skipped"
        ]
        for lang in langs:
            rows.append(
                f"  {lang}: {self.added[lang]} added, {self.updated[lang]} updated, "
                f"{self.unchanged[lang]} unchanged"
            )
        return rows


def digest(release: Release) -> str:
    """A fingerprint of everything stored for a release (and of the index format)."""
    payload = json.dumps(
        [
            INDEX_FORMAT,
            release.title,
            release.body,
            release.date.isoformat(),
            release.agency,
            release.lang,
            release.url,
            list(release.urls),
            release.category,
            release.incomplete,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha1(payload.encode()).hexdigest()


def document(release: Release, release_digest: str) -> dict:
    """The Whoosh document for a release (each text field's pair terms from its text)."""
    texts = {"title": in_language(release.title, release.lang),
             "body": in_language(release.body, release.lang)}
    return {
        "id": release.id,
        **texts,
        **{PAIR_FIELDS[name]: text for name, text in texts.items()},
        "_stored_title": release.title,
        "_stored_body": release.body,
        "names": in_language(f"{release.title}\n{release.body}", release.lang),
        "date": int(release.date.strftime("%Y%m%d")),
        "month": f"{release.date.year:04d}-{release.date.month:02d}",  # strftime: "1-01"
        "agency": release.agency,
        "lang": release.lang,
        "category": release.category or "",
        "url": release.url,
        "urls": list(release.urls),
        "where": str(release.where) if release.where else None,
        "incomplete": release.incomplete,
        "digest": release_digest,
        "news": news_number(release.url),
    }


def _indexed_digests(ix: FileIndex) -> dict[str, str]:
    with ix.reader() as reader:
        if reader.doc_count() == 0:
            return {}
        ids = reader.column_reader("id")
        digests = reader.column_reader("digest")
        return {
            ids[docnum]: digests[docnum]
            for docnum in reader.all_doc_ids()
        }


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies.

    An orphaned indexing worker would keep the index's write lock (it inherits the lock's
    open file) and wait for work forever, so no later `govpress index` could run.
    """
    end_with_parent(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)


class _Worker(ArrayWriterTask):
    """An indexing worker process, which dies with the process that started it."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.parent = os.getpid()

    def run(self) -> None:
        _die_with_parent(self.parent)
        # Ctrl-C reaches the whole process group: the parent handles it (it cancels the
        # run and ends the workers); a worker would only print a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        super().run()


class _ParallelWriter(MpWriter, ArrayWriter):
    """Whoosh's multi-process writer (analysis and segment writing in workers), with
    workers that cannot outlive it, writing and merging as `ArrayWriter` does."""

    def __init__(self, ix: FileIndex, **kwargs: object) -> None:
        super().__init__(ix, codec=ArrayCodec(), **kwargs)  # MpWriter skips ArrayWriter's
        self.pool = TermPool()
        load_languages()  # before the workers are forked

    def _new_task(self) -> _Worker:
        task = _Worker(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def _enqueue(self) -> None:
        self._check_workers()  # before a put that would wait forever for dead workers
        super()._enqueue()

    def _commit_toc(self, segments: list) -> None:
        self._check_workers()
        super()._commit_toc(segments)

    def _check_workers(self) -> None:
        """Stop the batch if a worker ended abnormally.

        Whoosh commits whatever segments came back: a worker killed by the kernel (out of
        memory) would silently take its share of the batch with it, while the run
        reported those releases as added.
        """
        failed = [task.exitcode for task in self.tasks if task.exitcode]
        if failed:
            code = failed[0]
            how = (f"killed by signal {-code}: {signal.strsignal(-code)}" if code < 0
                   else f"exit status {code}")
            raise WorkerFailed(
                f"an indexing worker process ended abnormally ({how}); this batch was not "
                "committed: the index is as of its last commit, and running again finishes "
                "the job"
            )

    def cancel(self) -> None:
        """End the workers, then discard the batch.

        Whoosh's `cancel` only flags the parent's copies of the worker objects: the workers
        would wait for work forever, holding the write lock (they share its open file), and
        the interpreter's exit would wait for them (a Ctrl-C that never returns).
        """
        for task in self.tasks:
            if task.is_alive():
                task.kill()
        for task in self.tasks:
            task.join(timeout=5)
        self.jobqueue.cancel_join_thread()
        super().cancel()


class _Batches:
    """A writer that commits every `every` changes (or once, at the end, when `single`).

    Batches are committed unmerged and the run's final commit merges them. While merging
    is owed, the file `UNMERGED_FILE` says so in the index folder: a run killed before its
    final merge was done leaves it behind, and the next run merges even if nothing changed
    (without it the index kept 20 segments and twice its size for good).
    """

    def __init__(
        self, ix: FileIndex, lock_timeout: float, single: bool, every: int, jobs: int
    ) -> None:
        self.ix = ix
        self.lock_timeout = lock_timeout
        self.single = single
        self.every = every
        self.jobs = jobs
        self.pending = 0
        self.marker = Path(ix.storage.folder) / UNMERGED_FILE
        self.unmerged = self.marker.exists()
        self.writer: IndexWriter | None = None

    def open(self) -> IndexWriter:
        if self.writer is None:
            try:
                # Segments as separate files, not one compound file: Whoosh reads a
                # compound segment by copying each part into memory, once per reader, so
                # every server thread held a copy of the whole index.
                options = {"timeout": self.lock_timeout, "compound": False}
                if self.jobs > 1:
                    self.writer = _ParallelWriter(
                        self.ix, procs=self.jobs, multisegment=True, **options
                    )
                else:
                    self.writer = ArrayWriter(self.ix, **options)
            except LockError as exc:
                raise IndexBusy(
                    f"{self.ix.storage.folder}: another `govpress index` is writing to this "
                    f"index (waited {self.lock_timeout:g} s); try again when it has finished"
                ) from exc
        return self.writer

    def changed(self) -> None:
        self.pending += 1
        if not self.single and self.pending >= self.every:
            self.commit(final=False)

    def commit(self, *, final: bool = True) -> None:
        """Commit the batch. Segments are merged only by the run's final commit: merging
        runs in this one process while the workers wait, and merging after every batch
        rewrote the same postings again and again (3x slower at 100k releases)."""
        if final and self.writer is None and self.unmerged:
            self.open()
        if self.writer is not None:
            if not final and not self.unmerged:
                self.marker.touch()
            self.writer.commit(mergetype=merge_policy if final else NO_MERGE)
            self.writer = None
            self.pending = 0
            self.unmerged = not final
        if final:
            self.marker.unlink(missing_ok=True)

    def cancel(self) -> None:
        """Discard the uncommitted batch (the index stays as of the last commit)."""
        writer, self.writer = self.writer, None
        if writer is not None:
            # Cancelled mid-commit, Whoosh's cancel may fail: don't mask why the run stopped.
            with contextlib.suppress(Exception):
                writer.cancel()


class _RunLock:
    """The lock one indexing run holds from start to end.

    Whoosh's write lock is taken per batch, so a second run could write between two
    batches of the first and add again what the first had just added (each reads the
    index's digests when it starts). This lock keeps the second run waiting `timeout`
    seconds, then `IndexBusy`, as the README promises.

    It is an fcntl lock, which the kernel releases when its holder dies, however it dies
    (SIGKILL, out of memory), together with the worker processes that share it. The file
    holds the holder's pid while a run is going and is emptied when the run ends in any
    orderly way (done, an error, Ctrl-C), so a run that finds a pid in a file it could lock
    knows the previous run was killed. A lock a live process holds is never taken.
    """

    FILE = "govpress_RUNLOCK"

    def __init__(self, index_dir: Path, timeout: float) -> None:
        self.index_dir = index_dir
        self.timeout = timeout
        self.fd: int | None = None

    def acquire(self) -> str | None:
        """Take the lock; the pid a killed previous run left in it, or None."""
        if fcntl is None:  # no fcntl (Windows): Whoosh's own lock only
            return None
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.index_dir / self.FILE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexError_(
                f"{self.index_dir}: cannot write to the index ({exc.strerror or exc})"
            ) from exc
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise IndexBusy(
                        f"{self.index_dir}: another `govpress index` is writing to this "
                        f"index (waited {self.timeout:g} s); try again when it has finished"
                    ) from None
                time.sleep(0.05)
        previous = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return previous or None

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            try:
                os.ftruncate(fd, 0)
            finally:
                os.close(fd)  # releases the lock


def index_paths(
    paths: Iterable[Path],
    index_dir: Path,
    *,
    rebuild: bool = False,
    lock_timeout: float = 10.0,
    commit_every: int | None = None,
    jobs: int | None = None,
    progress: bool = False,
    report: Callable[[str], None] = lambda message: None,
) -> IndexSummary:
    """Index listing files and folders of them into `index_dir`.

    `report` receives one line per skipped release or unusable file as they are found.
    `jobs` worker processes analyze and write (default: one per core, for large input).
    `commit_every` changed releases make a commit (default: `commit_size`).
    """
    paths = list(paths)
    run_lock = _RunLock(index_dir, lock_timeout)
    if run_lock.acquire() is not None:
        report(f"{index_dir}: {INTERRUPTED}")
    try:
        ix = open_or_create_index(index_dir, rebuild=rebuild)
        summary = IndexSummary()
        files = list(iter_corpus_files(paths))
        total_bytes = sum(_size(path) for path in files)
        if commit_every is None:
            commit_every = commit_size(total_bytes)
        if jobs is None:  # workers start afresh (cold caches) for every batch: worth it
            large = total_bytes >= PARALLEL_MIN_BYTES and commit_every >= PARALLEL_MIN_BATCH
            jobs = (os.cpu_count() or 1) if large else 1
        batches = _Batches(ix, lock_timeout, single=rebuild, every=commit_every, jobs=jobs)
        if batches.unmerged:
            report(f"{index_dir}: {MERGE_OWED}")
        if rebuild:
            batches.open().delete_by_query(Every())
            known: dict[str, str] = {}
        else:
            known = _indexed_digests(ix)
        run = _Run(summary, batches, known, report, rebuild)
        bar = tqdm(
            total=total_bytes, unit="B", unit_scale=True, disable=not progress, leave=False
        )
        try:
            for path in files:
                summary.files += 1
                _index_file(path, run)
                bar.update(_size(path))
            run.finish_cut_off_copies()
            batches.commit()
        except BaseException:
            batches.cancel()
            raise
        finally:
            bar.close()
    finally:
        run_lock.release()
    for path in paths:
        if not path.exists() and not path.is_symlink():  # a link that loops is reported by
            # `read_corpus_file`, as a loop
            message = f"{path}: no such file or folder"
            summary.missing.append(message)
            report(message)
    return summary


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _index_file(path: Path, run: _Run) -> None:
    result = read_corpus_file(path)
    for problem in result.problems:
        run.summary.problems.append(problem)
        run.report(problem)
    if result.result is None:
        return
    for warning in result.result.warnings:
        run.report(warning)
    for skipped in result.result.skipped:
        run.skip(skipped)
    for found in result.result.releases:
        raw, cuts = within_limits(found)
        for message in cuts:
            run.report(message)
        release = build_release(raw)
        if release.incomplete:
            run.cut_off.append(release)  # kept only if no complete copy turns up
        else:
            run.take(release)


@dataclass
class _Run:
    """What one run has seen and decided so far, release by release."""

    summary: IndexSummary
    batches: _Batches
    known: dict[str, str]  # id -> digest of every indexed release
    report: Callable[[str], None]
    rebuild: bool
    seen: dict[str, Location | None] = field(default_factory=dict)
    complete: dict[int, str] = field(default_factory=dict)  # hash of title and date -> id
    cut_off: list[Release] = field(default_factory=list)

    def skip(self, skipped: Skipped) -> None:
        self.summary.skipped.append(skipped)
        self.report(str(skipped))

    def take(self, release: Release) -> None:
        """Index one release unless it is unchanged, a duplicate or garbled."""
        if release.id in self.seen:
            where = self.seen[release.id]
            self.skip(Skipped(release.where, f"duplicate of the release at {where}"))
            return
        self.seen[release.id] = release.where
        if not release.incomplete:
            self.complete[hash((release.title, release.date))] = release.id
            self._replace_cut_off_copy(release)
        release_digest = digest(release)
        previous = self.known.get(release.id)
        if previous == release_digest:
            self.summary.unchanged[release.lang] += 1
            return
        if looks_garbled(f"{release.title}\n{release.body}"):
            kept = f"the indexed text of {release.id} is kept" if previous else "skipped"
            self.skip(Skipped(release.where,
                              f"looks garbled (UTF-8 read in another encoding): {kept}"))
            return
        writer = self.batches.open()
        if previous is None:
            writer.add_document(**document(release, release_digest))
        else:
            writer.update_document(**document(release, release_digest))
        self.known[release.id] = release_digest
        (self.summary.updated if previous else self.summary.added)[release.lang] += 1
        self.batches.changed()

    def _replace_cut_off_copy(self, release: Release) -> None:
        """Remove an indexed cut-off copy of a complete release (an earlier run kept it)."""
        for cut_off in cut_off_ids(release):
            if cut_off != release.id and cut_off in self.known and _incomplete(self.batches.ix,
                                                                               cut_off):
                self.batches.open().delete_by_term("id", cut_off)
                del self.known[cut_off]
                self.report(f"{release.where}: replaces {cut_off}, a cut-off copy of this "
                            "release indexed before")
                self.batches.changed()

    def finish_cut_off_copies(self) -> None:
        """Cut-off releases, once every complete one is known: a copy of a complete release
        (same title and date), in this run or in the index, is a duplicate; the others are
        indexed, marked incomplete."""
        for release in self.cut_off:
            copy_of = self.complete.get(hash((release.title, release.date)))
            if copy_of is not None:
                self.skip(Skipped(release.where, f"cut-off copy of the release at "
                                                 f"{self.seen[copy_of]}, which is kept"))
            elif not self.rebuild and (indexed := _complete_copy(self.batches.ix, release)):
                self.skip(Skipped(release.where,
                                  f"cut-off copy of the indexed release {indexed}, which is kept"))
            else:
                self.take(release)


def _incomplete(ix: FileIndex, release_id: str) -> bool:
    """Whether the indexed release `release_id` is a cut-off copy."""
    with ix.searcher() as searcher:
        return bool((searcher.document(id=release_id) or {}).get("incomplete"))


def _complete_copy(ix: FileIndex, release: Release) -> str | None:
    """The id of an indexed complete release with the title and date of `release`."""
    day = int(release.date.strftime("%Y%m%d"))
    with ix.searcher() as searcher:
        for fields in searcher.documents(date=day):
            if fields.get("title") == release.title and not fields.get("incomplete"):
                return fields["id"]
    return None
