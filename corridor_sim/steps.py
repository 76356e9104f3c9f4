"""Step series (a value ``v[i]`` from time ``t[i]`` on, ``t`` sorted): their integral,
shared by the result tables and the KPIs."""

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
