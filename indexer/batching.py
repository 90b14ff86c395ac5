"""How many releases one indexing commit holds."""

from __future__ import annotations

COMMIT_EVERY = 2000
MAX_COMMITS = 10  # a large run commits at most about this often (see `commit_size`)
RELEASE_BYTES = 4000  # a release's typical size in a listing, to estimate counts from bytes


def commit_size(total_bytes: int) -> int:
    """Releases per commit: COMMIT_EVERY, or a MAX_COMMITS-th of a larger input.

    Each commit adds a segment per worker, and segments are merged only when small (a
    Whoosh merge rewrites every posting in Python: merging 100k releases took longer than
    indexing them). Every search looks each word up once per segment, so a million releases
    committed every 2000 would be searched as a thousand segments; in ten batches they are
    twenty. What a crash can cost grows with the batch: a tenth of the run at most.
    """
    return max(COMMIT_EVERY, total_bytes // (RELEASE_BYTES * MAX_COMMITS))
