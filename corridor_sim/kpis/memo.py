"""KPI results shared within one block of work.

Writing a run's results asks for some KPIs several times over the same tables: the
report, its HTML page, the figures and the summary printed after them all want transit
per origin and destination, per class, between the legs of interest, the utilisation
table... Inside ``with shared_results():`` a function marked :func:`shared` computes its
result once per distinct arguments (tables by identity) and returns that same object
again; outside such a block it computes every time, as before. Whoever opens the block
promises not to change the tables inside it, and callers treat the results as read-only.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

F = TypeVar("F", bound=Callable)
# the shared results of the innermost open block of this thread or task (none outside)
_MEMO: ContextVar[dict | None] = ContextVar("corridor_sim_shared_results", default=None)


@contextmanager
def shared_results() -> Iterator[None]:
    """Share the results of :func:`shared` functions until the block ends (nested
    blocks share the outer one's)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _key(value) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    return ("id", id(value))  # tables, scenarios: by identity (kept alive with the entry)


def shared(fn: F) -> F:
    """Mark a KPI function whose result may be shared inside :func:`shared_results`."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        memo = _MEMO.get()
        if memo is None:
            return fn(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()  # f(x) and f(x, 0.0) with a default of 0.0 are one call
        key = (fn.__module__, fn.__qualname__, _key(tuple(bound.arguments.items())))
        entry = memo.get(key)
        if entry is None:
            entry = memo[key] = (fn(*args, **kwargs), bound.arguments)
        return entry[0]

    return wrapper  # type: ignore[return-value]
