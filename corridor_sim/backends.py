"""Where replications run: in this process, in a local process pool, or on Dask.

A backend maps a picklable function over a list of argument tuples and yields
``(index, outcome)`` pairs as each call finishes (in completion order, not submission
order). The function is expected to catch its own exceptions and return them as data;
an exception that still escapes (a worker that died, a lost Dask worker) is yielded as
the outcome so the caller can record it. Nothing here knows about scenarios.

Backends are context managers: leaving the ``with`` block (normally, on an error or on
Ctrl-C) cancels work not yet started and releases the workers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

BACKENDS = ("serial", "processes", "dask")


class BackendUnavailable(RuntimeError):
    """The backend cannot be used here (an optional dependency is missing)."""


class Backend:
    """Base class: runs ``fn(*args)`` for every tuple in ``tasks``."""

    name = "base"
    workers = 1
    #: True when workers see this machine's files, so they can write results themselves
    local_files = True

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release workers; pending work is cancelled."""

    def imap(self, fn: Callable, tasks: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        raise NotImplementedError


class SerialBackend(Backend):
    """Runs every call in this process, one after the other (in order)."""

    name = "serial"

    def imap(self, fn, tasks):
        for i, args in enumerate(tasks):
            try:
                yield i, fn(*args)
            except Exception as exc:  # noqa: BLE001 - reported to the caller as data
                yield i, exc


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is handled by the parent, which stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _sigint_ignored():
    """Ignore SIGINT while starting child processes (they keep ignoring it)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class ProcessBackend(Backend):
    """A ``concurrent.futures.ProcessPoolExecutor`` with ``workers`` processes
    (default: one per CPU core)."""

    name = "processes"

    def __init__(self, workers: int | None = None):
        self.workers = int(workers or os.cpu_count() or 1)
        self._pool = None

    def imap(self, fn, tasks):
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=min(self.workers, max(len(tasks), 1)),
                                             initializer=_ignore_sigint)
        futures = {self._pool.submit(fn, *args): i for i, args in enumerate(tasks)}
        for fut in as_completed(futures):
            try:
                yield futures[fut], fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. BrokenProcessPool
                yield futures[fut], exc

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        pool.shutdown(wait=False, cancel_futures=True)
        # Calls already running are not interrupted by shutdown(); stop their processes
        # so that Ctrl-C returns at once (their results are discarded).
        terminate = getattr(pool, "terminate_workers", None)
        if terminate is not None:  # Python >= 3.14
            terminate()
            return
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            if proc.is_alive():
                proc.terminate()


class DaskBackend(Backend):
    """A Dask distributed ``Client``: connected to ``scheduler`` (``tcp://host:port``) or,
    when none is given, to a ``LocalCluster`` with ``workers`` single-threaded worker
    processes (threads instead of processes when ``processes`` is false)."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 processes: bool = True):
        try:
            from distributed import Client, LocalCluster  # optional extra
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise BackendUnavailable("the dask backend needs the optional extra: "
                               "pip install 'corridor-sim[dask]'") from exc
        self._cluster = None
        self.local_files = not scheduler  # a remote cluster may not share our disk
        if scheduler:
            self._client = Client(scheduler)
        else:
            n = int(workers or os.cpu_count() or 1)
            with _sigint_ignored():  # worker processes inherit it; Ctrl-C is ours to handle
                self._cluster = LocalCluster(n_workers=n, threads_per_worker=1,
                                             processes=processes, dashboard_address=None)
            self._client = Client(self._cluster)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        self._futures: list = []

    def imap(self, fn, tasks):
        from distributed import as_completed as finished_in_order  # optional extra

        futures = [self._client.submit(fn, *args, pure=False) for args in tasks]
        self._futures = futures
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in finished_in_order(futures):
            try:
                yield index[fut.key], fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. a worker lost
                yield index[fut.key], exc
            fut.release()

    def close(self) -> None:
        log = logging.getLogger("distributed")
        level = log.level
        log.setLevel(logging.ERROR)  # cancelling and stopping workers is expected here
        try:
            if self._futures:
                self._client.cancel(self._futures)
                self._futures = []
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            log.setLevel(level)


def make_backend(name: str = "processes", workers: int | None = None,
                 scheduler: str | None = None, **options) -> Backend:
    """Create a backend by name (``serial``, ``processes`` or ``dask``)."""
    if name == "serial":
        return SerialBackend()
    if name == "processes":
        return ProcessBackend(workers)
    if name == "dask":
        return DaskBackend(workers, scheduler, **options)
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
