"""Sweep figure: the main KPIs against each factor of a sweep, with confidence intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import Figure


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
