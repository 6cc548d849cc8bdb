"""Output directories: written beside the old one, swapped in whole, and only ever replacing our own.

Every verb that writes a directory (``build``, ``extract``, ``export``, ``site``) goes through
:func:`staged_output`:

* **Whose directory is it?** A finished output holds a marker file, :data:`MARKER`, naming the tool, its
  version, the verb and every top-level entry the verb wrote. An existing ``OUT`` is replaced only when it
  is empty or holds that marker and nothing else beside what the marker lists; anything else is refused
  (``--force`` overrides). An input, or a directory holding an input, is never taken as the output, even
  with ``--force``.
* **Never half there.** The new output is written to a sibling ``.OUT.tmp-PID-…`` and exchanged with
  ``OUT`` in one ``renameat2(RENAME_EXCHANGE)`` call (Linux), so ``OUT`` names the old or the new output at
  every instant; then the old one is removed. Where the exchange is not available the old directory is
  renamed away just before the new one is renamed in.
* **Killed runs.** A staging directory carries the marker (``complete: false``) and its process id from the
  start; the next run removes the staging siblings of ``OUT`` whose process is gone. Directories without
  our marker are never touched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.errors import BudgetKGError
from kg.interrupts import raise_if_interrupted

MARKER = ".budget-kg-output.json"
TOOL = "budget-kg"
_STAGING = ".tmp-"


class OutputError(BudgetKGError):
    """An output directory that is an input, holds an input, or holds files budget-kg did not write."""


def tool_version() -> str:
    try:
        from importlib.metadata import version

        return version(TOOL)
    except Exception:  # running from a checkout that was never installed
        return "unknown"


def read_marker(directory: Path) -> dict[str, Any] | None:
    """The marker of a budget-kg output directory, or None when there is none (or it is not ours)."""
    try:
        data = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("tool") == TOOL else None


def is_output_directory(directory: Path) -> bool:
    """True for a directory a budget-kg verb wrote (inputs found under it are not disclosures)."""
    marker = read_marker(directory)
    return marker is not None and bool(marker.get("complete"))


def _write_marker(directory: Path, kind: str, complete: bool, entries: Iterable[str] = ()) -> None:
    payload = {"tool": TOOL, "version": tool_version(), "kind": kind, "complete": complete,
               "pid": os.getpid(), "entries": sorted(entries)}
    (directory / MARKER).write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _contains(outer: Path, inner: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_output(out: Path, inputs: Sequence[str | Path] = (), *, kind: str | None = None,
                 force: bool = False) -> None:
    """Refuse an output directory this run must not replace; return quietly when it may.

    Always refused: an input, or a directory holding an input. Refused unless ``force``: an existing
    file, a non-empty directory that is not a budget-kg output (no marker), the output of another verb
    (an export given as a site's --out), or one holding files the marker does not list (added by hand).
    """
    # os.path.realpath, not Path.resolve: a symbolic link loop among the inputs is read (and refused by name)
    # later, it must not stop the run here with a RuntimeError
    target = Path(os.path.realpath(out))
    for item in inputs:
        given = Path(os.path.realpath(item))
        if _contains(target, given):
            what = "is an input" if given == target else f"holds the input {item}"
            raise OutputError(str(out), f"the output directory {what}; budget-kg never writes over its "
                              "inputs: choose another --out", code="output-is-input")
    if not out.exists() and not out.is_symlink():
        return
    if force:
        return
    if not out.is_dir() or out.is_symlink():
        raise OutputError(str(out), "exists and is not a directory budget-kg wrote; give another --out, or "
                          "--force to replace it", code="output-not-ours")
    try:
        present = sorted(entry.name for entry in os.scandir(out))
    except OSError as exc:
        raise OutputError(str(out), f"cannot read the output directory: {exc.strerror or exc}",
                          code="output-unreadable") from None
    if not present:
        return
    marker = read_marker(out)
    if marker is None:
        shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
        raise OutputError(str(out), f"holds files budget-kg did not write ({shown}) and no {MARKER} "
                          "(the marker every budget-kg output carries); it is left as it is: give another "
                          "--out, or --force to replace it", code="output-not-ours")
    if kind is not None and marker.get("kind") != kind:
        raise OutputError(str(out), f"is a budget-kg {marker.get('kind')} output, not a {kind}; give another "
                          "--out, or --force to replace it", code="output-not-ours")
    foreign = sorted(set(present) - set(marker.get("entries", [])) - {MARKER})
    if foreign:
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise OutputError(str(out), f"is a budget-kg {marker.get('kind', 'output')} but also holds {shown}, "
                          "which budget-kg did not write; move them away, or give --force to replace it all",
                          code="output-not-ours")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def clean_stale_staging(out: Path) -> list[Path]:
    """Remove ``.OUT.tmp-*`` siblings left by killed runs: only ours (marker) whose process is gone."""
    removed: list[Path] = []
    parent = out.parent if str(out.parent) else Path(".")
    try:
        siblings = list(parent.glob(f".{out.name}{_STAGING}*"))
    except OSError:
        return removed
    for sibling in siblings:
        marker = read_marker(sibling) if sibling.is_dir() and not sibling.is_symlink() else None
        if marker is None:
            continue
        pid = marker.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and _pid_alive(pid):
            continue
        shutil.rmtree(sibling, ignore_errors=True)
        removed.append(sibling)
    return removed


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2). False when the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def swap_into_place(staged: Path, out: Path) -> None:
    """Make ``staged`` the directory ``out``; the previous ``out`` (if any) is removed afterwards."""
    if out.exists() or out.is_symlink():
        if _exchange(staged, out):
            shutil.rmtree(staged, ignore_errors=True)  # now the old output
            return
        # No atomic exchange here: the old output leaves its name just before the new one takes it.
        old = staged.with_name(staged.name + ".old")
        os.rename(out, old)
        try:
            os.rename(staged, out)
        except BaseException:
            os.rename(old, out)
            raise
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
        return
    os.rename(staged, out)


@contextmanager
def staged_output(out: str | Path, kind: str, inputs: Sequence[str | Path] = (), *,
                  force: bool = False) -> Iterator[Path]:
    """A fresh staging directory beside ``out``; swapped in as ``out`` when the block ends normally.

    On an exception (or an interrupt) the staging directory is removed and ``out`` is left as it was.
    """
    out = Path(out)
    check_output(out, inputs, kind=kind, force=force)
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale_staging(out)
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}{_STAGING}{os.getpid()}-", dir=parent))
    try:
        staged.chmod(0o777 & ~_umask())  # mkdtemp makes it private; outputs are for sharing
        _write_marker(staged, kind, complete=False)
        yield staged
        entries = [entry.name for entry in os.scandir(staged) if entry.name != MARKER]
        _write_marker(staged, kind, complete=True, entries=entries)
        check_output(out, inputs, kind=kind, force=force)  # again: something may have appeared there meanwhile
        raise_if_interrupted()  # a signal lost in a fork or finalizer callback still keeps the old output
        swap_into_place(staged, out)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def unique_name(stem: str, used: set[str], suffix: str = "") -> str:
    """``stem + suffix``, or ``stem-2 + suffix``, ``stem-3 + suffix`` …: the first not in ``used`` (compared
    case-insensitively, as on macOS and Windows file systems); the chosen name is added to ``used``."""
    candidate, number = stem + suffix, 1
    while candidate.casefold() in used:
        number += 1
        candidate = f"{stem}-{number}{suffix}"
    used.add(candidate.casefold())
    return candidate


def reserved(*names: str) -> set[str]:
    """A ``used`` set for :func:`unique_name` holding the names a verb writes itself."""
    return {name.casefold() for name in names} | {MARKER.casefold()}
