"""Figures from result tables. The only module that imports matplotlib.

Every function takes tables (pandas DataFrames) and returns a matplotlib Figure; nothing
here touches the simulation. ``save_all`` writes the standard set of PNGs for a run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib


import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from . import kpis  # noqa: E402

CATEGORY_COLOURS = {
    "moving": "#4c72b0", "consolidation": "#dd8452", "border": "#c44e52",
    "transshipment": "#8172b3", "waiting": "#937860", "disruption": "#da8bc3",
}


def _new(figsize=(10, 5.5)) -> tuple[Figure, plt.Axes]:
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def throughput(cons: pd.DataFrame, start_date: dt.date, title: str = "") -> Figure:
    """Monthly tons delivered, stacked by flow, with calendar months on the axis."""
    fig, ax = _new()
    t = kpis.throughput_by_month(cons, start_date)
    wide = t.pivot_table(index="month", columns="flow", values="tons", aggfunc="sum",
                         fill_value=0.0, observed=True) / 1e3
    bottom = np.zeros(len(wide))
    x = mdates.date2num(pd.to_datetime(wide.index).to_pydatetime())
    for flow in wide.columns:
        ax.bar(x, wide[flow].to_numpy(), width=25, bottom=bottom, label=str(flow), align="edge")
        bottom += wide[flow].to_numpy()
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    fig.autofmt_xdate()
    ax.set_ylabel("tons delivered per month (thousand t)")
    ax.set_xlabel("month of delivery")
    ax.set_title(title or "Monthly throughput by flow")
    ax.legend(title="flow", ncols=2, fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return fig


def transit_cdf(cons: pd.DataFrame, title: str = "") -> Figure:
    """Cumulative distribution of door-to-door transit days per origin -> destination,
    medians marked."""
    fig, ax = _new()
    d = kpis.delivered(cons)
    for (o, dest), grp in d.groupby(["origin", "destination"], observed=True):
        days = np.sort(grp["transit_h"].to_numpy() / 24.0)
        if len(days) == 0:
            continue
        y = np.arange(1, len(days) + 1) / len(days)
        line, = ax.step(days, y, where="post", label=f"{o} → {dest}")
        med = float(np.median(days))
        ax.plot([med], [0.5], "o", color=line.get_color(), ms=5)
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("door-to-door transit (days)")
    ax.set_ylabel("share of consignments delivered within")
    ax.set_ylim(0, 1.01)
    ax.set_title(title or "Transit-time distribution (dots: medians)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def delay_breakdown(cons: pd.DataFrame, title: str = "") -> Figure:
    """Mean transit per origin -> destination split into delay categories (days)."""
    fig, ax = _new()
    b = kpis.delay_breakdown(cons)
    labels = [f"{o} → {d}" for o, d in zip(b["origin"], b["destination"])]
    left = np.zeros(len(b))
    for cat in kpis.CATEGORIES:
        vals = b[f"{cat}_h"].to_numpy() / 24.0
        ax.barh(labels, vals, left=left, label=cat, color=CATEGORY_COLOURS[cat])
        left += vals
    ax.set_xlabel("mean transit (days), split by where the time went")
    ax.set_title(title or "Delay breakdown by origin → destination")
    ax.legend(ncols=3, fontsize="small", loc="lower right")
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    return fig


STANDARD = {
    "throughput": lambda t, sd: throughput(t["consignments"], sd),
    "transit_cdf": lambda t, sd: transit_cdf(t["consignments"]),
    "delay_breakdown": lambda t, sd: delay_breakdown(t["consignments"]),
}


def save_all(tables: dict[str, pd.DataFrame], start_date: dt.date, folder: Path) -> list[Path]:
    """Write the standard plots of a run as PNGs into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in STANDARD.items():
        fig = make(tables, start_date)
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=120)
        written.append(path)
    return written


# --- Calibration figures -------------------------------------------------------------------
# Kept as one self-contained block: takes the calibration tables, returns a Figure.


def calibration(comparison: pd.DataFrame, params: pd.DataFrame, history: pd.DataFrame,
                title: str = "") -> Figure:
    """Three panels: each target against its simulated mean with the 95 % CI (as % of the
    target); each fitted parameter's position between its bounds (start and fitted); the
    objective (sum of squared relative errors) over evaluations.

    ``comparison``: target, target_value, simulated, ci_low, ci_high, tolerance (as from
    :func:`corridor_sim.calibrate.compare_targets`); ``params``: parameter, low, high,
    start, fitted; ``history``: eval, objective.
    """
    fig = Figure(figsize=(12, 8.5), layout="constrained")
    grid = fig.add_gridspec(2, 2)
    ax_t, ax_p, ax_h = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), \
        fig.add_subplot(grid[1, :])
    comp = comparison.reset_index(drop=True)
    y = np.arange(len(comp))
    ref = comp["target_value"].to_numpy(dtype=float)
    sim = comp["simulated"].to_numpy(dtype=float) / ref * 100
    lo = comp["ci_low"].to_numpy(dtype=float) / ref * 100
    hi = comp["ci_high"].to_numpy(dtype=float) / ref * 100
    tol = comp["tolerance"].to_numpy(dtype=float) * 100
    ax_t.barh(y, 2 * tol, left=100 - tol, color="#dddddd", label="tolerance")
    ax_t.axvline(100, color="k", lw=1, label="target")
    err = np.vstack([np.nan_to_num(sim - lo), np.nan_to_num(hi - sim)])
    ax_t.errorbar(sim, y, xerr=err, fmt="o", color="#c44e52", capsize=4,
                  label="simulated (95 % CI)")
    ax_t.set_yticks(y, [f"{t}\n({v:g} {u})" for t, v, u in
                        zip(comp["target"], comp["target_value"], comp["unit"])])
    ax_t.invert_yaxis()
    ax_t.set_xlabel("simulated as % of the published target")
    ax_t.set_title("Targets vs simulation")
    ax_t.legend(fontsize="small", loc="best")
    ax_t.grid(axis="x", alpha=0.3)

    par = params.reset_index(drop=True)
    yp = np.arange(len(par))
    span = (par["high"] - par["low"]).replace(0, 1.0)
    ax_p.barh(yp, np.ones(len(par)), color="#eeeeee", edgecolor="#999999")
    ax_p.plot((par["start"] - par["low"]) / span, yp, "o", mfc="none", color="grey",
              label="start")
    ax_p.plot((par["fitted"] - par["low"]) / span, yp, "D", color="#4c72b0", label="fitted")
    ax_p.set_yticks(yp, [f"{p}\n[{lo:g}, {hi:g}] -> {v:.3g}" for p, lo, hi, v in
                         zip(par["parameter"], par["low"], par["high"], par["fitted"])],
                    fontsize="small")
    ax_p.invert_yaxis()
    ax_p.set_xlim(-0.05, 1.05)
    ax_p.set_xlabel("position within the published bounds (0 = low, 1 = high)")
    ax_p.set_title("Fitted parameters")
    ax_p.legend(fontsize="small", loc="lower right")

    if len(history):
        ax_h.plot(history["eval"], history["objective"], ".-", color="#8172b3",
                  label="evaluation")
        ax_h.plot(history["eval"], history["objective"].cummin(), color="k", lw=1.2,
                  label="best so far")
        ax_h.set_yscale("log")
    ax_h.set_xlabel("evaluation")
    ax_h.set_ylabel("objective (sum of squared relative errors)")
    ax_h.set_title("Objective history")
    ax_h.legend(fontsize="small")
    ax_h.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return fig
