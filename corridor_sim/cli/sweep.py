"""``corridor-sim sweep``: run a scenario at every combination of factor levels."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..backends import BackendUnavailable
from ..scenario import load_scenario
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


def register(sub) -> None:
    p = sub.add_parser(
        "sweep", help="run a scenario over a grid of factor levels",
        description="Run SCENARIO at every combination of the --grid levels (full "
        "factorial), each with --replications replications, and write one directory per "
        "point plus sweep_kpis.csv (KPI means with 95 % confidence intervals by factor "
        "level) and plots/sweep_kpis.png. Re-running the same command computes only "
        "replications that are missing.")
    add_scenario_args(p)
    p.add_argument("--grid", action="append", default=[], required=True,
                   metavar="PATH=V1,V2,...",
                   help="a factor and its levels, e.g. --grid "
                   "services.caspian_ferry.vessels=4,6,8 --grid demand.scale=1,1.5,2 "
                   "(repeatable)")
    p.add_argument("--replications", type=int, default=1, metavar="N",
                   help="replications per point (default 1; 2 or more give confidence "
                   "intervals)")
    p.add_argument("--out", type=Path, help="results directory (default "
                   "results/<name>_sweep)")
    p.add_argument("--seed", type=int, help="override the scenario seed")
    add_period_args(p)
    add_backend_args(p)
    p.add_argument("--no-plots", action="store_true", help="skip writing plots")
    p.add_argument("--force", action="store_true",
                   help="discard an existing results directory and start over")
    p.add_argument("--quiet", action="store_true",
                   help="print nothing on success and show no progress bar")
    p.set_defaults(func=cmd_sweep)


def _sweep_figure():
    from ..plotting import sweep_kpis

    return sweep_kpis


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..experiment import RunOptions
    from ..report_html import write_sweep_html
    from ..sweep import grid_points, parse_grid, run_sweep

    apply_run_options(args)
    try:
        grid = parse_grid(args.grid)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    base = load_from_args(args)
    fixed = parse_overrides(args.overrides)
    built = {}
    for point in grid_points(grid):  # load every point first: bad levels fail before running
        built[tuple(point.items())] = load_scenario(args.scenario, {**fixed, **point})
    out = args.out or Path("results") / f"{base.name}_sweep"
    try:
        options = RunOptions(replications=args.replications, backend=args.backend,
                             workers=args.workers, scheduler=args.scheduler, out=out,
                             force=args.force, plots=False if args.no_plots else None,
                             progress=False if args.quiet else None)
        sweep = run_sweep(base, grid, options,
                          figure=None if args.no_plots else _sweep_figure(),
                          report=write_sweep_html,
                          build=lambda point: built[tuple(point.items())])
    except (FileExistsError, BackendUnavailable) as exc:
        raise UserError(str(exc)) from None
    except KeyboardInterrupt:
        print(f"corridor-sim: interrupted; finished replications are kept under {out}; "
              "run the same command again to compute the rest", file=sys.stderr)
        return 130
    if not args.quiet:
        _print_summary(sweep, out)
    return report_failures(sweep.failed, out / "sweep_status.csv",
                           lambda r: f"{r.point} replication {r.replication}")


def _print_summary(sweep, out: Path) -> None:
    import pandas as pd

    m = sweep.meta
    print(f"{m['scenario']}: {m['points']} points x {m['replications']} replications "
          f"({m['done']} done, {m['failed']} failed) in {m['wall_s']:.1f} s on {m['backend']}")
    t = sweep.kpis[(sweep.kpis["kpi"] == "tons_delivered") & (sweep.kpis["group"] == "all")]
    for r in t.to_dict("records"):
        levels = ", ".join(f"{f.rsplit('.', 1)[-1]}={r[f]}" for f in sweep.factors)
        ci = ("" if pd.isna(r["ci_low"]) else
              f" (95 % CI {r['ci_low'] / 1e6:.3f}–{r['ci_high'] / 1e6:.3f})")
        print(f"  {levels}: {r['mean'] / 1e6:.3f} Mt delivered{ci}")
    print(f"results: {out} (sweep_kpis.csv, plots/sweep_kpis.png)")
