"""``corridor-sim compare``: KPI differences and overlay plots of two or more runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from .common import UserError

if TYPE_CHECKING:
    import pandas as pd

# KPIs printed (group "all" only, or every group), with the unit they are shown in:
# (kpi, label, scale, unit, every group)
SHOWN = (("tons_per_year", "tons delivered per year", 1e-6, "Mt/yr", False),
         ("tons_delivered", "tons delivered", 1e-6, "Mt", False),
         ("undelivered_share_end", "undelivered at the end", 100.0, "%", False),
         ("backlog_end_tons", "in the system at the end", 1e-3, "kt", False),
         ("backlog_growing", "backlog growing", 100.0, "% of reps", False),
         ("transit_p50_days", "median transit", 1.0, "days", True),
         ("transit_p90_days", "p90 transit", 1.0, "days", True))


def register(sub) -> None:
    p = sub.add_parser(
        "compare", help="compare runs: KPI differences with confidence intervals, overlay plots",
        description="Compare results directories against the first one: prints a table of "
        "the main KPIs with units (one column per run, then each run's difference from the "
        "first with its 95 % confidence interval from Welch's t when both runs have "
        "several replications) and writes compare.csv (every KPI, including tons_per_year: "
        "tons delivered scaled to 365 days) and overlay plots of transit-time "
        "distributions, monthly throughput and delay breakdowns. Warns when the runs differ "
        "in horizon, warm-up, start date or number of replications. Also writes report.html, "
        "a self-contained page of all of it.")
    p.add_argument("runs", nargs="+", type=Path, metavar="DIR",
                   help="results directories (the first is the reference)")
    p.add_argument("--label", action="append", default=[], metavar="NAME",
                   help="name of a run in the output, once per DIR in the same order "
                   "(default: the directory names)")
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


def _fmt(v: float) -> str:
    if v != v:
        return "–"
    return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"


def wide_table(table: pd.DataFrame, labels: list[str], scenario=None) -> pd.DataFrame:
    """The main KPIs of a comparison (:attr:`Comparison.table`) as text: one row per KPI
    and group with its unit, each run's mean, and each later run's difference from the
    first (relative, and absolute with its 95 % interval where there is one); places by
    the names ``scenario`` gives them."""
    import pandas as pd

    from ..kpis.names import group_name

    rows = []
    for kpi, name, scale, unit, every in SHOWN:
        part = table[table["kpi"] == kpi]
        if not every:
            part = part[part["group"] == "all"]
        for group in dict.fromkeys(part["group"]):
            g = part[part["group"] == group].set_index("run")
            first = g.iloc[0]
            row = {"KPI": name if group == "all" else f"{name} {group_name(group, scenario)}",
                   "unit": unit, labels[0]: _fmt(first["base_mean"] * scale)}
            for lab in labels[1:]:
                row[lab] = _fmt(g.loc[lab, "mean"] * scale) if lab in g.index else "–"
            for lab in labels[1:]:
                if lab not in g.index:
                    row[f"{lab} vs {labels[0]}"] = "–"
                    continue
                r = g.loc[lab]
                points = unit.startswith("%")  # differences of shares in points
                text = f"{r['diff'] * scale:+,.3g} {'pp' if points else unit}"
                if r["rel_diff"] == r["rel_diff"] and not points:
                    text += f" ({r['rel_diff']:+.1%})"
                if r["ci_low"] == r["ci_low"]:
                    text += f" [{r['ci_low'] * scale:+,.3g}, {r['ci_high'] * scale:+,.3g}]"
                row[f"{lab} vs {labels[0]}"] = text
            rows.append(row)
    return pd.DataFrame(rows)


def _text(df: pd.DataFrame) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [list(df.columns)] + [[str(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(df.columns))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip()
                     for r in cells)


def cmd_compare(args: argparse.Namespace) -> int:
    from ..comparison import compare
    from ..results_io import is_results_dir

    if len(args.runs) < 2:
        raise UserError("compare needs at least two results directories")
    if args.label and len(args.label) != len(args.runs):
        raise UserError(f"--label given {len(args.label)} times for {len(args.runs)} "
                        "directories; give one per directory, in the same order")
    if len(set(args.label)) != len(args.label):
        raise UserError("--label names must differ")
    for path in args.runs:
        if not is_results_dir(path):
            raise UserError(f"{path} is not a complete corridor-sim results directory "
                            "(no run.json); run `corridor-sim run` first")
    labels = args.label or _labels(args.runs)
    cmp = compare(dict(zip(labels, args.runs)))
    try:
        out = cmp.save(args.out, force=args.force)
    except FileExistsError as exc:
        raise UserError(str(exc)) from None
    if not args.quiet:
        first = next(iter(cmp.runs.values()))
        print(_text(wide_table(cmp.table, labels, first.scenario)))
        print(f"comparison: {out}", flush=True)
    return 0
