"""Running scenarios: one replication now; replications, sweeps and backends build on it."""

from __future__ import annotations

import datetime as dt
import platform
import resource
import time
from pathlib import Path

import pandas as pd

from . import __version__, kpis
from .engine import simulate
from .results import build_tables, closures_table, write_results
from .scenario.models import Scenario


def run_single(scenario: Scenario, replication: int = 0) -> tuple[dict[str, pd.DataFrame], dict]:
    """Simulate one replication; return its tables (plus ``kpis`` and ``closures``) and
    run metadata (wall time, SimPy events)."""
    run = simulate(scenario, replication)
    tables = build_tables(run)
    horizon_h = scenario.horizon_days * 24.0
    tables["kpis"] = kpis.kpi_table(tables, scenario.start_date, horizon_h, scenario=scenario)
    tables["closures"] = closures_table(run)
    for df in tables.values():
        df.insert(0, "replication", replication)
    meta = {
        "corridor_sim_version": __version__,
        "scenario": scenario.name,
        "seed": scenario.seed,
        "replications": 1,
        "replication": replication,
        "wall_s": round(run.wall_s, 4),
        "events": run.events,
        "consignments": int(len(run.created_h)),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    return tables, meta


def save_run(out: str | Path, scenario: Scenario, tables: dict[str, pd.DataFrame], meta: dict,
             force: bool = False, plots: bool | None = None) -> Path:
    """Write a run's tables, KPIs, resolved scenario, plots, ``report.md`` and metadata
    atomically."""
    plots = scenario.outputs.plots if plots is None else plots
    core = {k: tables[k] for k in ("consignments", "movements", "resources") if k in tables}
    extra: dict[str, object] = {"kpis.csv": tables["kpis"]}
    if "closures" in tables:
        extra["closures.csv"] = tables["closures"]
    if plots:
        def _plots(folder: Path) -> None:
            from . import plotting

            plotting.save_all(tables, scenario.start_date, folder / "plots", scenario=scenario)

        extra["plots"] = _plots

    def _report(folder: Path) -> None:
        from .report import write_report

        write_report(folder, tables, scenario, meta)

    extra["report.md"] = _report
    t = time.perf_counter()
    path = write_results(out, core, scenario.to_dict(), meta, extra, force=force)
    meta["write_s"] = round(time.perf_counter() - t, 3)
    return path


def run_replications(scenario: Scenario, replications: int = 1,
                     seed: int | None = None) -> list[dict[str, pd.DataFrame]]:
    """Run ``replications`` independent replications (streams spawned from the scenario
    seed, or ``seed``); return one tables dict per replication (each table carries a
    ``replication`` column). Replication ``i`` of two variants uses the same streams for
    the components they share (common random numbers)."""
    if seed is not None:
        scenario = scenario.with_overrides({"seed": seed})
    return [run_single(scenario, i)[0] for i in range(replications)]


def summarize_kpis(kpi_tables: list[pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """Mean, sd, n and a Student-t confidence interval of each KPI across replications."""
    from scipy import stats

    allk = pd.concat(kpi_tables, ignore_index=True)
    g = allk.groupby(["kpi", "group", "unit"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    tcrit = stats.t.ppf(0.5 + confidence / 2, (out["n"] - 1).clip(lower=1))
    half = tcrit * out["sd"].fillna(0.0) / out["n"].pow(0.5)
    out["ci_low"] = out["mean"] - half.where(out["n"] > 1)
    out["ci_high"] = out["mean"] + half.where(out["n"] > 1)
    return out
