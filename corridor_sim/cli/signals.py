"""Termination signals turned into exceptions, so interrupted runs clean up after
themselves (temporary result directories are removed by ``results_io.write_results``).

Ctrl-C (SIGINT) already raises KeyboardInterrupt. Within :func:`cleanup_on_terminate`,
SIGTERM and SIGHUP raise :class:`Terminated` (a SystemExit with code 128 + signal number),
which unwinds through ``finally``/``except BaseException`` blocks the same way.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager

CAUGHT = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
               if s is not None)


class Terminated(SystemExit):
    """Raised in the main thread when the process receives SIGTERM or SIGHUP."""


def _raise_terminated(signum, frame) -> None:
    name = signal.Signals(signum).name
    print(f"corridor-sim: {name} received, stopping", file=sys.stderr)
    raise Terminated(128 + signum)


@contextmanager
def cleanup_on_terminate():
    """Within the block, SIGTERM/SIGHUP raise :class:`Terminated`; previous handlers are
    restored afterwards. Does nothing outside the main thread (signals go there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_terminated) for s in CAUGHT}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
