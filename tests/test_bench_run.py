"""A tiny run of the benchmark (`python -m bench.run`), so the documented command keeps
working: every figure is printed, for an index of the size asked, with no HTTP errors,
and beside them the tantivy peer's, as ratios."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

MEASURES = (
    "indexing throughput", "indexing peak RSS", "index size",
    "(a) top-20 hits only", "(b) full results page, first run", "(b) full results page, repeated",
    "(c) filtered queries, first run", "(c) filtered queries, repeated", "browse",
    "release page", "serve start-up",
    "HTTP 8 clients, 1 process, pages/s", "HTTP 8 clients, 1 process, p50/p95/p99",
    "HTTP 8 clients, 1 process, serving memory", "HTTP 8 clients, page rate",
    "HTTP results page, 4 clients", "HTTP throughput", "serving RSS",
)
PEER_MEASURES = (
    "indexing", "index size", "first run: full page vs top-10 + agency counts, p95",
    "repeated: full page vs top-10 + agency counts, p95", "worst single query, first run",
)


def test_a_tiny_benchmark_run_prints_every_figure(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--sizes", "200", "--workdir", str(tmp_path),
         "--rounds", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    ours, _, side_by_side = done.stdout.partition("\n#### ")
    rows = dict(re.findall(r"^\| (.+?) \| (.+?) \|$", ours, re.M))
    assert rows["releases"] == "200"
    for measure in MEASURES:
        [figure] = [value for name, value in rows.items() if name.startswith(measure)]
        assert re.search(r"\d", figure) and "errors" not in figure.replace(" 0 errors", ""), (
            measure, figure)
    assert re.search(r"\(\d+ requests, 0 errors\)", rows["HTTP throughput"]), rows
    # The same corpus and queries in tantivy, each figure as a ratio govpress / tantivy.
    ratios = dict(re.findall(r"^\| (.+?) \| .+? \| .+? \| ([\d.]+)× \|$", side_by_side, re.M))
    for measure in PEER_MEASURES:
        assert measure in ratios, (measure, side_by_side)
    assert ratios["releases indexed"] == "1.00", side_by_side  # the same releases in both
    assert re.search(r"\*\*[\d.]+×, (met|missed)\*\*", side_by_side), side_by_side
    counts = dict(re.findall(r"^\| ([\w+-]+) \| ([\d,]+) \| [\d,]+ \|$", side_by_side, re.M))
    assert counts["no-hits"] == "0" and len(counts) > 20, side_by_side
