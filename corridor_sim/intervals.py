"""Confidence intervals of KPIs over replications that respect each quantity's range.

A KPI's unit says what values it can take: ``fraction`` lies in [0, 1]; ``t``, ``TEU``,
``d``, ``h`` and ``units`` are never negative. The interval of the mean over replications
is chosen so that it never leaves that range (docs/intervals.md):

- ``wilson``: values that are all 0 or 1 (e.g. ``backlog_growing``: did the backlog grow
  in this replication?) — the Wilson score interval of k successes in n;
- ``t-log``: strictly positive quantities (tons, days, hours) — Student's t on the
  logarithms, transformed back (an interval for the typical value, never below 0);
- ``bootstrap``: other fractions (shares of waiting, utilisation) and quantities with
  zeros — the percentile bootstrap of the mean (:func:`scipy.stats.bootstrap`), which
  stays within the values seen; its resampling comes from a named stream, so the same
  replications always give the same interval;
- ``t``: anything that may be negative — Student's t on the values;
- ``exact``: all replications gave the same value.

With one replication there is no interval (NaN). With two the interval is wide and
unreliable: :func:`summarize` then warns (:class:`FewReplicationsWarning`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .stochastic import Streams

BOUNDED = {"fraction": (0.0, 1.0)}
NON_NEGATIVE = {"t", "TEU", "d", "h", "units"}
MIN_RELIABLE_N = 3
BOOTSTRAP_RESAMPLES = 2000


class FewReplicationsWarning(UserWarning):
    """Intervals from fewer than three replications."""


def _t(values: np.ndarray, confidence: float) -> tuple[float, float]:
    from scipy.special import stdtrit  # Student-t quantile (lighter than scipy.stats)

    n = len(values)
    half = stdtrit(n - 1, 0.5 + confidence / 2) * values.std(ddof=1) / np.sqrt(n)
    m = values.mean()
    return float(m - half), float(m + half)


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def _bootstrap(samples: np.ndarray, confidence: float, name: str) -> np.ndarray:
    """Percentile-bootstrap intervals of the mean of each row of ``samples`` (rows of
    equal length): an array of shape (2, rows)."""
    from scipy.stats import bootstrap

    rng = Streams(0).generator(f"intervals:{name}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate resamples of very few values
        res = bootstrap((samples,), np.mean, confidence_level=confidence, axis=-1,
                        n_resamples=BOOTSTRAP_RESAMPLES, method="percentile",
                        vectorized=True, rng=rng)
    ci = res.confidence_interval
    return np.vstack([np.atleast_1d(ci.low), np.atleast_1d(ci.high)])


def _method(v: np.ndarray, unit: str) -> str:
    if len(v) < 2:
        return ""
    if np.all(v == v[0]):
        return "exact"
    if unit in BOUNDED and np.isin(v, (0.0, 1.0)).all():
        return "wilson"
    if unit in NON_NEGATIVE and (v > 0).all():
        return "t-log"
    if unit in BOUNDED or unit in NON_NEGATIVE:
        return "bootstrap"
    return "t"


def _limits(unit: str) -> tuple[float, float]:
    return BOUNDED.get(unit, (0.0, np.inf) if unit in NON_NEGATIVE else (-np.inf, np.inf))


def _closed_form(v: np.ndarray, method: str, confidence: float) -> tuple[float, float]:
    if method == "exact":
        return float(v[0]), float(v[0])
    if method == "wilson":
        return _wilson(int(v.sum()), len(v), confidence)
    if method == "t-log":
        low, high = _t(np.log(v), confidence)
        return float(np.exp(low)), float(np.exp(high))
    if method == "t":
        return _t(v, confidence)
    return float("nan"), float("nan")


def interval(values, unit: str = "", confidence: float = 0.95,
             name: str = "") -> tuple[float, float, str]:
    """Confidence interval of the mean of ``values`` (one per replication) for a KPI of
    ``unit``: ``(low, high, method)``, method as in the module docstring; NaN and ``""``
    with fewer than two finite values. ``name`` names the bootstrap's random stream."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    method = _method(v, unit)
    if method != "bootstrap":
        return (*_closed_form(v, method, confidence), method)
    lo_lim, hi_lim = _limits(unit)
    low, high = _bootstrap(v[None, :], confidence, name)[:, 0]
    return max(float(low), lo_lim), min(float(high), hi_lim), method


def summarize(kpis_by_replication: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, sd, n and a confidence interval (``ci_low``, ``ci_high``, ``ci_method``) of
    each KPI across replications, from a table with kpi, group, unit, value and one row
    per replication. Warns (:class:`FewReplicationsWarning`) when KPIs have exactly two
    replications."""
    rows, boot = [], {}
    groups = kpis_by_replication.groupby(["kpi", "group", "unit"], sort=False)["value"]
    for i, ((kpi, group, unit), g) in enumerate(groups):
        v = g.to_numpy(float)
        v = v[np.isfinite(v)]
        method = _method(v, unit)
        low, high = _closed_form(v, method, confidence)
        if method == "bootstrap":  # batched below, by number of replications
            boot.setdefault(len(v), []).append((i, v))
        rows.append([kpi, group, unit, v.mean() if len(v) else np.nan,
                     v.std(ddof=1) if len(v) > 1 else np.nan, len(v), low, high, method])
    for n, items in boot.items():
        ci = _bootstrap(np.vstack([v for _, v in items]), confidence, f"n{n}")
        for (i, _), low, high in zip(items, ci[0], ci[1]):
            lo_lim, hi_lim = _limits(rows[i][2])
            rows[i][6], rows[i][7] = max(float(low), lo_lim), min(float(high), hi_lim)
    out = pd.DataFrame(rows, columns=["kpi", "group", "unit", "mean", "sd", "n", "ci_low",
                                      "ci_high", "ci_method"])
    few = int(out["n"].max()) if len(out) else 0
    if 1 < few < MIN_RELIABLE_N:
        warnings.warn(f"confidence intervals from {few} replications are wide and "
                      f"unreliable; use {MIN_RELIABLE_N} or more", FewReplicationsWarning,
                      stacklevel=2)
    return out
