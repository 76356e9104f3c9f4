"""Atomic writes: a file or a directory appears complete under its final name, or not at all.

A file is written under a temporary name in the same directory (``.NAME.tmp-PID-XXXX``),
flushed and synced to disk, and renamed over its final name with ``os.replace``; the
directory is then synced too (POSIX), so the rename itself survives a power cut. A
directory is built the same way, as a temporary sibling whose files are all synced, and
swapped in whole; a previous directory of that name is moved aside
(``.NAME.old-PID``) and removed afterwards, with SIGINT, SIGTERM and SIGHUP held off
between the two renames. A writer that fails or is interrupted removes its temporary; one
that is killed leaves it behind, and :func:`remove_stale_temporaries` removes it later
(temporaries of processes still running are kept).

This module imports nothing from the package: every writer above it uses it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

FILE_MODE = 0o644
DIR_MODE = 0o755
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?:tmp-(?P<pid>\d+)-\w+|old-(?P<old>\d+))")


def write_file(path: str | Path, content: str | bytes | Callable[[Path], object],
               encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``path`` atomically and durably; return ``path``.

    ``content`` is text, bytes, or a function that writes the file at the path it is
    given (e.g. ``lambda p: df.to_csv(p, index=False)`` or ``fig.savefig``)."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent)
    tmp = Path(name)
    try:
        if callable(content):
            os.close(fd)
            content(tmp)
            _sync_file(tmp)
        else:
            data = content.encode(encoding) if isinstance(content, str) else content
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        tmp.chmod(FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)
    return path


@contextlib.contextmanager
def directory(path: str | Path) -> Iterator[Path]:
    """Build the directory ``path`` atomically: the block writes into the temporary
    directory it is given; when the block ends normally, every file in it is synced and
    it replaces ``path`` (a previous directory there is removed). When the block raises,
    the temporary is removed and ``path`` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent))
    tmp.chmod(DIR_MODE)
    try:
        yield tmp
        for folder, _dirs, files in os.walk(tmp):
            for name in files:
                _sync_file(Path(folder) / name)
            _sync_dir(Path(folder))
        _swap_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _sync_dir(path.parent)


def _swap_into_place(tmp: Path, path: Path) -> None:
    old = None
    with _signals_deferred():  # never stop between the two renames
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
        os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT/SIGTERM/SIGHUP until the block ends (main thread, POSIX only)."""
    sigs = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}
    if not hasattr(signal, "pthread_sigmask") or \
            threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _sync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _sync_dir(path: Path) -> None:
    """Sync a directory's entries (the renames in it); a no-op where directories cannot
    be opened (Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove the temporaries of ``path`` (``.NAME.tmp-PID-*``, ``.NAME.old-PID`` next
    to it) left by writers that were killed; those of running processes are kept.
    Returns what was removed."""
    path = Path(path)
    return _remove_stale(path.parent, lambda name: name == path.name)


def remove_stale_temporaries_in(folder: str | Path) -> list[Path]:
    """Remove every temporary directly inside ``folder`` (whatever it was for) left by
    a writer that was killed. Returns what was removed."""
    return _remove_stale(Path(folder), lambda name: True)


def _remove_stale(folder: Path, wanted: Callable[[str], bool]) -> list[Path]:
    gone: list[Path] = []
    if not folder.is_dir():
        return gone
    for p in folder.iterdir():
        m = _TEMPORARY.fullmatch(p.name)
        if m is None or not wanted(m["name"]) or _alive(int(m["pid"] or m["old"])):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        gone.append(p)
    return gone


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, owned by someone else
        return True
    return True
