"""Step series (a value ``v[i]`` from time ``t[i]`` on, ``t`` sorted): their integral and
their means over fixed bins, shared by the result tables and the KPIs."""

from __future__ import annotations

import numpy as np


def step_integral(t: np.ndarray, v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Integral of the step function (t, v) from -inf to each ``x`` (0 before t[0]; at
    equal times the last value holds)."""
    if len(t) == 0:
        return np.zeros(len(x))
    cum = np.concatenate([[0.0], np.cumsum(v[:-1] * np.diff(t))])
    k = np.searchsorted(t, x, side="right") - 1
    kk = np.clip(k, 0, None)
    return np.where(k >= 0, cum[kk] + v[kk] * (x - t[kk]), 0.0)


def bin_means(t: np.ndarray, v: np.ndarray, step_h: float,
              end_h: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The step series (t, v) as time-weighted means over bins of ``step_h`` hours
    (aligned on multiples of ``step_h``, the last one ending at ``end_h``): the starts and
    means of the bins where the mean changes (a step series again), or None if the
    series has no bin before ``end_h``."""
    lo = np.floor(t[0] / step_h) * step_h
    edges = np.arange(lo, end_h, step_h)
    edges = np.append(edges, end_h) if len(edges) and edges[-1] < end_h else edges
    if len(edges) < 2:
        return None
    mean = np.diff(step_integral(t, v, edges)) / np.diff(edges)
    keep = np.r_[True, mean[1:] != mean[:-1]]
    return edges[:-1][keep], mean[keep]
