"""Running scenarios: one replication, or many on a backend with confidence intervals,
failure capture and resume (sweeps over factors build on this in :mod:`.sweep`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import platform
import resource
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, kpis
from . import experiment_store as store
from .engine import simulate
from .results import TABLES, build_tables, closures_table
from .results_io import write_results
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
        "consignments": len(run.created_h),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return tables, meta


def save_run(out: str | Path, scenario: Scenario, tables: dict[str, pd.DataFrame], meta: dict,
             force: bool = False, plots: bool | None = None,
             figures: Callable | None = None) -> Path:
    """Write a run's tables, KPIs, resolved scenario, ``report.md``, metadata and (when
    ``plots``, default from the scenario) the figures drawn by
    ``figures(tables, scenario, folder)`` (e.g. :func:`corridor_sim.plotting.run_figures`,
    passed in by the caller so that this layer never imports plotting), atomically."""
    plots = scenario.outputs.plots if plots is None else plots
    core = {k: tables[k] for k in TABLES if k in tables}
    extra: dict[str, object] = {"kpis.csv": tables["kpis"]}
    if "closures" in tables:
        extra["closures.csv"] = tables["closures"]
    if plots and figures is not None:
        extra["plots"] = lambda folder: figures(tables, scenario, folder / "plots")

    def _report(folder: Path) -> None:
        from .report import write_report

        write_report(folder, tables, scenario, meta)

    extra["report.md"] = _report
    t = time.perf_counter()
    path = write_results(out, core, scenario.to_dict(), meta, extra, force=force)
    meta["write_s"] = round(time.perf_counter() - t, 3)
    return path


@dataclass
class Job:
    """One replication of one scenario. ``rep_dir`` is where it is kept on disk (None:
    in memory only); ``key`` identifies it for resuming."""

    scenario: Scenario
    replication: int
    rep_dir: Path | None = None
    key: dict = field(default_factory=dict)


@dataclass
class Experiment:
    """Outcome of :func:`run_experiment`.

    ``kpis`` is the summary over finished replications (kpi, group, unit, mean, sd, n,
    ci_low, ci_high); ``kpis_by_replication`` each replication's KPI table; ``status``
    one row per replication (replication, state ``done``/``failed``, error, wall_s in
    seconds, traceback of a failure); ``tables`` one tables dict per finished replication
    in index order, kept only when the experiment is not written to ``out``.
    """

    scenario: Scenario
    kpis: pd.DataFrame
    kpis_by_replication: pd.DataFrame
    status: pd.DataFrame
    meta: dict
    tables: list[dict[str, pd.DataFrame]] = field(default_factory=list)
    out: Path | None = None

    @property
    def failed(self) -> pd.DataFrame:
        """Rows of ``status`` for replications that raised."""
        return self.status[self.status["state"] == "failed"]


class ReplicationError(RuntimeError):
    """Some replications raised; ``experiment`` holds the ones that finished."""

    def __init__(self, experiment: Experiment):
        self.experiment = experiment
        rows = experiment.failed
        detail = "; ".join(f"#{r.replication}: {r.error}" for r in rows.itertuples())
        super().__init__(f"{len(rows)} of {len(experiment.status)} replications failed: "
                         f"{detail}")


def run_replications(scenario: Scenario, replications: int = 1, seed: int | None = None,
                     backend="processes", **options) -> list[dict[str, pd.DataFrame]]:
    """Run ``replications`` independent replications (streams spawned from the scenario
    seed, or ``seed``); return one tables dict per replication, in index order (each
    table carries a ``replication`` column). Replication ``i`` of two variants uses the
    same streams for the components they share (common random numbers).

    ``backend`` is ``serial``, ``processes`` (default, one worker per core), ``dask`` or
    a :class:`~corridor_sim.backends.Backend` instance (left open for reuse); ``options``
    go to :func:`run_experiment` (``workers``, ``scheduler``, ``progress``).
    Raises :class:`ReplicationError` if any replication raised (after the others ran).
    """
    exp = run_experiment(scenario, replications, seed, backend, **options)
    if exp.out is not None:  # written to disk: read the replications back
        exp.tables = [store.load_replication(store.replication_dir(exp.out, i))
                      for i in exp.status.loc[exp.status["state"] == "done", "replication"]]
    if len(exp.failed):
        raise ReplicationError(exp)
    return exp.tables


def run_experiment(scenario: Scenario, replications: int = 1, seed: int | None = None,
                   backend="processes", *, workers: int | None = None,
                   scheduler: str | None = None, out: str | Path | None = None,
                   force: bool = False, plots: bool | None = None,
                   figures: Callable | None = None, progress: bool | None = None,
                   runner: Callable | None = None) -> Experiment:
    """Run replications ``0 .. replications-1`` on a backend and summarise their KPIs.

    With ``out``, each finished replication is written at once to
    ``out/replications/<index>/`` and replications already there for the same scenario
    hash and seed are reused (resume); the combined directory is assembled at the end
    (layout in :mod:`corridor_sim.experiment_store`). A replication that raises is
    recorded in ``status`` and the others complete. ``progress`` None shows a bar only on
    a terminal or in Jupyter. ``runner(scenario, replication) -> (tables, meta)`` replaces
    :func:`run_single` (it must be picklable for the process and Dask backends).
    ``plots`` and ``figures`` draw the first finished replication, as in :func:`save_run`.
    """
    if seed is not None:
        scenario = scenario.with_overrides({"seed": seed})
    key = {"scenario_hash": store.scenario_hash(scenario), "seed": scenario.seed}
    out = Path(out) if out is not None else None
    if out is not None:
        store.claim(out, {"kind": "experiment", **key}, force)
    jobs = [Job(scenario, i, store.replication_dir(out, i) if out else None,
                {**key, "replication": i}) for i in range(int(replications))]
    t0 = time.perf_counter()
    status, kept = execute_jobs(jobs, backend, workers=workers, scheduler=scheduler,
                                  progress=progress, runner=runner)
    meta = experiment_meta(scenario, status, backend, time.perf_counter() - t0)
    return finish_experiment(scenario, status, meta, [kept[k] for k in sorted(kept)], out,
                             plots, figures)


def experiment_meta(scenario: Scenario, status: pd.DataFrame, backend,
                    wall_s: float) -> dict:
    """``run.json`` contents of an experiment (``status`` as from :func:`execute_jobs`)."""
    return {"corridor_sim_version": __version__, "kind": "experiment",
            "scenario": scenario.name, "scenario_hash": store.scenario_hash(scenario),
            "seed": scenario.seed, "replications": len(status),
            "backend": getattr(backend, "name", backend),
            "done": int((status["state"] == "done").sum()),
            "failed": int((status["state"] == "failed").sum()),
            "computed": [int(i) for i in status.loc[status["computed"], "replication"]],
            "reused": int(((status["state"] == "done") & ~status["computed"]).sum()),
            "wall_s": round(wall_s, 3)}


def finish_experiment(scenario: Scenario, status: pd.DataFrame, meta: dict,
                      tables: list[dict[str, pd.DataFrame]], out: Path | None = None,
                      plots: bool | None = None, figures: Callable | None = None) -> Experiment:
    """Summarise finished replications: from ``tables`` in memory, or, with ``out``, by
    assembling ``out/replications`` into the combined results directory."""
    status = status.drop(columns=["computed"]).reset_index(drop=True)
    if out is not None:
        return write_experiment(out, scenario, status, meta, plots, figures)
    by_rep = (pd.concat([t["kpis"] for t in tables], ignore_index=True) if tables
              else pd.DataFrame(columns=["replication", "kpi", "group", "value", "unit"]))
    return Experiment(scenario, summarize_kpis([by_rep]), by_rep, status, meta, tables)


def execute_jobs(jobs: list[Job], backend="processes", *, workers: int | None = None,
                 scheduler: str | None = None, progress: bool | None = None,
                 runner: Callable | None = None, desc: str = "replications",
                 ) -> tuple[pd.DataFrame, dict[int, dict[str, pd.DataFrame]]]:
    """Run the jobs not already on disk; save each to its ``rep_dir`` as it finishes.

    Returns the status table (one row per job, in job order; columns replication,
    state, error, wall_s, computed) and the tables of finished jobs without ``rep_dir``
    keyed by job position."""
    from .backends import Backend, make_backend

    rows: list[dict | None] = [None] * len(jobs)
    kept: dict[int, dict] = {}
    todo = []
    for k, job in enumerate(jobs):
        if job.rep_dir is not None and store.is_done(job.rep_dir, job.key):
            meta = json.loads((job.rep_dir / "run.json").read_text())
            wall = meta.get("task_wall_s", np.nan)
            rows[k] = _row(job, "done", "", wall, computed=False)
        else:
            todo.append(k)
    bar = _progress_bar(len(jobs), len(jobs) - len(todo), desc, progress)
    try:
        if todo:
            if isinstance(backend, Backend):  # the caller's: used as is, left open
                ctx = contextlib.nullcontext(backend)
            else:
                name = "serial" if backend == "processes" and len(todo) == 1 else backend
                ctx = make_backend(name, workers=workers, scheduler=scheduler)
            with ctx as be:
                args = [(runner, jobs[k].scenario, jobs[k].replication,
                         jobs[k].rep_dir if be.local_files else None, jobs[k].key)
                        for k in todo]
                for i, outcome in be.imap(_replicate, args):
                    k = todo[i]
                    rows[k] = _record(jobs[k], outcome, kept, k)
                    bar.update(1)
                    failed = sum(r is not None and r["state"] == "failed" for r in rows)
                    if failed:
                        bar.set_postfix(failed=failed)
    finally:
        bar.close()
    status = pd.DataFrame(rows, columns=["replication", "state", "error", "wall_s", "computed",
                                         "traceback"])
    return status, kept


def _replicate(runner: Callable | None, scenario: Scenario, replication: int,
               rep_dir: Path | None = None, key: dict | None = None) -> dict:
    """Worker side: run one replication and, given ``rep_dir``, write it there; return
    its tables (when not written) or its error as data."""
    t0 = time.perf_counter()
    try:
        tables, meta = (runner or run_single)(scenario, replication)
        if rep_dir is not None:
            _save(rep_dir, scenario, tables, meta, key, time.perf_counter() - t0)
            return {"saved": True, "wall_s": time.perf_counter() - t0}
    except Exception as exc:  # noqa: BLE001 - recorded in the status table
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(),
                "wall_s": time.perf_counter() - t0}
    return {"tables": tables, "meta": meta, "wall_s": time.perf_counter() - t0}


def _save(rep_dir: Path, scenario: Scenario, tables: dict, meta: dict, key: dict,
          wall_s: float) -> None:
    meta = {**meta, **(key or {}), "task_wall_s": round(wall_s, 4)}
    store.save_replication(rep_dir, scenario.to_dict(), tables, meta)


def _record(job: Job, outcome, kept: dict, k: int) -> dict:
    if isinstance(outcome, BaseException):
        outcome = {"error": f"{type(outcome).__name__}: {outcome}", "wall_s": np.nan}
    wall = round(float(outcome["wall_s"]), 4)
    if "error" in outcome:
        return _row(job, "failed", outcome["error"], wall, computed=True,
                    trace=outcome.get("traceback", ""))
    if "tables" in outcome:
        if job.rep_dir is not None:  # computed where our disk is not visible
            _save(job.rep_dir, job.scenario, outcome["tables"], outcome["meta"], job.key, wall)
        else:
            kept[k] = outcome["tables"]
    return _row(job, "done", "", wall, computed=True)


def _row(job: Job, state: str, error: str, wall_s: float, computed: bool,
         trace: str = "") -> dict:
    return {"replication": job.replication, "state": state, "error": error,
            "wall_s": wall_s, "computed": computed, "traceback": trace}


def _progress_bar(total: int, initial: int, desc: str, enabled: bool | None):
    """A tqdm bar on stderr; ``enabled`` None: only on a terminal or in Jupyter."""
    import sys
    import warnings

    if enabled is None:
        enabled = sys.stderr.isatty() or "ipykernel" in sys.modules
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tqdm.auto without ipywidgets falls back quietly
        from tqdm.auto import tqdm

        return tqdm(total=total, initial=initial, desc=desc, unit="run",
                    disable=not enabled, dynamic_ncols=True)


def write_experiment(out: Path, scenario: Scenario, status: pd.DataFrame, meta: dict,
                     plots: bool | None = None, figures: Callable | None = None) -> Experiment:
    """Assemble the finished replications under ``out/replications`` into the combined
    results directory (atomically) and return the experiment."""
    plots = scenario.outputs.plots if plots is None else plots
    done = [int(i) for i in status.loc[status["state"] == "done", "replication"]]
    rep_dirs = [store.replication_dir(out, i) for i in done]
    by_rep = store.read_csvs(rep_dirs, "kpis.csv")
    if by_rep.empty:
        by_rep = pd.DataFrame(columns=["replication", "kpi", "group", "value", "unit"])
    summary = summarize_kpis([by_rep])

    def _assemble(folder: Path) -> None:
        for name in TABLES:
            store.concat_parquet([d / f"{name}.parquet" for d in rep_dirs],
                                 folder / f"{name}.parquet")
        for d in rep_dirs:
            store.link_tree(d, folder / store.REPLICATIONS / d.name)
        if plots and figures is not None and rep_dirs:
            figures(store.load_replication(rep_dirs[0]), scenario, folder / "plots")

    extra = {"kpis.csv": summary, "kpis_by_replication.csv": by_rep,
             "closures.csv": store.read_csvs(rep_dirs, "closures.csv"),
             "status.csv": status, store.REPLICATIONS: _assemble}
    write_results(out, {}, scenario.to_dict(), meta, extra, force=True)
    return Experiment(scenario, summary, by_rep, status, meta, out=Path(out))


def summarize_kpis(kpi_tables: list[pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """Mean, sd, n and a Student-t confidence interval of each KPI across replications."""
    from scipy.special import stdtrit  # Student-t quantile (lighter than scipy.stats)

    allk = pd.concat(kpi_tables, ignore_index=True)
    g = allk.groupby(["kpi", "group", "unit"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count").reset_index()
    tcrit = stdtrit((out["n"] - 1).clip(lower=1).to_numpy(float), 0.5 + confidence / 2)
    half = tcrit * out["sd"].fillna(0.0) / out["n"].pow(0.5)
    out["ci_low"] = out["mean"] - half.where(out["n"] > 1)
    out["ci_high"] = out["mean"] + half.where(out["n"] > 1)
    return out


def ci_summary_lines(summary: pd.DataFrame) -> list[str]:
    """A short human summary of a KPI summary table (means with 95 % intervals)."""
    def _ci(r, scale=1.0, fmt="{:.1f}", unit=""):
        text = f"{fmt.format(r.mean * scale)}{unit}"
        if pd.isna(r.ci_low):
            return text
        return f"{text} (95 % CI {fmt.format(r.ci_low * scale)}–{fmt.format(r.ci_high * scale)})"

    lines = []
    tons = summary[(summary["kpi"] == "tons_delivered") & (summary["group"] == "all")]
    for r in tons.itertuples():
        lines.append(f"tons delivered: {_ci(r, 1e-6, '{:.3f}', ' Mt')}, mean of n={r.n}")
    for r in summary[summary["kpi"] == "transit_p50_days"].itertuples():
        lines.append(f"  {r.group.replace('->', ' -> ')}: median {_ci(r, unit=' d')}")
    waits = summary[summary["kpi"] == "wait_share"].sort_values("mean", ascending=False)
    for r in waits.head(1).itertuples():
        lines.append(f"longest waiting: {r.group.removeprefix('place:')}, "
                     f"{_ci(r, 100, '{:.0f}', ' %')} of consignment-hours waited")
    for r in summary[summary["kpi"] == "backlog_end_tons"].itertuples():
        lines.append(f"in the system at the end: {_ci(r, 1e-3, unit=' kt')}")
    for r in summary[summary["kpi"] == "backlog_growing"].itertuples():
        if r.mean > 0:
            lines.append(f"OVERLOADED: the backlog grows in {round(r.mean * r.n)} of {r.n} "
                         "replications (see kpis.csv, backlog_growing)")
    return lines
