"""A tiny run of the benchmark (`python -m bench.run`), so the documented command keeps
working: every figure is printed, for an index of the size asked, with no HTTP errors."""

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


def test_a_tiny_benchmark_run_prints_every_figure(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--sizes", "200", "--workdir", str(tmp_path),
         "--rounds", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = dict(re.findall(r"^\| (.+?) \| (.+?) \|$", done.stdout, re.M))
    assert rows["releases"] == "200"
    for measure in MEASURES:
        [figure] = [value for name, value in rows.items() if name.startswith(measure)]
        assert re.search(r"\d", figure) and "errors" not in figure.replace(" 0 errors", ""), (
            measure, figure)
    assert re.search(r"\(\d+ requests, 0 errors\)", rows["HTTP throughput"]), rows
