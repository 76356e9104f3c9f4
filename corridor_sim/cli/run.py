"""``corridor-sim run``: simulate a scenario (one or many replications) and write its
results directory."""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from .. import forked
from ..backends import BackendUnavailable
from ..budget import (
    DEFAULT_MAX_CONSIGNMENTS,
    available_memory_bytes,
    estimate,
    refusal,
    sparse_flows,
)
from ..scenario.errors import ScenarioWarning
from ..scenario.semantics import warn_outside_horizon
from .common import (
    UserError,
    add_backend_args,
    add_period_args,
    add_scenario_args,
    apply_run_options,
    load_from_args,
    parse_overrides,
    report_failures,
)
from .signals import cleanup_on_terminate

PLOT_SETS = ("core", "all", "none")  # --plots: corridor_sim.plotting.CORE, every figure, none


def register(sub) -> None:
    p = sub.add_parser("run", help="run a scenario and write results, KPIs and plots",
                       description="Run SCENARIO and write results to --out (default "
                       "results/<scenario name>, or results/<name>+<overrides> for a "
                       "variant): Parquet tables, kpis.csv, plots (see --plots), "
                       "report.md and report.html (verdict first), run.json. "
                       "With --replications N > 1, replications run on --backend and "
                       "kpis.csv holds means with 95 % confidence intervals; finished "
                       "replications are kept under <out>/replications and re-running the "
                       "same command computes only the missing ones.")
    add_scenario_args(p)
    p.add_argument("--out", type=Path, help="results directory (default results/<name>, "
                   "or results/<name>+<path>=<value>... for a variant made with --set, "
                   "--seed, --horizon-days or --warmup-days)")
    p.add_argument("--seed", type=int, help="override the scenario seed")
    add_period_args(p)
    p.add_argument("--replications", type=int, default=1, metavar="N",
                   help="independent replications (default 1)")
    add_backend_args(p)
    plots = p.add_mutually_exclusive_group()
    plots.add_argument("--plots", choices=PLOT_SETS,
                       help="the figures written into plots/ and shown in the report: core "
                       "(the default: throughput, transit_cdf, delay_breakdown, queues and, "
                       "where shippers choose routes, route_shares), "
                       "all (every standard figure that applies to the scenario: also "
                       "utilisation, the corridor map, stringline, fleet timeline, journey, "
                       "costs, fleets...; about four times the drawing time of core) or "
                       "none. Without it, none when the scenario sets outputs.plots: false")
    plots.add_argument("--no-plots", dest="plots", action="store_const", const="none",
                       help="same as --plots none")
    p.add_argument("--resources-resolution", choices=("exact", "hour", "day"),
                   help="the resources time series: one row per change (exact, the "
                   "default) or time-weighted means per hour or day (smaller, for runs of "
                   "several years); sets outputs.resources_resolution")
    p.add_argument("--force", action="store_true",
                   help="replace an existing results directory (with --replications: "
                   "discard finished replications and start over)")
    p.add_argument("--quiet", action="store_true",
                   help="print nothing on success and show no progress bar")
    p.add_argument("--max-consignments", type=float, default=DEFAULT_MAX_CONSIGNMENTS,
                   metavar="N", help="refuse to start if one replication is expected to "
                   "create more than N consignments or to need more memory than is "
                   "available (default %(default).0f; 0 disables the check)")
    p.set_defaults(func=cmd_run)


def default_out(name: str, overrides: dict) -> Path:
    """``results/<name>`` for a scenario as written; for a variant (overrides given) its
    own directory, ``results/<name>+<path>=<value>+...`` (shortened with a hash when
    long), so a variant never replaces the scenario's own results."""
    if not overrides:
        return Path("results") / name
    slug = "+".join(f"{k}={v}" for k, v in overrides.items())
    slug = re.sub(r"[^A-Za-z0-9._=,+-]+", "_", slug)
    if len(slug) > 80:
        digest = hashlib.sha1(slug.encode()).hexdigest()[:10]
        slug = f"{slug[:60]}+{digest}"
    return Path("results") / f"{name}+{slug}"


def cmd_run(args: argparse.Namespace) -> int:
    args.t0 = time.perf_counter()
    if args.resources_resolution:
        args.overrides.append(f"outputs.resources_resolution={args.resources_resolution}")
    apply_run_options(args)
    scenario = load_from_args(args)
    warn_outside_horizon(scenario)
    for message in sparse_flows(scenario):
        warnings.warn(message, ScenarioWarning, stacklevel=2)
    too_big = refusal(estimate(scenario), args.max_consignments, available_memory_bytes())
    if too_big:
        raise UserError(f"{args.scenario}: {too_big}")
    out = args.out or default_out(scenario.name, parse_overrides(args.overrides))
    if args.replications > 1:
        return _run_many(args, scenario, out)
    return _run_one(args, scenario, out)


def _figures(args, scenario) -> tuple[bool, Callable | None]:
    """Whether the run's figures are drawn (``--plots``, else the scenario's
    ``outputs.plots``) and the function that draws the set asked for."""
    draw = scenario.outputs.plots if args.plots is None else args.plots != "none"
    if not draw:
        return False, None
    return True, functools.partial(_draw_figures, names=args.plots or "core")


def _load_plotting() -> None:
    import corridor_sim.plotting  # noqa: F401 - loaded ahead of drawing


def _draw_figures(tables, scenario, folder: Path, replication: int | None = None,
                  names: str = "core") -> list[Path]:
    """The figures ``names`` (``core`` or ``all``) of a run, drawn into ``folder``;
    matplotlib is loaded here, by the process that draws them (a forked copy where
    :func:`corridor_sim.forked.can_fork_here`), not by the one writing the tables.
    ``replication``: the tables are those handed over as soon as they were built (see
    :func:`corridor_sim.experiment.run_single`); each gets its ``replication`` column
    here, as the run's own tables do later."""
    from ..plotting import run_figures

    if replication is not None:
        for df in tables.values():
            if "replication" not in df:  # (drawn here, not forked: they have it by now)
                df.insert(0, "replication", replication)
    return run_figures(tables, scenario, folder, names=names)


def _run_one(args, scenario, out: Path) -> int:
    from .. import kpis
    from ..experiment import run_single, save_run
    from ..overload import overload_report
    from ..report import write_report
    from ..results_io import prepare_output

    try:
        prepare_output(out, args.force)
    except FileExistsError as exc:
        raise UserError(str(exc)) from None
    plots, figures = _figures(args, scenario)
    # where it can, a copy of this process loads matplotlib while this one simulates,
    # then draws the figures (into a folder of its own, moved into the results when they
    # are written) from the moment the tables are built, while this one works out the
    # KPIs and writes the tables and the report
    drawer = forked.Worker(_load_plotting) if plots else contextlib.nullcontext()
    stage = tempfile.TemporaryDirectory(prefix="corridor-sim-plots-") if plots \
        else contextlib.nullcontext()
    drawing: list[forked.Pending] = []

    def draw(tables, replication: int) -> None:
        drawing.append(worker.start(figures, tables, scenario, Path(folder), replication))

    with cleanup_on_terminate(), stage as folder, drawer as worker:
        tables, meta = run_single(scenario, tables_ready=draw if plots else None)
        # the tables are final from here on: the overload check, report and summary
        # share the KPIs they have in common (transit, utilisation...)
        with kpis.shared_results():
            meta["overrides"] = parse_overrides(args.overrides)
            overload = overload_report(tables, scenario)
            meta["overload"] = overload.as_dict()
            path = save_run(out, scenario, tables, meta, force=args.force, plots=plots,
                            figures=figures, report=write_report,
                            drawn=drawing[0] if drawing else None)
            if not args.quiet:
                _print_summary(args, scenario, tables, meta, overload, path)
    return 0


def _print_summary(args, scenario, tables, meta, overload, path: Path) -> None:
    from .. import kpis

    print(f"{scenario.name}: simulated {scenario.horizon_days:g} days "
          f"(+{scenario.warmup_days:g} warm-up) in {meta['wall_s']:.2f} s, "
          f"{meta['events']:,} events; {time.perf_counter() - args.t0:.2f} s in all "
          "(loading, tables, plots, report)")
    for line in kpis.summary_lines(tables, scenario.start_date,
                                   scenario.horizon_days * 24.0, scenario):
        print(line)
    for line in kpis.legs_lines(tables, scenario):
        print(line)
    for line in overload.lines():
        print(line)
    print(f"results: {path}", file=sys.stdout)


def _run_many(args, scenario, out: Path) -> int:
    from .. import kpis
    from ..experiment import RunOptions, run_experiment
    from ..report import write_report

    plots, figures = _figures(args, scenario)
    try:
        with cleanup_on_terminate():
            exp = run_experiment(scenario, RunOptions(
                replications=args.replications, backend=args.backend, workers=args.workers,
                scheduler=args.scheduler, out=out, force=args.force,
                plots=plots, figures=figures,
                progress=False if args.quiet else None,
                meta={"overrides": parse_overrides(args.overrides)}, report=write_report))
    except (FileExistsError, BackendUnavailable) as exc:
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        from ..experiment_store import replication_dir
        from ..results_io import is_results_dir

        saved = sum(is_results_dir(replication_dir(out, i)) for i in range(args.replications))
        print(f"corridor-sim: interrupted; {saved} of {args.replications} replications are "
              f"saved in {out / 'replications'} (the progress bar may show fewer); run the "
              "same command again to compute the rest", file=sys.stderr)
        return 130
    meta = exp.meta
    if not args.quiet:
        print(f"{scenario.name}: {meta['done']} of {meta['replications']} replications of "
              f"{scenario.horizon_days:g} days (+{scenario.warmup_days:g} warm-up), "
              f"{meta['reused']} reused from disk, simulated in {meta['wall_s']:.1f} s on "
              f"{meta['backend']}; {time.perf_counter() - args.t0:.1f} s in all (with "
              "assembling the results, plots and report)")
        for line in kpis.ci_summary_lines(exp.kpis, scenario):
            print(line)
        if kpis.legs_of_interest(scenario) and exp.meta["done"]:
            from ..results_io import read_results

            legs_read = read_results(out, tables=("consignments", "itinerary"))
            for line in kpis.legs_lines(legs_read, scenario):
                print(line)
        print(f"results: {out}")
    return report_failures(exp.failed, out / "status.csv")
