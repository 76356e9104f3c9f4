"""Work handed to a forked copy of this process while this one goes on (e.g. a run's
figures drawn while its tables and report are written).

A fork shares the parent's tables without copying or pickling them. It is used only where
it is safe and useful (:func:`can_fork_here`): several cores, the ``fork`` start method,
and no Python thread but the main one (a fork copies other threads' locks mid-work, so
not in Jupyter). Otherwise, and whenever the copy fails, the work is done in this process
when its result is asked for, so errors show as usual.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable


def cores() -> int:
    """Cores this process may run on (fewer than the machine's when it is pinned, e.g.
    with ``taskset``; a second process on the same core would only add the fork)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def alone() -> bool:
    """No Python thread runs here but the main one (and tqdm's idle monitor)."""
    return all(t is threading.main_thread() or t.name == "tqdm_monitor"
               for t in threading.enumerate())


def can_fork_here() -> bool:
    """Whether work may go to a forked process: several cores, ``fork`` available and
    no other Python thread running."""
    return cores() > 1 and can_fork() and alone()


class Pending:
    """``fn(*args)`` running in a forked process (or not started, see :func:`start`).
    :meth:`result` waits for it; :meth:`cancel` stops it."""

    def __init__(self, fn: Callable, args: tuple, process=None, conn=None):
        self._fn, self._args = fn, args
        self._process, self._conn = process, conn

    def result(self):
        """What ``fn`` returned in the forked process; if it failed there (or never
        ran there), ``fn(*args)`` called here, so that an error is raised here."""
        ok, value = False, None
        if self._process is not None:
            try:
                ok, value = self._conn.recv()
            except (EOFError, OSError):  # the process ended without an answer
                pass
            self._close()
        return value if ok else self._fn(*self._args)

    def cancel(self) -> None:
        """Stop the forked process (nothing if it has ended or never started)."""
        if self._process is not None:
            self._process.terminate()
            self._close()

    def _close(self) -> None:
        self._process.join()
        self._conn.close()
        self._process = self._conn = None


def start(fn: Callable, *args, fork: bool | None = None) -> Pending:
    """Start ``fn(*args)`` in a forked process when ``fork`` (by default when
    :func:`can_fork_here`; True: wherever processes can be forked); otherwise, or if the
    fork fails, it runs in this process when its result is asked for. ``fn``'s result is
    sent back pickled."""
    if not (can_fork_here() if fork is None else fork and can_fork()):
        return Pending(fn, args)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    # not a daemon, so that it may fork in turn (e.g. to draw figures on two cores)
    process = ctx.Process(target=_child, args=(send, fn, args), daemon=False)
    try:
        process.start()
    except (AssertionError, OSError):  # e.g. in a daemonic pool worker: run it here later
        receive.close()
        send.close()
        return Pending(fn, args)
    send.close()
    return Pending(fn, args, process, receive)


def _child(send, fn: Callable, args: tuple) -> None:
    # stopped by the parent with SIGTERM: end quietly, with no handler copied from it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        answer = (True, fn(*args))
    except BaseException:  # noqa: BLE001 - the parent does the work again and reports
        answer = (False, None)
    try:
        send.send(answer)
    except Exception:  # noqa: BLE001 - e.g. an unpicklable result: the parent redoes it
        send.send((False, None))
    finally:
        send.close()
