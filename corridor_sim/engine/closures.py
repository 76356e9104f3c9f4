"""Closure windows (hours) for nodes, legs and services, scheduled and weather-driven,
and scheduled capacity cuts."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right

import numpy as np

from ..stochastic import draw


class Closures:
    """A sorted set of disjoint closed intervals ``[start_h, end_h)``."""

    __slots__ = ("_ends", "_starts", "empty", "ends", "starts")

    def __init__(self, windows: list[tuple[float, float]] | None = None):
        merged: list[list[float]] = []
        for s, e in sorted(w for w in (windows or []) if w[1] > w[0]):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = np.array([m[0] for m in merged], float)
        self.ends = np.array([m[1] for m in merged], float)
        self.empty = not merged
        self._starts = self.starts.tolist()  # plain lists for fast bisection
        self._ends = self.ends.tolist()

    def __bool__(self) -> bool:
        return not self.empty

    def next_open(self, t: float) -> float:
        """The earliest time >= ``t`` that is not inside a closure."""
        if self.empty:
            return t
        i = bisect_right(self._ends, t)
        if i < len(self._starts) and self._starts[i] <= t:
            return self._ends[i]
        return t

    def overlap(self, t0: float, t1: float) -> float:
        """Hours of ``[t0, t1)`` that fall inside closures."""
        if self.empty or t1 <= t0:
            return 0.0
        i = bisect_right(self._ends, t0)  # first window ending after t0
        if i == len(self._starts) or self._starts[i] >= t1:
            return 0.0
        lo = np.maximum(self.starts, t0)
        hi = np.minimum(self.ends, t1)
        return float(np.clip(hi - lo, 0.0, None).sum())

    def windows(self) -> list[tuple[float, float]]:
        return list(zip(self.starts.tolist(), self.ends.tolist()))


class Cuts:
    """Capacity cuts: windows ``[start_h, end_h)`` in which a place keeps ``factor`` of its
    capacity (where windows overlap, the smallest factor holds)."""

    __slots__ = ("windows",)

    def __init__(self, windows: list[tuple[float, float, float]] | None = None):
        self.windows = sorted(windows or [])

    def __bool__(self) -> bool:
        return bool(self.windows)

    def factor_at(self, t: float) -> float:
        """The share of capacity left at time ``t`` (1.0 outside every cut)."""
        factor = 1.0
        for start, end, f in self.windows:
            if start > t:
                break
            if t < end:
                factor = min(factor, f)
        return factor


def weather_windows(weather, start: dt.date, t0_h: float, t1_h: float,
                    rng: np.random.Generator) -> list[tuple[float, float]]:
    """Sample stochastic closures: each day a closure starts with that month's
    probability (unless already closed) and lasts a drawn number of hours."""
    probs = weather.closure_prob_per_day.values()
    first_day = int(np.floor(t0_h / 24.0))
    last_day = int(np.ceil(t1_h / 24.0))
    days = np.arange(first_day, last_day)
    months = np.array([(start + dt.timedelta(days=int(d))).month - 1 for d in days])
    p = np.asarray(probs)[months]
    starts = rng.random(len(days)) < p
    durations = draw(weather.duration_h, rng, len(days))
    windows = []
    closed_until = -np.inf
    for d, hit, dur in zip(days, starts, durations):
        t = d * 24.0
        if hit and t >= closed_until and dur > 0:
            windows.append((t, t + float(dur)))
            closed_until = t + float(dur)
    return windows


def wait_until_open(env, closures: Closures):
    """Wait (a SimPy generator) until ``closures`` is open at the current time; its value
    is whether it had to wait."""
    reopen = closures.next_open(env.now)
    if reopen <= env.now:
        return False
    yield env.timeout(reopen - env.now)
    return True
