"""Limits that keep one strange document from stalling a build: a wall-clock time limit per document.

A pathological input (a regex that backtracks, a table parser looping on a malformed layout) must cost one
document, never the run. ``time_limit`` raises ``DocumentTimeout`` — a ``BudgetKGError``, so the build
records it as that file's failure notice and goes on with the others. It uses SIGALRM, which CPython's
``re`` engine also honours mid-match, so it interrupts a catastrophic backtrack too.

The alarm raises a ``BaseException`` (not an ``Exception``) inside the document's code, so the stage guards
that turn a parser bug into a notice (``except Exception``) cannot swallow it: the document really ends,
and only here, at the limit's own boundary, does it become a ``DocumentTimeout``.

``extract`` and ``build`` call it around each document (kg/extract.py ``extract_file_limited``); the limit
is ``BUDGET_KG_DOC_TIMEOUT`` seconds (default 300; 0 turns it off).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from kg.errors import BudgetKGError

TIMEOUT_ENV = "BUDGET_KG_DOC_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 300.0  # the largest seed takes ~3 s; a hundred times that is not a slow document
REFIRE_SECONDS = 1.0  # after the limit, the alarm repeats this often until the document has really ended


class DocumentTimeout(BudgetKGError):
    """A document took longer than the per-document limit; its records are missing."""


class _Expired(BaseException):
    """The alarm, on its way out of the document's code (past every ``except Exception``)."""


def default_timeout(environ: dict[str, str] | None = None) -> float | None:
    """The per-document limit in seconds from the environment; None when turned off (0) or unparseable."""
    value = (os.environ if environ is None else environ).get(TIMEOUT_ENV, "")
    try:
        seconds = float(value) if value.strip() else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS
    return seconds if seconds > 0 else None


def can_interrupt() -> bool:
    """SIGALRM exists (not on Windows) and we are on the main thread (signal handlers only run there)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, file: str) -> Iterator[None]:
    """Raise DocumentTimeout in the body after ``seconds`` of wall time. No limit when ``seconds`` is None
    or where the platform/thread cannot deliver the alarm (the body then simply runs to its end)."""
    if seconds is None or seconds <= 0 or not can_interrupt():
        yield
        return

    token = _Expired()

    def expire(_signum: int, _frame: FrameType | None) -> None:
        # Armed again first: Python ignores what a handler raises inside a finalizer or an after-fork hook (and a
        # library may catch BaseException), and a document stuck in a loop would then run on with no limit left.
        signal.setitimer(signal.ITIMER_REAL, REFIRE_SECONDS)
        raise token

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired as expired:
        signal.setitimer(signal.ITIMER_REAL, 0)  # before anything else: no second alarm while this one is reported
        if expired is not token:
            raise  # an outer limit's alarm: not ours to report
        raise DocumentTimeout(file, f"gave up after {seconds:g} s (per-document limit {TIMEOUT_ENV}); "
                              "its records are missing", code="document-timeout") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
