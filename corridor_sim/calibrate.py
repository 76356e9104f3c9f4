"""Calibration: fit a scenario's free parameters to published targets.

The scenario declares its free parameters as dotted override paths with bounds
(``calibration: {free: {"nodes.altynkol.dwell_h.median": [4.25, 9]}}``). The objective is
the sum over targets of the squared relative error of the simulated KPI (its mean over
replications) against the target value. Every evaluation runs the same replication
indices 0..n-1, so two parameter sets are compared on common random numbers. The
optimiser (scipy.optimize) works on parameters normalised to [0, 1] by their bounds.
With several workers, one process pool serves every evaluation of a fit (started at the
first evaluation, shut down when the fit ends).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from .engine import simulate
from .experiment import run_single, summarize_kpis
from .progress import progress_bar
from .run_tables import RunTables
from .scenario import with_overrides
from .scenario.models import Scenario
from .seeds import Target, get_path

METHODS = ("nelder-mead", "powell")


def kpis_of(scenario: Scenario, replication: int,
            names: Collection[str] | None = None) -> pd.DataFrame:
    """The KPI table of one replication (picklable, for process pools); with ``names``
    (KPI names or ``(name, group)`` pairs), only those KPIs, computed from only the
    tables they read (the rows are those of the full table: :func:`corridor_sim.kpis.kpi_table`)."""
    if names is None:
        return run_single(scenario, replication)[0]["kpis"]
    return RunTables(simulate(scenario, replication), kpi_names=frozenset(names))["kpis"]


def simulate_kpis(scenario: Scenario, replications: int, workers: int = 1,
                  names: Collection[str] | None = None,
                  pool: Executor | None = None) -> list[pd.DataFrame]:
    """KPI tables of replications 0..n-1 (the same indices every call: common random
    numbers), run in ``pool`` if given, else in a pool of ``workers`` processes started
    for this call when ``workers`` > 1; ``names``: only these KPIs."""
    reps = range(replications)
    if pool is not None and replications > 1:
        return list(pool.map(kpis_of, [scenario] * replications, reps,
                             [names] * replications))
    if workers > 1 and replications > 1:
        with ProcessPoolExecutor(max_workers=min(workers, replications)) as own:
            return simulate_kpis(scenario, replications, names=names, pool=own)
    return [kpis_of(scenario, r, names) for r in reps]


def target_kpis(targets: list[Target]) -> frozenset[tuple[str, str]]:
    """The KPIs ``targets`` compare with, as ``(name, group)`` pairs (all a calibration
    needs computed; see ``kpis.kpi_table``'s ``only``)."""
    return frozenset((t.kpi.name, t.kpi.group) for t in targets)


def compare_targets(kpi_tables: list[pd.DataFrame], targets: list[Target],
                    confidence: float = 0.95) -> pd.DataFrame:
    """Target vs simulated: one row per target with the simulated mean over replications,
    its confidence interval (both in the target's unit), the relative error, and whether
    the mean is within tolerance and the interval covers the target."""
    summary = summarize_kpis(kpi_tables, confidence).set_index(["kpi", "group"])
    rows = []
    for t in targets:
        key = (t.kpi.name, t.kpi.group)
        if key in summary.index:
            s = summary.loc[key]
            mean, lo, hi, n = (float(s["mean"]) * t.kpi.factor, float(s["ci_low"]) * t.kpi.factor,
                               float(s["ci_high"]) * t.kpi.factor, int(s["n"]))
        else:
            mean = lo = hi = math.nan
            n = 0
        rel = (mean - t.value) / t.value if t.value else math.nan
        rows.append({"target": t.id, "unit": t.unit, "target_value": t.value,
                     "simulated": mean, "ci_low": lo, "ci_high": hi, "n": n,
                     "rel_error": rel, "tolerance": t.tolerance,
                     "within_tolerance": bool(abs(rel) <= t.tolerance) if n else False,
                     "ci_covers": bool(lo <= t.value <= hi) if n > 1 else False})
    return pd.DataFrame(rows)


def objective_value(comparison: pd.DataFrame, missing_penalty: float = 1.0) -> float:
    """Sum of squared relative errors; a target with no simulated value (no delivery of
    that origin -> destination) costs ``missing_penalty``."""
    rel = comparison["rel_error"].to_numpy(dtype=float)
    return float(np.where(np.isfinite(rel), rel**2, missing_penalty).sum())


@dataclass
class CalibrationProblem:
    """A calibration problem: the scenario, its free parameters and targets."""

    scenario: Scenario
    free: dict[str, tuple[float, float]]
    targets: list[Target]
    replications: int = 4
    workers: int = 1
    _pool: Executor | None = field(default=None, init=False, repr=False, compare=False)

    @contextlib.contextmanager
    def pool(self) -> Iterator[None]:
        """Within this block every :meth:`evaluate` runs its replications in one process
        pool (when ``workers`` > 1 and ``replications`` > 1), started at the first
        evaluation instead of once per evaluation; shut down when the block ends."""
        if self._pool is not None or self.workers <= 1 or self.replications <= 1:
            yield
            return
        self._pool = ProcessPoolExecutor(max_workers=min(self.workers, self.replications))
        try:
            yield
        finally:
            pool, self._pool = self._pool, None
            pool.shutdown(cancel_futures=True)

    @property
    def paths(self) -> list[str]:
        return list(self.free)

    def to_values(self, x: np.ndarray) -> dict[str, float]:
        """Normalised point in [0, 1]^k -> parameter values (clipped to the bounds)."""
        out = {}
        for (path, (low, high)), xi in zip(self.free.items(), np.clip(x, 0.0, 1.0)):
            out[path] = float(low + xi * (high - low))
        return out

    def to_unit(self, values: dict[str, float]) -> np.ndarray:
        """Parameter values -> normalised point (clipped into [0, 1])."""
        x = [(values[p] - lo) / (hi - lo) if hi > lo else 0.0
             for p, (lo, hi) in self.free.items()]
        return np.clip(np.asarray(x, dtype=float), 0.0, 1.0)

    def current_values(self) -> dict[str, float]:
        """The free parameters' values in the scenario as written."""
        data = self.scenario.model_dump(mode="json", by_alias=True)
        return {p: float(get_path(data, p)) for p in self.free}

    def evaluate(self, values: dict[str, float]) -> tuple[float, pd.DataFrame]:
        """Objective and target comparison at ``values``."""
        sc = with_overrides(self.scenario, values)
        tables = simulate_kpis(sc, self.replications, self.workers,
                               target_kpis(self.targets), pool=self._pool)
        comp = compare_targets(tables, self.targets)
        return objective_value(comp), comp


@dataclass
class Fit:
    """Outcome of a calibration: fitted values, the start, the history of evaluations
    (one row per distinct point: eval, objective, and each parameter's value) and the
    final comparison of targets with the simulation at the fitted values."""

    fitted: dict[str, float]
    start: dict[str, float]
    bounds: dict[str, tuple[float, float]]
    objective: float
    history: pd.DataFrame
    comparison: pd.DataFrame
    method: str
    evaluations: int
    message: str
    extra: dict = field(default_factory=dict)

    def at_bound(self, rel: float = 0.01) -> dict[str, str]:
        """Parameters within ``rel`` of a bound (fraction of the bound width): 'low'/'high'."""
        out = {}
        for p, (lo, hi) in self.bounds.items():
            span = hi - lo
            if self.fitted[p] <= lo + rel * span:
                out[p] = "low"
            elif self.fitted[p] >= hi - rel * span:
                out[p] = "high"
        return out


def fit(problem: CalibrationProblem, start: dict[str, float] | None = None, maxiter: int = 40,
        method: str = "nelder-mead", progress: bool | None = None,
        on_eval: Callable[[int, float, dict], None] | None = None) -> Fit:
    """Minimise the objective over the free parameters with scipy.optimize.

    ``start`` defaults to the scenario's current values; it is clipped into the bounds.
    ``maxiter`` caps the optimiser's iterations (and Nelder-Mead's evaluations at
    ``2 * maxiter + k + 1`` for k free parameters); 0 evaluates the start only (a check
    of the targets at those values, no fitting). Points are cached, so a re-visited point
    costs nothing. ``progress`` None shows a bar only when stderr is a terminal or in
    Jupyter.
    """
    if method not in METHODS:
        raise ValueError(f"method {method!r} not one of {', '.join(METHODS)}")
    if not problem.free:
        raise ValueError("the scenario declares no free parameters (calibration.free)")
    x0 = problem.to_unit(start or problem.current_values())
    start = problem.to_values(x0)
    cache: dict[tuple, float] = {}
    compared: dict[tuple, pd.DataFrame] = {}  # the comparison behind each cached value
    rows: list[dict] = []
    best = {"f": math.inf, "x": x0}
    bar = progress_bar(f"calibrating {problem.scenario.name}", progress, unit="eval")

    def key_of(x) -> tuple:
        return tuple(np.round(np.clip(np.asarray(x, dtype=float), 0.0, 1.0), 6))

    def f(x: np.ndarray) -> float:
        x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
        key = key_of(x)
        if key in cache:
            return cache[key]
        values = problem.to_values(x)
        value, comparison = problem.evaluate(values)
        cache[key] = value
        compared[key] = comparison
        rows.append({"eval": len(rows), "objective": value, **values})
        if value < best["f"]:
            best.update(f=value, x=x.copy())
        bar.update(1)
        bar.set_postfix(objective=f"{value:.4g}", best=f"{best['f']:.4g}")
        if on_eval is not None:
            on_eval(len(rows) - 1, value, values)
        return value

    with problem.pool():  # one process pool for all evaluations
        try:
            message = _optimise(f, x0, maxiter, method)
        finally:
            bar.close()
        fitted = problem.to_values(best["x"])
        key = key_of(best["x"])
        if key in compared:
            objective, comparison = cache[key], compared[key]
        else:
            objective, comparison = problem.evaluate(fitted)
    return Fit(fitted=fitted, start=start, bounds=dict(problem.free), objective=objective,
               history=pd.DataFrame(rows), comparison=comparison, method=method,
               evaluations=len(rows), message=message)


def _optimise(f: Callable[[np.ndarray], float], x0: np.ndarray, maxiter: int,
              method: str) -> str:
    """Minimise ``f`` over [0, 1]^k from ``x0``; the optimiser's closing message."""
    if maxiter == 0:
        f(x0)
        return "no optimisation (maxiter 0): targets checked at the start values"
    k = len(x0)
    bounds = [(0.0, 1.0)] * k
    if method == "nelder-mead":
        simplex = [x0] + [_step(x0, i, 0.3) for i in range(k)]
        res = minimize(f, x0, method="Nelder-Mead", bounds=bounds,
                       options={"maxiter": maxiter, "maxfev": 2 * maxiter + k + 1,
                                "initial_simplex": np.array(simplex),
                                "xatol": 0.01, "fatol": 1e-4})
    else:
        res = minimize(f, x0, method="Powell", bounds=bounds,
                       options={"maxiter": maxiter, "xtol": 0.01, "ftol": 1e-4})
    return str(res.message)


def _step(x0: np.ndarray, i: int, size: float) -> np.ndarray:
    """A simplex vertex: ``x0`` moved by ``size`` along axis i, inward from a bound."""
    x = x0.copy()
    x[i] = x[i] + size if x[i] + size <= 1.0 else x[i] - size
    return x
