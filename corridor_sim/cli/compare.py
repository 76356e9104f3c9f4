"""``corridor-sim compare``: KPI differences and overlay plots of two or more runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import UserError

SHOWN = ("tons_delivered", "transit_p50_days", "transit_p90_days", "backlog_end_tons")


def register(sub) -> None:
    p = sub.add_parser(
        "compare", help="compare runs: KPI differences with confidence intervals, overlay plots",
        description="Compare results directories against the first one: writes compare.csv "
        "(per KPI: the first run's mean, each run's mean, the difference and, when both runs "
        "have several replications, its 95 %% confidence interval from Welch's t) and overlay "
        "plots of transit-time distributions, monthly throughput and delay breakdowns, and "
        "report.html, a self-contained page of all of it.")
    p.add_argument("runs", nargs="+", type=Path, metavar="DIR",
                   help="results directories (the first is the reference)")
    p.add_argument("--out", type=Path, default=Path("results") / "compare",
                   help="where to write compare.csv and plots/ (default results/compare)")
    p.add_argument("--force", action="store_true", help="replace an earlier comparison")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    p.set_defaults(func=cmd_compare)


def _labels(paths: list[Path]) -> list[str]:
    """Directory names as run labels; the full path where names repeat, and a ``#k``
    suffix where a directory is given more than once."""
    names = [p.name or str(p) for p in paths]
    labels = [str(p) if names.count(n) > 1 else n for p, n in zip(paths, names)]
    return [lab if labels[:i].count(lab) == 0 else f"{lab} #{labels[:i].count(lab) + 1}"
            for i, lab in enumerate(labels)]


def cmd_compare(args: argparse.Namespace) -> int:
    from ..api import compare
    from ..results_io import is_results_dir

    if len(args.runs) < 2:
        raise UserError("compare needs at least two results directories")
    for path in args.runs:
        if not is_results_dir(path):
            raise UserError(f"{path} is not a complete corridor-sim results directory "
                            "(no run.json); run `corridor-sim run` first")
    cmp = compare(dict(zip(_labels(args.runs), args.runs)))
    try:
        out = cmp.save(args.out, force=args.force)
    except FileExistsError as exc:
        raise UserError(str(exc)) from None
    if not args.quiet:
        t = cmp.table[cmp.table["kpi"].isin(SHOWN)]
        for r in t.itertuples():
            ci = ("" if r.ci_low != r.ci_low
                  else f"  95 % CI [{r.ci_low:+.4g}, {r.ci_high:+.4g}]")
            print(f"{r.run}: {r.kpi} {r.group}: {r.base_mean:.4g} -> {r.mean:.4g} {r.unit} "
                  f"({r.diff:+.4g}){ci}")
        print(f"comparison: {out}")
    return 0
