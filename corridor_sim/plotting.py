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


# ------------------------------------------------------------------ sweeps (factor plots)
def _sweep_series(table: pd.DataFrame, ods: list[str] | None, max_ods: int):
    """(kpi, group, y label, scale) of the panels of a sweep plot."""
    series = [("tons_delivered", "all", "tons delivered (Mt)", 1e-6)]
    waits = table[table["kpi"] == "wait_share"].groupby("group")["mean"].mean()
    if len(waits):
        place = str(waits.idxmax())
        series.append(("wait_share", place, f"waiting share at {place.removeprefix('place:')}"
                       " (%)", 100.0))
    p50 = table[table["kpi"] == "transit_p50_days"]
    if ods is None:
        ods = list(p50.groupby("group")["mean"].mean().sort_values(ascending=False)
                   .index[:max_ods])
    for od in ods:
        series.append(("transit_p50_days", od, f"median transit {od.replace('->', ' → ')} "
                       "(days)", 1.0))
    return series


def sweep_kpis(table: pd.DataFrame, factors: list[str], ods: list[str] | None = None,
               max_ods: int = 3) -> Figure:
    """Main KPIs of a sweep against each factor: tons delivered (Mt), the waiting share
    of the place where most waiting happens (%), and the median transit (days) of the
    ``ods`` origin->destination groups (default: the ``max_ods`` longest). One column per
    factor; one line per combination of the other factors' levels; bars are the 95 %
    confidence intervals. ``table`` is ``sweep_kpis.csv`` (a column per factor)."""
    series = _sweep_series(table, ods, max_ods)
    nrows, ncols = len(series), max(len(factors), 1)
    fig = Figure(figsize=(4.8 * ncols, 2.6 * nrows + 0.6), layout="constrained")
    axes = np.atleast_2d(fig.subplots(nrows, ncols, squeeze=False))
    for c, factor in enumerate(factors):
        others = [f for f in factors if f != factor]
        levels = list(dict.fromkeys(table[factor]))
        numeric = all(isinstance(v, (int, float, np.number)) for v in levels)
        xpos = {v: (float(v) if numeric else i) for i, v in enumerate(levels)}
        for r, (kpi, group, label, scale) in enumerate(series):
            ax = axes[r, c]
            sel = table[(table["kpi"] == kpi) & (table["group"] == group)]
            groups = sel.groupby(others, sort=False) if others else [((), sel)]
            for key, grp in groups:
                grp = grp.set_index(factor).reindex(levels)
                x = [xpos[v] for v in levels]
                y = grp["mean"].to_numpy(float) * scale
                lo = y - grp["ci_low"].to_numpy(float) * scale
                hi = grp["ci_high"].to_numpy(float) * scale - y
                key = key if isinstance(key, tuple) else (key,)
                name = ", ".join(f"{o.rsplit('.', 1)[-1]}={k}" for o, k in zip(others, key))
                ax.errorbar(x, y, yerr=np.nan_to_num(np.vstack([lo, hi])), marker="o",
                            capsize=3, label=name or None)
            if not numeric:
                ax.set_xticks(list(xpos.values()), [str(v) for v in levels])
            ax.grid(alpha=0.3)
            if c == 0:
                ax.set_ylabel(label, fontsize="small")
            if r == nrows - 1:
                ax.set_xlabel(factor)
            if r == 0 and others:
                ax.legend(fontsize="x-small", title=", ".join(o.rsplit(".", 1)[-1]
                                                            for o in others),
                          title_fontsize="x-small")
    fig.suptitle("Sweep: KPI means with 95 % confidence intervals")
    return fig
