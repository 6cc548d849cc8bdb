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
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

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


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, initializer=limit_worker_memory, initargs=(memory_budget_mb(),))


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
            try:
                if future is None:
                    raise BrokenProcessPool("not submitted: the pool had broken")
                results[index] = future.result()  # one finished before the pool broke still has its result
            except BrokenProcessPool:
                broken = True
                continue
            if not broken:
                yield results.pop(index)
                yielded = index + 1
    finally:
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
    finally:
        if solo is not None:
            solo.shutdown(wait=True, cancel_futures=True)
