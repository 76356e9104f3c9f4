"""Sweeps: run every combination of factor levels (a full factorial grid) as a
multi-replication experiment and tabulate KPIs with confidence intervals by level.

A factor is a dotted scenario path (as for ``--set``) with a list of levels, e.g.
``{"services.caspian_ferry.vessels": [4, 6, 8], "demand.scale": [1, 1.5, 2]}``. Every
point runs replications ``0 .. n-1`` with the same seed, so points share common random
numbers. All point-replications go to one backend together.

On disk (``out``)::

    <point name>/          one experiment directory per point (layout in
                           corridor_sim.experiment_store), e.g.
                           ``services.caspian_ferry.vessels=4__demand.scale=1.5``
    sweep_kpis.csv         point, one column per factor, kpi, group, unit, mean, sd, n,
                           ci_low, ci_high, ci_method
    sweep_points.csv       point, factor levels, replications done and failed
    sweep_status.csv       point, replication, state, error, wall_s, traceback
    plots/sweep_kpis.png   main KPIs against each factor
    scenario.resolved.yaml the base scenario; run.json
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import __version__
from . import experiment_store as store
from .experiment import (
    Experiment,
    Job,
    RunOptions,
    execute_jobs,
    experiment_meta,
    finish_experiment,
)
from .results_io import write_results
from .scenario import with_overrides
from .scenario.models import Scenario
from .scenario.overrides import parse_value


@dataclass
class Sweep:
    """Outcome of :func:`run_sweep`: ``kpis`` is the tidy table by factor levels,
    ``points`` one row per point, ``status`` one row per point-replication and
    ``experiments`` each point's :class:`~corridor_sim.experiment.Experiment`."""

    factors: list[str]
    kpis: pd.DataFrame
    points: pd.DataFrame
    status: pd.DataFrame
    experiments: dict[str, Experiment]
    meta: dict
    out: Path | None = None

    @property
    def failed(self) -> pd.DataFrame:
        return self.status[self.status["state"] == "failed"]


def parse_grid(items: list[str]) -> dict[str, list]:
    """``["path=v1,v2,...", ...]`` -> ``{path: [v1, v2, ...]}`` (values typed as in
    ``--set``). Raises ``ValueError`` on a malformed item or a repeated path."""
    grid: dict[str, list] = {}
    for item in items:
        path, sep, values = item.partition("=")
        path = path.strip()
        levels = [parse_value(v.strip()) for v in values.split(",") if v.strip()]
        if not sep or not path or not levels:
            raise ValueError(f"--grid {item!r} must look like path=level1,level2,...")
        if path in grid:
            raise ValueError(f"--grid {path} is given twice")
        grid[path] = levels
    return grid


def grid_points(grid: dict[str, list]) -> list[dict]:
    """Every combination of levels (cartesian product), the last factor varying fastest."""
    return [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())]


def point_name(point: dict) -> str:
    """A directory name for a point, e.g. ``demand.scale=1.5__services.x.vessels=4``."""
    name = "__".join(f"{path}={value}" for path, value in point.items())
    return re.sub(r"[^A-Za-z0-9._=+-]", "_", name)


def run_sweep(scenario: Scenario, grid: dict[str, list], options: RunOptions = RunOptions(),
              *, figure: Callable | None = None, report: Callable | None = None,
              build: Callable[[dict], Scenario] | None = None) -> Sweep:
    """Run ``options.replications`` of every grid point of ``scenario`` on one backend
    (see :class:`~corridor_sim.experiment.RunOptions`; every point uses the seed of
    ``scenario``, so points share common random numbers).

    ``build(point_overrides) -> Scenario`` makes a point's scenario (default
    ``with_overrides(scenario, point_overrides)``). ``options.plots`` controls the sweep
    plot, drawn by ``figure(kpis, factors) -> Figure`` (e.g.
    :func:`corridor_sim.plotting.sweep_kpis`); points get no standard plots, so
    ``options.figures`` must be None. ``report(folder, scenario, kpis, points)`` writes
    the sweep's page (e.g. :func:`corridor_sim.report_html.write_sweep_html`). With
    ``options.out``, finished replications are kept per point and a re-run computes only
    what is missing (as
    :func:`~corridor_sim.experiment.run_experiment`).
    """
    if options.figures is not None:
        raise ValueError("sweep points get no standard plots: leave options.figures unset "
                         "and pass figure= for the sweep plot")
    build = build or (lambda point: with_overrides(scenario, point))
    points = grid_points(grid)
    names = [point_name(p) for p in points]
    scenarios = [build(p) for p in points]
    out, replications = options.out, options.replications
    identity = {"kind": "sweep", "scenario_hash": store.scenario_hash(scenario),
                "seed": scenario.seed}
    if out is not None:
        store.claim(out, identity, options.force)
    jobs: list[Job] = []
    for name, sc in zip(names, scenarios):
        key = {"scenario_hash": store.scenario_hash(sc), "seed": sc.seed}
        if out is not None:
            store.claim(out / name, {"kind": "experiment", **key}, force=False)
        jobs += [Job(sc, i, store.replication_dir(out / name, i) if out else None,
                     {**key, "replication": i}) for i in range(replications)]
    t0 = time.perf_counter()
    status, kept = execute_jobs(jobs, options, desc="sweep")
    wall = time.perf_counter() - t0
    experiments = {}
    for k, (name, sc) in enumerate(zip(names, scenarios)):
        rows = list(range(k * replications, (k + 1) * replications))
        st = status.iloc[rows]
        experiments[name] = finish_experiment(
            sc, st, experiment_meta(sc, st, options.backend, wall),
            [kept[j] for j in rows if j in kept],
            out / name if out is not None else None, plots=False)
    table, point_rows, status_all = _tabulate(points, names, experiments)
    meta = {"corridor_sim_version": __version__, **identity, "scenario": scenario.name,
            "factors": grid, "points": len(points), "replications": replications,
            "backend": getattr(options.backend, "name", options.backend),
            "done": int((status["state"] == "done").sum()),
            "failed": int((status["state"] == "failed").sum()),
            "wall_s": round(time.perf_counter() - t0, 3)}
    result = Sweep(list(grid), table, point_rows, status_all, experiments, meta, out)
    if out is not None:
        _write_sweep(out, scenario, result, names, options.plots, figure, report)
    return result


def _tabulate(points: list[dict], names: list[str], experiments: dict[str, Experiment]):
    kpi_frames, point_rows, status_frames = [], [], []
    for point, name in zip(points, names):
        exp = experiments[name]
        levels = {"point": name, **point}
        kpi_frames.append(exp.kpis.assign(**levels)[[*levels, *exp.kpis.columns]])
        status_frames.append(exp.status.assign(point=name))
        point_rows.append({**levels, "done": exp.meta["done"], "failed": exp.meta["failed"]})
    table = pd.concat(kpi_frames, ignore_index=True)
    status = pd.concat(status_frames, ignore_index=True)
    status = status[["point", *[c for c in status.columns if c != "point"]]]
    return table, pd.DataFrame(point_rows), status


def _write_sweep(out: Path, scenario: Scenario, sweep: Sweep, names: list[str],
                 plots: bool | None, figure: Callable | None,
                 report: Callable | None) -> None:
    plots = scenario.outputs.plots if plots is None else plots

    def _points(folder: Path) -> None:
        for name in names:
            store.link_tree(out / name, folder / name)

    def _plots(folder: Path) -> None:
        (folder / "plots").mkdir(exist_ok=True)
        figure(sweep.kpis, sweep.factors).savefig(folder / "plots" / "sweep_kpis.png", dpi=110)

    extra: dict[str, object] = {"sweep_kpis.csv": sweep.kpis, "sweep_points.csv": sweep.points,
                                "sweep_status.csv": sweep.status, "points": _points}
    if plots and figure is not None and len(sweep.kpis):
        extra["plots"] = _plots
    if report is not None and len(sweep.kpis):
        extra["report.html"] = lambda folder: report(folder, scenario, sweep.kpis,
                                                     sweep.points)
    write_results(out, {}, scenario.to_dict(), sweep.meta, extra, force=True)
