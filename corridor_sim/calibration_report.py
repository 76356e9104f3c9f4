"""Writing a calibration's outcome: fitted scenario, tables, figure and a Markdown report.

Files written into the output folder (each atomically, :mod:`corridor_sim.atomic`):

- ``calibrated.yaml``: the full scenario with the fitted values (runs as it is);
- ``fitted.yaml``: the fitted values alone, as override paths (usable with ``--set``);
- ``comparison.csv``, ``parameters.csv``, ``history.csv``: the tables behind the report;
- ``calibration.png``: targets vs simulation, fitted values within bounds, objective;
- ``report.md``: the report, including what the fit could not reach and why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .atomic import write_file
from .calibrate import Fit
from .scenario import with_overrides
from .scenario.models import Scenario
from .scenario.yaml_source import dump_yaml
from .seeds import InputFile, Target, range_for


def params_table(fit: Fit, inputs: InputFile | None = None) -> pd.DataFrame:
    """One row per free parameter: bounds, start, fitted, where it ended (``at_bound``)
    and the published range that bounds it."""
    ends = fit.at_bound()
    rows = []
    for p, (lo, hi) in fit.bounds.items():
        r = range_for(inputs, p) if inputs is not None else None
        rows.append({"parameter": p, "low": lo, "high": hi, "start": fit.start[p],
                     "fitted": fit.fitted[p], "at_bound": ends.get(p, ""),
                     "range_id": r.id if r else "", "unit": r.unit if r else "",
                     "published": f"{r.low:g}-{r.high:g}" if r else ""})
    return pd.DataFrame(rows)


def _fmt(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{x:.4g}"


def gaps(fit: Fit) -> list[str]:
    """Plain-language findings: targets missed and parameters held by their bounds."""
    out = []
    for r in fit.comparison.itertuples():
        if not r.within_tolerance:
            out.append(f"**{r.target}** is missed: simulated {_fmt(r.simulated)} {r.unit} "
                       f"against {r.target_value:g} ({r.rel_error:+.1%}, tolerance "
                       f"±{r.tolerance:.0%}).")
        elif not r.ci_covers:
            out.append(f"**{r.target}** is within tolerance ({r.rel_error:+.1%}) but its "
                       f"95 % CI [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}] does not contain "
                       f"{r.target_value:g} {r.unit}: the model is systematically "
                       f"{'above' if r.rel_error > 0 else 'below'} the published figure.")
    for p, side in fit.at_bound().items():
        moved = abs(fit.fitted[p] - fit.start[p]) > 1e-9
        how = (f"the fit moved it there from {fit.start[p]:.4g}" if moved else
               "it started there and the fit kept it")
        out.append(f"`{p}` ends at its {side} published bound ({fit.fitted[p]:.4g}; {how}). "
                   f"Where a target is still missed, the value it would need lies outside "
                   f"the range the published figures support.")
    return out


def report_markdown(fit: Fit, scenario: Scenario, scenario_path: str, targets: list[Target],
                    inputs: InputFile | None, replications: int, figure: str | None) -> str:
    """The calibration report as Markdown."""
    comp, par = fit.comparison, params_table(fit, inputs)
    method = (f"Scenario: `{scenario_path}`. Method: {fit.method} (scipy.optimize) on "
              f"parameters normalised to their bounds; objective = sum over targets of the "
              f"squared relative error of the simulated mean; {replications} replications "
              f"per evaluation with common random numbers (replications "
              f"0..{replications - 1} every time); {fit.evaluations} evaluations "
              f"({fit.message.strip()}).")
    header = ("| target | published | simulated (mean) | 95 % CI | error | within tolerance "
              "| CI contains target |")
    lines = [f"# Calibration of `{scenario.name}`", "", method, "",
             f"Final objective: **{fit.objective:.4g}**.", "", "## Targets", "",
             header, "|---|---|---|---|---|---|---|"]
    for r in comp.itertuples():
        lines.append(f"| {r.target} | {r.target_value:g} {r.unit} | {_fmt(r.simulated)} | "
                     f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}] | {r.rel_error:+.1%} | "
                     f"{'yes' if r.within_tolerance else 'no'} (±{r.tolerance:.0%}) | "
                     f"{'yes' if r.ci_covers else 'no'} |")
    lines += ["", "What each target is compared with:", ""]
    for t in targets:
        lines.append(f"- `{t.id}`: {t.computed_as} (source: {t.source}).")
    lines += ["", "## Fitted parameters", "",
              "| parameter | bounds | published range | start | fitted | at bound |",
              "|---|---|---|---|---|---|"]
    for r in par.itertuples():
        lines.append(f"| `{r.parameter}` | [{r.low:g}, {r.high:g}] | {r.published} {r.unit} "
                     f"({r.range_id}) | {r.start:.4g} | {r.fitted:.4g} | {r.at_bound or '-'} |")
    found = gaps(fit)
    lines += ["", "## What the fit could not reach", ""]
    none = "- Every target is within tolerance and inside the simulated 95 % CI."
    lines += [f"- {g}" for g in found] or [none]
    if figure:
        lines += ["", f"![targets, parameters and objective]({figure})"]
    files = ("Files: `calibrated.yaml` (the scenario with the fitted values), `fitted.yaml` "
             "(the fitted values as override paths), `comparison.csv`, `parameters.csv`, "
             "`history.csv`.")
    lines += ["", files, ""]
    return "\n".join(lines)


def write_calibration(out: str | Path, fit: Fit, scenario: Scenario, scenario_path: str,
                      targets: list[Target], inputs: InputFile | None, replications: int,
                      plots: bool = True) -> Path:
    """Write the calibration outputs into ``out`` (created if needed); return its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    calibrated = with_overrides(scenario, fit.fitted)
    dump = dump_yaml(calibrated.to_dict(), width=80)
    write_file(out / "calibrated.yaml",
               f"# {scenario.name} with the values fitted by `corridor-sim calibrate`\n{dump}")
    write_file(out / "fitted.yaml", dump_yaml(
        {p: round(v, 4) for p, v in fit.fitted.items()}, width=80))
    par = params_table(fit, inputs)
    for name, df in (("comparison", fit.comparison), ("parameters", par),
                     ("history", fit.history)):
        write_file(out / f"{name}.csv", lambda p, df=df: df.to_csv(p, index=False))
    figure = None
    if plots:
        from . import plotting

        fig = plotting.calibration(fit.comparison, par, fit.history,
                                   title=f"Calibration of {scenario.name}")
        write_file(out / "calibration.png", lambda p: fig.savefig(p, dpi=110, format="png"))
        figure = "calibration.png"
    write_file(out / "report.md", report_markdown(
        fit, scenario, scenario_path, targets, inputs, replications, figure))
    return out
