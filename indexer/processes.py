"""Worker processes (indexing, serving) that end with the process that started them."""

from __future__ import annotations

import contextlib
import ctypes
import signal

_PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal for the child when its parent dies


def end_with_parent(signum: signal.Signals) -> None:
    """Have the kernel send this process `signum` when its parent dies, however it dies
    (even SIGKILL). Linux only; elsewhere nothing. The caller still checks that the parent
    had not died before this took effect."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)
