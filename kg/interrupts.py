"""Ctrl-C and SIGTERM stop a command, even when the signal comes at a moment Python cannot raise it.

A command turns SIGTERM (and SIGINT) into ``KeyboardInterrupt``, so staging directories are removed, pool
workers stopped and the previous output kept. But Python ignores an exception raised inside a callback it
runs on its own: the after-fork hooks (``os.register_at_fork``, which ``logging`` uses every time the pool
forks a worker), finalizers and ``__del__``. A signal that arrives there printed "Exception ignored in
_releaseLock" and the build ran on to the end, replacing the output it was asked to keep. So the handler
also records the request, and ``raise_if_interrupted`` raises it again at points where it unwinds: before an
output is swapped into place, and between the results of a worker pool.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

_requested = False  # a plain flag: an Event's lock could deadlock a handler that interrupts another


def raise_if_interrupted() -> None:
    """Raise the interrupt a signal asked for if it was lost in a callback that swallowed it."""
    if _requested:
        raise KeyboardInterrupt


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    global _requested
    _requested = True
    raise KeyboardInterrupt


def install() -> dict[int, object] | None:
    """SIGTERM and SIGINT raise ``KeyboardInterrupt`` (and are remembered) until ``restore``; returns the previous
    handlers, or None when not on the main thread, where handlers cannot be set."""
    global _requested
    if threading.current_thread() is not threading.main_thread():
        return None
    _requested = False
    return {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGTERM, signal.SIGINT)}


def restore(previous: dict[int, object] | None) -> None:
    """Put back the handlers ``install`` replaced and forget any interrupt request."""
    global _requested
    if previous is None:
        return
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]
    _requested = False
