"""``corridor-sim run``: simulate a scenario and write its results directory."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..budget import DEFAULT_MAX_CONSIGNMENTS, available_memory_bytes, estimate, refusal
from . import UserError
from .common import add_scenario_args, load_from_args
from .signals import cleanup_on_terminate


def register(sub) -> None:
    p = sub.add_parser("run", help="run a scenario and write results, KPIs and plots",
                       description="Run SCENARIO and write results to --out (default "
                       "results/<scenario name>): Parquet tables, kpis.csv, plots, run.json.")
    add_scenario_args(p)
    p.add_argument("--out", type=Path, help="results directory (default results/<name>)")
    p.add_argument("--seed", type=int, help="override the scenario seed")
    p.add_argument("--horizon-days", type=float, help="override the horizon (days)")
    p.add_argument("--no-plots", action="store_true", help="skip writing plots")
    p.add_argument("--force", action="store_true",
                   help="replace an existing results directory")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.add_argument("--max-consignments", type=float, default=DEFAULT_MAX_CONSIGNMENTS,
                   metavar="N", help="refuse to start if the run is expected to create more "
                   "than N consignments or to need more memory than is available "
                   "(default %(default).0f; 0 disables the check)")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from .. import kpis
    from ..experiment import run_single, save_run
    from ..overload import overload_report

    if args.seed is not None:
        args.overrides.append(f"seed={args.seed}")
    if args.horizon_days is not None:
        args.overrides.append(f"horizon_days={args.horizon_days}")
    scenario = load_from_args(args)
    too_big = refusal(estimate(scenario), args.max_consignments, available_memory_bytes())
    if too_big:
        raise UserError(f"{args.scenario}: {too_big}")
    out = args.out or Path("results") / scenario.name
    from ..results import prepare_output

    try:
        prepare_output(out, args.force)
    except FileExistsError as exc:
        raise UserError(str(exc)) from None
    with cleanup_on_terminate():
        tables, meta = run_single(scenario)
        overload = overload_report(tables, scenario)
        meta["overload"] = overload.as_dict()
        path = save_run(out, scenario, tables, meta, force=args.force,
                        plots=False if args.no_plots else None)
    if not args.quiet:
        print(f"{scenario.name}: simulated {scenario.horizon_days:g} days "
              f"(+{scenario.warmup_days:g} warm-up) in {meta['wall_s']:.2f} s, "
              f"{meta['events']} events")
        for line in kpis.summary_lines(tables, scenario.start_date,
                                       scenario.horizon_days * 24.0):
            print(line)
        for line in overload.lines():
            print(line)
        print(f"results: {path}", file=sys.stdout)
    return 0
