"""Overlay figures for comparing runs: each takes ``{label: consignments table}``."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from .. import kpis
from .base import CATEGORY_COLOURS, Figure, colour_map, date_axis, new_figure, od_label

LINESTYLES = ("-", "--", "-.", ":")


def transit_cdf_compare(runs: dict[str, pd.DataFrame], names: dict | None = None,
                        title: str = "") -> Figure:
    """Transit-time CDFs (days) per origin -> destination, one panel per O-D and one line
    per run; medians marked."""
    ods = sorted({(o, d) for cons in runs.values()
                  for o, d in kpis.transit_by_od(cons)[["origin", "destination"]]
                  .itertuples(index=False)})
    ncols = min(3, max(len(ods), 1))
    nrows = max(math.ceil(len(ods) / ncols), 1)
    fig, axes = new_figure(figsize=(4.2 * ncols, 3.0 * nrows + 0.6), nrows=nrows,
                           ncols=ncols, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    colours = colour_map(runs)
    for ax, (o, dest) in zip(axes, ods):
        for i, (label, cons) in enumerate(runs.items()):
            days = np.sort(kpis.transit_days(cons, o, dest).to_numpy())
            if len(days) == 0:
                continue
            y = np.arange(1, len(days) + 1) / len(days)
            ax.step(days, y, where="post", color=colours[label],
                    ls=LINESTYLES[i % len(LINESTYLES)], label=label)
            ax.plot([np.median(days)], [0.5], "o", color=colours[label], ms=4)
        ax.set_title(od_label(o, dest, names), fontsize="medium")
        ax.axhline(0.5, color="grey", lw=0.7, ls=":")
        ax.set_xlabel("transit (days)")
        ax.grid(alpha=0.3)
    for ax in axes[::ncols]:
        ax.set_ylabel("share delivered within")
    for ax in axes[len(ods):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", ncols=len(runs), fontsize="small")
    fig.suptitle(title or "Transit-time distributions compared (dots: medians)",
                 x=0.02, ha="left")
    return fig


def throughput_compare(runs: dict[str, pd.DataFrame], start_dates: dict[str, dt.date],
                       horizons_h: dict[str, float] | None = None, title: str = "") -> Figure:
    """Total tons delivered per calendar month (thousand t), one line per run; with
    ``horizons_h`` (hours per run) a month the horizon covers only in part is drawn with
    an open marker."""
    fig, ax = new_figure()
    colours = colour_map(runs)
    partial_any = False
    for i, (label, cons) in enumerate(runs.items()):
        t = kpis.throughput_by_month(cons, start_dates[label])
        monthly = t.groupby("month")["tons"].sum() / 1e3
        months = pd.to_datetime(monthly.index)
        x = months + pd.Timedelta(days=14)
        ax.plot(x, monthly.to_numpy(), marker="o", color=colours[label],
                ls=LINESTYLES[i % len(LINESTYLES)],
                label=f"{label} ({monthly.sum() / 1e3:.2f} Mt)")
        if horizons_h and label in horizons_h:
            end = pd.Timestamp(start_dates[label]) + pd.Timedelta(hours=horizons_h[label])
            start = pd.Timestamp(start_dates[label])
            part = (months < start) | (months + pd.offsets.MonthBegin(1) > end)
            if part.any():
                partial_any = True
                ax.plot(x[part], monthly.to_numpy()[part], "o", mfc="white",
                        color=colours[label], ms=8)
    date_axis(ax)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("tons delivered (thousand t per month)")
    ax.set_xlabel("month of delivery" + ("  (open markers: month only partly simulated)"
                                         if partial_any else ""))
    ax.set_title(title or "Monthly throughput compared (warm-up excluded)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def delay_breakdown_compare(runs: dict[str, pd.DataFrame], names: dict | None = None,
                            title: str = "") -> Figure:
    """Mean transit (days) per origin -> destination split into delay categories, one
    panel per run side by side on a common axis."""
    tables = {label: kpis.delay_breakdown(cons) for label, cons in runs.items()}
    first = next(iter(tables.values())).sort_values("transit_h")
    order = list(zip(first["origin"], first["destination"]))
    for t in tables.values():
        order += [od for od in zip(t["origin"], t["destination"]) if od not in order]
    labels = [od_label(o, d, names) for o, d in order]
    fig, axes = new_figure(figsize=(4.0 * len(runs) + 2.5, 5.5), ncols=len(runs),
                           sharex=True, sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (label, t) in zip(axes, tables.items()):
        t = t.set_index(["origin", "destination"]).reindex(order)
        left = np.zeros(len(order))
        for cat in kpis.CATEGORIES:
            vals = t[f"{cat}_h"].fillna(0.0).to_numpy() / 24.0
            ax.barh(labels, vals, left=left, color=CATEGORY_COLOURS[cat], label=cat)
            left += vals
        ax.set_title(label)
        ax.set_xlabel("mean transit (days)")
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
    axes[0].invert_yaxis()
    handles, cats = axes[0].get_legend_handles_labels()
    fig.legend(handles, cats, loc="outside lower center", ncols=6, fontsize="small")
    fig.suptitle(title or "Delay breakdown compared", x=0.02, ha="left")
    return fig
