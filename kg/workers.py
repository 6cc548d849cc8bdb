"""A process pool where one document can kill its worker and cost only itself.

``concurrent.futures`` marks the whole pool broken when one worker dies (the kernel's OOM killer, a crash
in a C extension, a memory limit hit outside Python): every pending task then fails with
``BrokenProcessPool`` and the build used to stop with a traceback. ``isolated_map`` keeps the results that
were finished and runs each unfinished task again, one at a time, in a pool of one worker; a task that
kills that worker too is the culprit, ``lost(task, reason)`` gives its result (a failure notice) instead,
and a new one-worker pool takes the rest. Results come back in the order of the tasks, so a build stays deterministic.

Each worker also runs under a memory budget (``BUDGET_KG_DOC_MEMORY_MB``, default 4096, 0 for none): its data
segment may grow that much beyond what it started with, so one document that needs more gets a
``MemoryError`` (reported as that document's failure) instead of taking the machine's memory.

Workers never outlive the run that started them: a worker of a ``ProcessPoolExecutor`` waits on a pipe its
siblings also hold open, so when the main process is killed (SIGKILL, an OOM kill) nothing tells the workers
and they wait forever. On Linux each worker asks the kernel for SIGTERM when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); when the main process leaves a pool through an exception (an interrupt, a
failed stage) the workers are terminated rather than waited for.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from kg.interrupts import raise_if_interrupted

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1
MEMORY_ENV = "BUDGET_KG_DOC_MEMORY_MB"
DEFAULT_MEMORY_MB = 4096  # the largest seed peaks near 300 MB in extraction


def memory_budget_mb(environ: dict[str, str] | None = None) -> int:
    value = (os.environ if environ is None else environ).get(MEMORY_ENV, "").strip()
    try:
        return max(0, int(float(value))) if value else DEFAULT_MEMORY_MB
    except ValueError:
        return DEFAULT_MEMORY_MB


def _data_segment_bytes() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def limit_worker_memory(budget_mb: int) -> None:
    """Pool initializer: cap this worker's data segment at what it holds now plus ``budget_mb``."""
    if budget_mb <= 0:
        return
    try:
        import resource

        current = _data_segment_bytes()
        if current is None:
            return
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = current + budget_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def die_with_parent(parent: int) -> None:
    """SIGTERM this worker when ``parent`` (the process that started it) dies."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the CLI's handler (fork-inherited) would not end a worker
    if sys.platform.startswith("linux"):
        libc_name = ctypes.util.find_library("c")
        if libc_name is not None:
            with contextlib.suppress(OSError, AttributeError):
                ctypes.CDLL(libc_name, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def start_worker(parent: int, budget_mb: int, collector: tuple[int, ...] | None = None) -> None:
    """Pool initializer: the worker dies with its parent, runs under the memory budget and collects as the
    parent did when it started the pool (``collector``: its thresholds; a forked worker has them already, a
    spawned one not)."""
    die_with_parent(parent)
    limit_worker_memory(budget_mb)
    if collector is not None:
        gc.set_threshold(*collector)


@contextlib.contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Within: the objects alive on entry (modules, the readers' data) are frozen out of the collector's
    passes, and forked workers inherit them frozen. A full collection otherwise walks all of them every few
    documents: ≈ 15 % of extraction's CPU at 100 synthetic disclosures, 0.12 s of the samples build. Objects
    someone else froze before stay frozen on exit."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# Young collections during a build: every this many tracked objects allocated and not freed, not Python's 700.
# A document's records are tens of thousands of objects alive at once, and each young collection walked the
# newest of them only to find them still alive: at 700 a one-job build of 60 synthetic disclosures ran 2,602
# young, 236 middle and 21 full collections (1.2-1.4 CPU-s of ≈ 23); at 50,000, 3 and none (0.06 CPU-s), with
# the same peak memory (206 MB). Cycles are still collected: garbage counts toward the threshold until it is.
YOUNG_COLLECTION_THRESHOLD = 50_000


@contextlib.contextmanager
def young_collections_spaced(threshold: int = YOUNG_COLLECTION_THRESHOLD) -> Iterator[None]:
    """Within: a young collection every ``threshold`` allocations (pools started within inherit it). A
    threshold someone else set higher, or a collector switched off by threshold 0, is left as it is."""
    before = gc.get_threshold()
    if before[0] == 0 or before[0] >= threshold:
        yield
        return
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextlib.contextmanager
def collector_paused(pause: bool) -> Iterator[None]:
    """Within, when ``pause``: no cyclic collection at all. For a small build in one process (below
    kg.build.POOL_THRESHOLD_BYTES of input), whose cycles are few and freed by the first collection after it:
    the samples build ran ≈ 170 young and 3 full collections (≈ 0.09 CPU-s), with the same peak memory without
    them (221 MB). A collector someone else disabled stays disabled."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=start_worker,
                               initargs=(os.getpid(), memory_budget_mb(), gc.get_threshold()))


def terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what is queued and terminate the running workers."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way to reach the workers
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.join(timeout=5)


def isolated_map(function: Callable[[T], R], tasks: list[T], jobs: int,
                 lost: Callable[[T, str], R]) -> Iterator[R]:
    """``function`` over ``tasks`` in worker processes, in task order; a task whose worker dies is run again
    alone, and ``lost(task, reason)`` stands for it when it kills its worker again."""
    results: dict[int, R] = {}
    yielded = 0
    broken = False
    pool = _pool(jobs)
    try:
        futures: list[Future[R] | None] = []
        for task in tasks:
            try:
                futures.append(pool.submit(function, task))
            except BrokenProcessPool:  # a worker died while tasks were still being handed out
                futures.append(None)
        for index, future in enumerate(futures):
            raise_if_interrupted()  # a signal that came while the pool forked a worker was swallowed there
            try:
                if future is None:
                    raise BrokenProcessPool("not submitted: the pool had broken")
                results[index] = future.result()  # one finished before the pool broke still has its result
                futures[index] = None  # the result is the caller's now: kept here, every result would live to the end
            except BrokenProcessPool:
                broken = True
                continue
            if not broken:
                yield results.pop(index)
                yielded = index + 1
    except BaseException:  # an interrupt, or the caller stopped reading (GeneratorExit): end the workers now
        terminate(pool)
        raise
    pool.shutdown(wait=True, cancel_futures=True)
    solo: ProcessPoolExecutor | None = None  # one worker, one task at a time: a death names its task
    try:
        for index in range(yielded, len(tasks)):
            if index not in results:
                solo = solo or _pool(1)
                try:
                    results[index] = solo.submit(function, tasks[index]).result()
                except BrokenProcessPool:
                    results[index] = lost(tasks[index], "its worker process died (out of memory, or a crash in a "
                                          "library), also when run alone")
                    solo.shutdown(wait=True)
                    solo = None
            yield results.pop(index)
    except BaseException:
        if solo is not None:
            terminate(solo)
        raise
    if solo is not None:
        solo.shutdown(wait=True, cancel_futures=True)
