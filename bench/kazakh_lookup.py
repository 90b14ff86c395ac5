"""Kazakh analyser lookup: load time, uncached words/s and memory of each lookup library.

    python -m bench.kazakh_lookup

Each library runs in a fresh process on the shipped transducer, over the Kazakh word forms
of tests/data/kk_dev.tsv, each looked up as written and capitalised (as `kk.lemma` does).
`hfst-optimized-lookup` (PyPI, compiles C++ at install) is measured when it is installed;
it is not a dependency. The last line times `kk.lemma` itself, uncached and cached.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "kk_dev.tsv"
TRANSDUCER = ROOT / "indexer" / "languages" / "apertium_kaz" / "kaz.automorf.hfstol"
SECONDS = 3.0


def _words() -> list[str]:
    words = set()
    for line in DATA.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if fields[0] in ("POS", "NEG"):
            words.update(field.lower() for field in fields[1:3])
    return sorted(words)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _measure(library: str) -> dict[str, float | str]:
    """Run in the child process: load the transducer, then look words up for SECONDS."""
    path = str(TRANSDUCER)
    if library == "pyhfst (pure Python)":
        sys.modules["c_pyhfst"] = None  # type: ignore[assignment]  # forces the fallback
    before = _rss_mb()
    start = time.perf_counter()
    if library == "hfst-optimized-lookup":
        import hfst_optimized_lookup

        lookup = hfst_optimized_lookup.TransducerFile(path).lookup
    else:
        import pyhfst

        lookup = pyhfst.HfstInputStream(path, cache=False).read().lookup
        library += " [compiled]" if pyhfst.CYTHON else " [Python]"
    load = time.perf_counter() - start
    loaded = _rss_mb()
    spellings = [s for word in _words() for s in {word, word.capitalize()}]
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        for spelling in spellings:
            lookup(spelling)
        done += len(spellings)
    rate = done / (time.perf_counter() - start)
    return {
        "library": library,
        "load_ms": load * 1000,
        "lookups_per_s": rate,
        "rss_load_mb": loaded - before,
        "rss_total_mb": _rss_mb(),
    }


def _lemma_rates() -> tuple[float, float]:
    """kk.lemma over the same words (transducer loaded first): uncached, then cached."""
    from indexer.languages import kk

    kk._analyser()
    words = _words()
    start = time.perf_counter()
    for word in words:
        kk.lemma(word)
    uncached = len(words) / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(100):
        for word in words:
            kk.lemma(word)
    cached = 100 * len(words) / (time.perf_counter() - start)
    return uncached, cached


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(_measure(sys.argv[2])))
        return
    print(f"{len(_words())} word forms, each as written and capitalised, {SECONDS:.0f} s a library")
    for library in ("pyhfst (compiled wheel)", "pyhfst (pure Python)", "hfst-optimized-lookup"):
        child = subprocess.run(
            [sys.executable, "-m", "bench.kazakh_lookup", "--child", library],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(f"{library}: not measured ({child.stderr.strip().splitlines()[-1]})")
            continue
        r = json.loads(child.stdout)
        print(
            f"{r['library']}: load {r['load_ms']:.0f} ms, {r['lookups_per_s']:,.0f} lookups/s, "
            f"+{r['rss_load_mb']:.0f} MB on load ({r['rss_total_mb']:.0f} MB process)"
        )
    uncached, cached = _lemma_rates()
    print(f"kk.lemma: {uncached:,.0f} words/s uncached, {cached:,.0f} words/s cached")


if __name__ == "__main__":
    main()
