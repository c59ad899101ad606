"""Processes that die with their parent: a runner killed with SIGKILL cannot stop what it
started, so its children ask the kernel (PR_SET_PDEATHSIG) to stop them when it goes."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` to this process when its parent dies (Linux only)."""
    if _prctl is None:
        return
    parent = os.getppid()
    _prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), sig)


def child_dies_with_parent() -> None:
    """A `preexec_fn` for Popen: the child is killed when the process that started it dies.

    Start children from the main thread: the kernel ties the signal to the thread that forked.
    """
    die_with_parent(signal.SIGKILL)
