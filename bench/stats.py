"""Summary figures of timing samples, one rule for every table of the benchmark."""

from __future__ import annotations


def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank `p` quantile (0 < p < 1) of non-empty samples, in their unit."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]
