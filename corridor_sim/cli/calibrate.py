"""``corridor-sim calibrate``: fit a scenario's free parameters to published targets."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import UserError, add_scenario_args, load_from_args


def register(sub) -> None:
    p = sub.add_parser(
        "calibrate", help="fit the scenario's free parameters to published targets",
        description="Fit the parameters listed under `calibration: free:` in SCENARIO (each "
        "with [low, high] bounds, which must lie inside the published ranges of "
        "seeds/inputs.yaml) to the targets in --targets that apply to this scenario. "
        "Objective: sum of squared relative errors of the simulated means (over "
        "--replications, common random numbers). Writes calibrated.yaml, fitted.yaml, "
        "report.md, calibration.png and CSV tables into --out.")
    add_scenario_args(p)
    p.add_argument("--targets", required=True, type=Path, metavar="FILE",
                   help="targets YAML (e.g. seeds/targets_2023.yaml)")
    p.add_argument("--inputs", type=Path, default=None, metavar="FILE",
                   help="published ranges (default seeds/inputs.yaml next to --targets)")
    p.add_argument("--replications", type=int, default=4, metavar="N",
                   help="replications per evaluation (default 4)")
    p.add_argument("--maxiter", type=int, default=40, metavar="K",
                   help="optimiser iterations (Nelder-Mead: at most 2K + k + 1 "
                   "evaluations for k free parameters; default 40); 0 only checks the "
                   "targets at the scenario's current values (no fitting)")
    p.add_argument("--method", choices=["nelder-mead", "powell"], default="nelder-mead",
                   help="scipy.optimize method (default nelder-mead)")
    p.add_argument("--workers", type=int, default=1, metavar="W",
                   help="processes running replications in parallel (default 1)")
    p.add_argument("--out", type=Path, default=Path("calibration"),
                   help="output folder (default calibration/)")
    p.add_argument("--no-plots", action="store_true", help="skip the figure")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from ..calibrate import CalibrationProblem, fit
    from ..calibration_report import write_calibration
    from ..seeds import check_bounds, load_inputs, load_targets, targets_for

    if args.replications < 1 or args.workers < 1:
        raise UserError("--replications and --workers must be at least 1")
    if args.maxiter < 0:
        raise UserError("--maxiter must be 0 (check only) or more")
    scenario = load_from_args(args)
    free = dict(scenario.calibration.free) if scenario.calibration else {}
    if not free:
        raise UserError(f"{args.scenario}: no free parameters (add `calibration: free: "
                        "{\"<override path>\": [low, high]}`)")
    inputs_path = args.inputs or args.targets.parent / "inputs.yaml"
    inputs = load_inputs(inputs_path)
    check_bounds(free, inputs, file=str(args.scenario))
    targets = targets_for(load_targets(args.targets), scenario.name)
    if not targets:
        raise UserError(f"{args.targets}: no target applies to scenario {scenario.name!r} "
                        "(see each target's applies_to)")
    try:
        problem = CalibrationProblem(scenario, free, targets, args.replications, args.workers)
        start = problem.current_values()
    except KeyError as exc:
        raise UserError(f"calibration.free: {exc.args[0]}") from None
    result = fit(problem, start=start, maxiter=args.maxiter, method=args.method,
                 progress=False if args.quiet else None)
    out = write_calibration(args.out, result, scenario, str(args.scenario), targets, inputs,
                            args.replications, plots=not args.no_plots)
    if not args.quiet:
        print(f"objective {result.objective:.4g} after {result.evaluations} evaluations")
        for r in result.comparison.itertuples():
            print(f"  {r.target}: simulated {r.simulated:.4g} vs {r.target_value:g} {r.unit} "
                  f"({r.rel_error:+.1%})")
        for p, v in result.fitted.items():
            print(f"  {p} = {v:.4g}")
        print(f"report: {out / 'report.md'}")
    return 0
