"""Running scenarios: one replication, or many on a backend with confidence intervals,
failure capture and resume (sweeps over factors build on this in :mod:`.sweep`)."""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, forked, kpis
from . import experiment_store as store
from .backends import Backend, make_backend
from .engine import simulate
from .intervals import summarize
from .progress import progress_bar, progress_enabled
from .results import PARQUET_TABLES, build_tables, closures_table
from .results_io import moved_into, write_results
from .run_tables import replication_meta, simulate_replication
from .scenario.models import Scenario


def run_single(scenario: Scenario, replication: int = 0,
               tables_ready: Callable[[dict[str, pd.DataFrame], int], object] | None = None,
               ) -> tuple[dict[str, pd.DataFrame], dict]:
    """Simulate one replication; return its tables (plus ``kpis`` and ``closures``) and
    run metadata (wall time, SimPy events). ``tables_ready(tables, replication)`` is
    called as soon as the tables and ``closures`` are built, before the KPIs and before
    the ``replication`` column is added to each (e.g. to start drawing figures); it gets
    a dict of its own, holding the same frames."""
    run = simulate(scenario, replication)
    tables = build_tables(run)
    closures = closures_table(run)
    if tables_ready is not None:
        tables_ready({**tables, "closures": closures}, replication)
    horizon_h = scenario.horizon_days * 24.0
    tables["kpis"] = kpis.kpi_table(tables, scenario.start_date, horizon_h, scenario=scenario)
    tables["closures"] = closures
    for df in tables.values():
        df.insert(0, "replication", replication)
    meta = replication_meta(scenario, run)
    return tables, meta


def save_run(out: str | Path, scenario: Scenario, tables: dict[str, pd.DataFrame], meta: dict,
             force: bool = False, plots: bool | None = None,
             figures: Callable | None = None, report: Callable | None = None,
             drawn: forked.Pending | None = None) -> Path:
    """Write a run's tables, KPIs, resolved scenario and metadata atomically, with (when
    ``plots``, default from the scenario) the figures drawn by
    ``figures(tables, scenario, folder)`` (e.g. :func:`corridor_sim.plotting.run_figures`)
    and the report written by ``report(folder, tables, scenario, meta, figures_done=...)``
    (e.g. :func:`corridor_sim.report.write_report`, which embeds the figures: it calls
    ``figures_done()`` before looking for them). Both are passed in by the caller, so
    this layer imports neither plotting nor the report. Where it is safe and useful
    (:func:`corridor_sim.forked.can_fork_here`) the figures are drawn by a forked copy of
    this process while this one writes the tables and works out the report. ``drawn``
    instead of ``figures``: figures the caller started drawing earlier, into a folder of
    their own (e.g. by a :class:`corridor_sim.forked.Worker` as soon as the tables were
    built); its result, the paths drawn, are moved into ``plots/``. ``meta``
    (``run.json``) gains ``plots``: the names of the figures drawn (the stems of the
    paths; none without plots)."""
    plots = scenario.outputs.plots if plots is None else plots
    core = {k: tables[k] for k in PARQUET_TABLES if k in tables}
    extra: dict[str, object] = {"kpis.csv": tables["kpis"]}
    if "closures" in tables:
        extra["closures.csv"] = tables["closures"]
    meta["plots"] = []
    drawing: list[tuple[forked.Pending, Path]] = []

    def start(folder: Path) -> None:
        pending = drawn or forked.start(figures, tables, scenario, folder / "plots")
        drawing.append((pending, folder / "plots"))

    def figures_done() -> None:  # run.json, written last, names what was drawn
        while drawing:
            pending, into = drawing.pop()
            paths = moved_into([Path(p) for p in pending.result() or ()], into)
            meta["plots"] = [p.stem for p in paths]

    if report is not None:
        extra["report.md"] = lambda folder: report(folder, tables, scenario, meta,
                                                   figures_done=figures_done)
    extra["plots"] = lambda folder: figures_done()  # when no report waited for them
    t = time.perf_counter()
    try:
        draws = plots and (figures is not None or drawn is not None)
        path = write_results(out, core, scenario.to_dict(), meta, extra, force=force,
                             start=start if draws else None)
    finally:  # the writing failed: stop drawing into what is removed
        for pending in [p for p, _ in drawing] + ([drawn] if drawn else []):
            pending.cancel()
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


@dataclass(frozen=True)
class RunOptions:
    """How an experiment runs (the scenario, including its seed, says what runs).

    ``replications``: replications ``0 .. n-1``. ``backend``: ``serial``, ``processes``
    (one worker per core unless ``workers``), ``dask`` (a local cluster, or the one at
    ``scheduler``) or a :class:`~corridor_sim.backends.Backend` instance (used as is and
    left open for reuse). ``out``: keep each finished replication on disk there and
    resume from it (see :func:`run_experiment`); ``force`` discards another experiment
    found there. ``plots`` (default from the scenario) and ``figures(tables, scenario,
    folder)`` draw the first finished replication into ``out/plots``. ``progress``: a
    progress bar (None: only on a terminal or in Jupyter). ``runner(scenario,
    replication) -> (tables, meta)`` replaces :func:`run_single` (picklable for the
    process and Dask backends). ``meta`` adds entries to ``run.json`` (e.g. the overrides
    applied); ``report(folder, tables, scenario, meta)`` writes the combined directory's
    report (the caller's writer: experiment sits below the report layer).
    """

    replications: int = 1
    backend: str | Backend = "processes"
    workers: int | None = None
    scheduler: str | None = None
    out: Path | None = None
    force: bool = False
    plots: bool | None = None
    figures: Callable | None = None
    progress: bool | None = None
    runner: Callable | None = None
    meta: dict | None = None
    report: Callable | None = None

    def __post_init__(self):
        if isinstance(self.replications, bool) or not isinstance(self.replications, int) \
                or self.replications < 1:
            raise ValueError(f"replications must be a whole number >= 1, got "
                             f"{self.replications!r}")
        if self.out is not None and not isinstance(self.out, Path):
            object.__setattr__(self, "out", Path(self.out))


def run_replications(scenario: Scenario, options: RunOptions = RunOptions()
                     ) -> list[dict[str, pd.DataFrame]]:
    """Run the replications of ``options`` (streams spawned from the scenario seed) and
    return one tables dict per replication, in index order (each table carries a
    ``replication`` column). Replication ``i`` of two variants uses the same streams for
    the components they share (common random numbers).

    Raises :class:`ReplicationError` if any replication raised (after the others ran).
    """
    exp = run_experiment(scenario, options)
    if exp.out is not None:  # written to disk: read the replications back
        exp.tables = [store.load_replication(store.replication_dir(exp.out, i))
                      for i in exp.status.loc[exp.status["state"] == "done", "replication"]]
    if len(exp.failed):
        raise ReplicationError(exp)
    return exp.tables


def replications_in_memory(scenario: Scenario, options: RunOptions = RunOptions()
                           ) -> list[Mapping[str, pd.DataFrame]]:
    """The replications of ``options`` as :func:`run_replications` returns them, but,
    when they run in this process (backend ``serial``, or one replication, and neither
    ``out`` nor ``runner``), with each table built when first read
    (:class:`corridor_sim.run_tables.RunTables`): the call returns once the simulations
    end. Otherwise the replications' workers build the tables (in parallel)."""
    in_process = options.backend == "serial" or (options.backend == "processes"
                                                 and options.replications == 1)
    if options.out is not None or options.runner is not None or not in_process:
        return run_replications(scenario, options)
    jobs = [Job(scenario, i) for i in range(options.replications)]
    status, kept = execute_jobs(jobs, replace(options, runner=simulate_replication))
    if (status["state"] == "failed").any():
        raise ReplicationError(finish_experiment(scenario, status, {}, []))
    return [kept[k] for k in sorted(kept)]


def run_experiment(scenario: Scenario, options: RunOptions = RunOptions()) -> Experiment:
    """Run replications ``0 .. options.replications-1`` on a backend and summarise their
    KPIs (see :class:`RunOptions`). The seed is the scenario's (change it with
    :func:`corridor_sim.scenario.with_overrides`).

    With ``options.out``, each finished replication is written at once to
    ``out/replications/<index>/`` and replications already there for the same scenario
    hash and seed are reused (resume); the combined directory is assembled at the end
    (layout in :mod:`corridor_sim.experiment_store`). A replication that raises is
    recorded in ``status`` and the others complete.
    """
    out = options.out
    key = {"scenario_hash": store.scenario_hash(scenario), "seed": scenario.seed}
    if out is not None:
        store.claim(out, {"kind": "experiment", **key}, options.force)
    jobs = [Job(scenario, i, store.replication_dir(out, i) if out else None,
                {**key, "replication": i}) for i in range(options.replications)]
    t0 = time.perf_counter()
    status, kept = execute_jobs(jobs, options)
    meta = {**experiment_meta(scenario, status, options.backend, time.perf_counter() - t0),
            **(options.meta or {})}
    if out is not None and progress_enabled(options.progress):
        print(f"assembling {out} (tables, plots, report)...", file=sys.stderr, flush=True)
    return finish_experiment(scenario, status, meta, [kept[k] for k in sorted(kept)], out,
                             options.plots, options.figures, options.report)


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
                      plots: bool | None = None, figures: Callable | None = None,
                      report: Callable | None = None) -> Experiment:
    """Summarise finished replications: from ``tables`` in memory, or, with ``out``, by
    assembling ``out/replications`` into the combined results directory."""
    status = status.drop(columns=["computed"]).reset_index(drop=True)
    if out is not None:
        return write_experiment(out, scenario, status, meta, plots, figures, report)
    by_rep = (pd.concat([t["kpis"] for t in tables], ignore_index=True) if tables
              else pd.DataFrame(columns=["replication", "kpi", "group", "value", "unit"]))
    return Experiment(scenario, summarize_kpis([by_rep]), by_rep, status, meta, tables)


def execute_jobs(jobs: list[Job], options: RunOptions = RunOptions(),
                 desc: str = "replications",
                 ) -> tuple[pd.DataFrame, dict[int, dict[str, pd.DataFrame]]]:
    """Run the jobs not already on disk on the backend of ``options`` (its
    ``replications``, ``out``, ``plots`` and ``figures`` are the jobs' business, not
    used here); save each to its ``rep_dir`` as it finishes.

    Returns the status table (one row per job, in job order; columns replication,
    state, error, wall_s, computed) and the tables of finished jobs without ``rep_dir``
    keyed by job position."""
    rows: list[dict | None] = [None] * len(jobs)
    kept: dict[int, dict] = {}
    todo = []
    for k, job in enumerate(jobs):
        if job.rep_dir is not None and store.is_done(job.rep_dir, job.key):
            rows[k] = _row(job, "done", "", store.replication_wall_s(job.rep_dir),
                           computed=False)
        else:
            todo.append(k)
    backend, runner = options.backend, options.runner
    bar = progress_bar(desc, options.progress, total=len(jobs), initial=len(jobs) - len(todo))
    try:
        if todo:
            if isinstance(backend, Backend):  # the caller's: used as is, left open
                ctx = contextlib.nullcontext(backend)
            else:
                name = "serial" if backend == "processes" and len(todo) == 1 else backend
                ctx = make_backend(name, workers=options.workers, scheduler=options.scheduler)
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
            store.save_replication(rep_dir, scenario.to_dict(), tables, meta, key,
                                   time.perf_counter() - t0)
            return {"saved": True, "wall_s": time.perf_counter() - t0}
    except Exception as exc:  # noqa: BLE001 - recorded in the status table
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(),
                "wall_s": time.perf_counter() - t0}
    return {"tables": tables, "meta": meta, "wall_s": time.perf_counter() - t0}


def _record(job: Job, outcome, kept: dict, k: int) -> dict:
    if isinstance(outcome, BaseException):
        outcome = {"error": f"{type(outcome).__name__}: {outcome}", "wall_s": np.nan}
    wall = round(float(outcome["wall_s"]), 4)
    if "error" in outcome:
        return _row(job, "failed", outcome["error"], wall, computed=True,
                    trace=outcome.get("traceback", ""))
    if "tables" in outcome:
        if job.rep_dir is not None:  # computed where our disk is not visible
            store.save_replication(job.rep_dir, job.scenario.to_dict(), outcome["tables"],
                                   outcome["meta"], job.key, wall)
        else:
            kept[k] = outcome["tables"]
    return _row(job, "done", "", wall, computed=True)


def _row(job: Job, state: str, error: str, wall_s: float, computed: bool,
         trace: str = "") -> dict:
    return {"replication": job.replication, "state": state, "error": error,
            "wall_s": wall_s, "computed": computed, "traceback": trace}


def write_experiment(out: Path, scenario: Scenario, status: pd.DataFrame, meta: dict,
                     plots: bool | None = None, figures: Callable | None = None,
                     report: Callable | None = None) -> Experiment:
    """Assemble the finished replications under ``out/replications`` into the combined
    results directory (atomically) and return the experiment. ``report(folder, tables,
    scenario, meta)`` writes the report of all replications into it."""
    plots = scenario.outputs.plots if plots is None else plots
    done = [int(i) for i in status.loc[status["state"] == "done", "replication"]]
    rep_dirs = [store.replication_dir(out, i) for i in done]
    by_rep = store.read_csvs(rep_dirs, "kpis.csv")
    if by_rep.empty:
        by_rep = pd.DataFrame(columns=["replication", "kpi", "group", "value", "unit"])
    summary = summarize_kpis([by_rep])
    draw = None
    meta["plots"] = []
    if plots and figures is not None:
        def draw(tables: dict, folder: Path) -> list:  # run.json names what it returns
            return figures(tables, scenario, folder)

    def write_report_into(folder: Path, tables: dict) -> None:
        if report is not None and rep_dirs:
            report(folder, {**tables, "kpis": by_rep}, scenario, meta)

    store.write_combined(out, scenario.to_dict(), meta, rep_dirs,
                         {"kpis.csv": summary, "kpis_by_replication.csv": by_rep,
                          "status.csv": status}, draw,
                         write_report_into if report is not None else None)
    return Experiment(scenario, summary, by_rep, status, meta, out=Path(out))


def summarize_kpis(kpi_tables: list[pd.DataFrame], confidence: float = 0.95) -> pd.DataFrame:
    """Mean, sd, n and a confidence interval of each KPI across replications
    (:func:`corridor_sim.intervals.summarize`)."""
    return summarize(pd.concat(kpi_tables, ignore_index=True), confidence)
