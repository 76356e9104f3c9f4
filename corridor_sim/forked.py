"""Work handed to a forked copy of this process while this one goes on (e.g. a run's
figures drawn while its tables and report are written).

A fork shares the parent's tables without copying or pickling them. It is used only where
it is safe and useful (:func:`can_fork_here`): several cores, the ``fork`` start method,
and no Python thread but the main one (a fork copies other threads' locks mid-work, so
not in Jupyter). Otherwise, and whenever the copy fails, the work is done in this process
when its result is asked for, so errors show as usual. A :class:`Worker` is a copy
forked ahead of its work, to get ready meanwhile (the work's arguments are then pickled
to it, as they did not exist when it was forked).
"""

from __future__ import annotations

import contextlib
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
        """Stop the forked process (nothing if it never started or its result was
        taken)."""
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
    receive, send = multiprocessing.Pipe(duplex=False)
    process = _forked(_child, (send, receive, fn, args))
    send.close()
    if process is None:  # run it here later
        receive.close()
        return Pending(fn, args)
    return Pending(fn, args, process, receive)


def _forked(target: Callable, args: tuple):
    """A forked process running ``target(*args)``, started, or None where it cannot be
    (e.g. in a daemonic pool worker). Not a daemon, so that it may fork in turn (e.g. to
    draw figures on two cores)."""
    process = multiprocessing.get_context("fork").Process(target=target, args=args,
                                                          daemon=False)
    try:
        process.start()
    except (AssertionError, OSError):
        return None
    return process


class Worker:
    """A forked copy of this process started before the work it will be given, so that
    it gets ready meanwhile (``prepare()``, e.g. loading matplotlib while this process
    simulates). Use it as a context manager (leaving the block stops a copy that was
    given nothing, or whose result was not asked for); :meth:`start` hands it one piece
    of work. Without :func:`can_fork_here` there is no copy and :meth:`start` falls back
    to :func:`start`."""

    def __init__(self, prepare: Callable[[], object] | None = None):
        self._prepare = prepare
        self._process = self._conn = None
        self._handed: Pending | None = None

    def __enter__(self) -> Worker:
        if can_fork_here():
            mine, theirs = multiprocessing.Pipe()
            process = _forked(_waiting_child, (theirs, mine, self._prepare))
            theirs.close()
            if process is None:
                mine.close()
            else:
                self._process, self._conn = process, mine
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def start(self, fn: Callable, *args) -> Pending:
        """Hand ``fn(*args)`` to the waiting copy (the arguments are pickled: it was
        forked before they existed); without one, or if they cannot be sent, as
        :func:`start` does. Leaving the ``with`` block stops the work unless its result
        was taken."""
        if self._process is not None:
            try:
                self._conn.send((fn, args))
            except Exception:  # noqa: BLE001 - e.g. unpicklable: nothing was sent
                self._stop()
            else:
                self._handed = Pending(fn, args, self._process, self._conn)
                self._process = self._conn = None  # the result's now
                return self._handed
        self._handed = start(fn, *args)
        return self._handed

    def _stop(self) -> None:
        if self._handed is not None:  # (nothing to stop once its result was taken)
            self._handed.cancel()
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._conn.close()
            self._process = self._conn = None


def _quiet_signals() -> None:
    # stopped by the parent with SIGTERM: end quietly, with no handler copied from it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _child(send, parents, fn: Callable, args: tuple) -> None:
    _quiet_signals()
    parents.close()  # the parent's end, copied by the fork
    _answer(send, fn, args)


def _waiting_child(conn, parents, prepare: Callable[[], object] | None) -> None:
    _quiet_signals()
    parents.close()  # the parent's end, copied by the fork: so that its exit ends recv
    try:
        if prepare is not None:
            prepare()
    except Exception:  # noqa: BLE001 - the work then fails here and is redone there
        pass
    try:
        fn, args = conn.recv()
    except (EOFError, OSError):  # given nothing
        return
    except Exception:  # noqa: BLE001 - the work cannot be read here: the parent does it
        fn, args = _unreadable, ()
    _answer(conn, fn, args)


def _unreadable():
    raise RuntimeError("the work sent could not be read")


def _answer(send, fn: Callable, args: tuple) -> None:
    try:
        answer = (True, fn(*args))
    except BaseException:  # noqa: BLE001 - the parent does the work again and reports
        answer = (False, None)
    try:
        send.send(answer)
    except Exception:  # noqa: BLE001 - e.g. an unpicklable result: the parent redoes it
        with contextlib.suppress(OSError):  # (or the parent is gone)
            send.send((False, None))
    finally:
        send.close()
