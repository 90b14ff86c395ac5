"""How long `govpress` commands take from a cold process, and which heavy modules load.

    python -m bench.startup                      # the bundled corpus, indexed in a temp dir
    python -m bench.startup --index-dir DIR --runs 20

Each command runs `--runs` times as a new `python -m webui.cli` process (the console
script does the same); the median and the fastest run are printed with the modules of
note it imported (from `python -X importtime`), so a change that makes `--help` import
Flask again, or a search import the web layer, shows at once. Run it on a quiet machine:
on a loaded one the fastest run is the figure to compare.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAVY = ("flask", "waitress", "numpy", "whoosh", "pymorphy3", "nltk", "scipy",
         "webui.application")


def commands(index_dir: Path) -> dict[str, list[str]]:
    where = ["--index-dir", str(index_dir)]
    return {
        "govpress --help": ["--help"],
        "govpress search --help": ["search", "--help"],
        "govpress search жилье": ["search", "жилье", *where],
        "govpress search Fitch": ["search", "Fitch", *where],
        "govpress stats": ["stats", *where],
    }


def timed(args: list[str], runs: int) -> tuple[float, float]:
    """Median and fastest wall time, in seconds, of `runs` fresh processes."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "webui.cli", *args], capture_output=True,
                       check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def imported(args: list[str]) -> list[str]:
    """The modules of `HEAVY` that the command imports."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "webui.cli", *args],
                            capture_output=True, text=True, check=False)
    names = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
             if line.startswith("import time:")}
    return [name for name in HEAVY if name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--index-dir", type=Path, default=None,
                        help="an index to search (default: the bundled corpus, indexed now)")
    parser.add_argument("--runs", type=int, default=15, help="processes per command (15)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="govpress-startup-") as scratch:
        index_dir = args.index_dir
        if index_dir is None:
            from indexer.indexing import index_paths
            from indexer.locations import bundled_corpus

            index_dir = Path(scratch)
            index_paths([bundled_corpus()], index_dir)
        print(f"{'command':28} {'median':>8} {'fastest':>8}  imports")
        for name, command in commands(index_dir).items():
            median, fastest = timed(command, args.runs)
            modules = ", ".join(imported(command)) or "—"
            print(f"{name:28} {median * 1000:6.0f}ms {fastest * 1000:6.0f}ms  {modules}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
