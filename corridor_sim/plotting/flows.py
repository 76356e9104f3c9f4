"""Throughput, transit-time and delay figures from the consignments and movements tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import kpis
from ..kpis.names import node_names, place_name
from .base import (
    CATEGORY_COLOURS,
    Figure,
    colour_map,
    date_axis,
    figure_and_axes,
    flow_colours,
    legend_below,
    od_label,
)


def _names(scenario) -> dict:
    return node_names(scenario)


def place_label(place: str, scenario=None) -> str:
    """A readable name for a movements ``place`` (:func:`corridor_sim.kpis.names.place_name`)."""
    return place_name(place, scenario)


def _month_coverage(months: pd.DatetimeIndex, start_date: dt.date,
                    end_h: float) -> np.ndarray:
    """Share (0-1) of each calendar month inside the measured period [0, end_h)."""
    t0 = pd.Timestamp(start_date)
    t1 = t0 + pd.Timedelta(hours=end_h)
    nxt = months + pd.offsets.MonthBegin(1)
    lo = np.maximum(months.values, t0.to_datetime64())
    hi = np.minimum(nxt.values, t1.to_datetime64())
    inside = np.clip((hi - lo) / np.timedelta64(1, "h"), 0, None)
    return inside / ((nxt - months) / pd.Timedelta(hours=1)).to_numpy()


def throughput(cons: pd.DataFrame, start_date: dt.date, title: str = "", *, ax=None,
               figsize=(10, 5.5), flows=None, start=None, end=None,
               end_h: float | None = None) -> Figure:
    """Tons delivered per calendar month (thousand t), stacked by flow; per replication
    on average when the table holds several. Each flow keeps a fixed colour
    (:func:`flow_colours`). A month only partly simulated (``end_h``, hours: the end of
    the measured period; default the last delivery) is hatched and labelled with the
    share of it simulated. ``flows``: ids to show (default all); ``start``/``end``:
    dates limiting the months shown; ``ax``: draw into an axes of your own."""
    fig, ax_ = figure_and_axes(ax, figsize)
    colours = flow_colours(cons)
    if end_h is None:
        done = cons["delivered_h"].to_numpy(float)
        end_h = float(np.nanmax(done)) if np.isfinite(done).any() else 0.0
    if flows is not None:
        cons = cons[cons["flow"].isin(list(flows))]
    t = kpis.throughput_by_month(cons, start_date)
    wide = t.pivot_table(index="month", columns="flow", values="tons", aggfunc="sum",
                         fill_value=0.0, observed=True) / 1e3
    wide = wide[wide.sum().sort_values(ascending=False).index]
    months = pd.to_datetime(wide.index)
    keep = np.ones(len(months), dtype=bool)
    if start is not None:
        keep &= months + pd.offsets.MonthBegin(1) > pd.Timestamp(start)
    if end is not None:
        keep &= months <= pd.Timestamp(end)
    wide, months = wide[keep], months[keep]
    cover = _month_coverage(months, start_date, end_h)
    partial = cover < 0.999
    x = months + pd.Timedelta(days=1)
    width = (months + pd.offsets.MonthBegin(1) - months).days.to_numpy() - 3
    bottom = np.zeros(len(wide))
    for flow in wide.columns:
        bars = ax_.bar(x, wide[flow].to_numpy(), width=width, bottom=bottom,
                       label=str(flow), align="edge", color=colours.get(flow, "#8c8c8c"))
        for bar, part in zip(bars, partial):
            if part:
                bar.set_hatch("///")
                bar.set_alpha(0.55)
        bottom += wide[flow].to_numpy()
    for xi, top, share in zip(x[partial], bottom[partial], cover[partial]):
        ax_.annotate(f"{share:.0%} of month", (xi, top), xytext=(0, 3),
                     textcoords="offset points", fontsize="x-small")
    date_axis(ax_)
    ax_.set_ylabel("tons delivered (thousand t per month)")
    ax_.set_xlabel("month of delivery" + ("; hatched: month only partly simulated"
                                          if partial.any() else ""))
    total = wide.to_numpy().sum() / 1e3
    ax_.set_title(title or f"Monthly throughput by flow ({total:.2f} Mt delivered, "
                  "warm-up excluded)")
    handles, labels = ax_.get_legend_handles_labels()
    ax_.legend(handles[::-1], labels[::-1], title="flow", fontsize="small",
               **({"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)} if ax is None
                  else {}))
    ax_.grid(axis="y", alpha=0.3)
    ax_.set_axisbelow(True)
    return fig


def transit_cdf(cons: pd.DataFrame, title: str = "", scenario=None, *, ax=None,
                figsize=(10, 5.5)) -> Figure:
    """Cumulative distribution of door-to-door transit days per origin -> destination,
    medians marked and labelled. ``ax``: draw into an axes of your own."""
    fig, ax = figure_and_axes(ax, figsize)
    d = kpis.delivered(cons)
    names = _names(scenario)
    stats = kpis.transit_by_od(cons).sort_values("p50_days")
    colours = colour_map(list(zip(stats["origin"], stats["destination"])))
    by_od = {od: g.to_numpy() for od, g in  # one pass, not two comparisons per pair
             d.groupby([d["origin"].astype(str), d["destination"].astype(str)],
                       sort=False)["transit_h"]}
    for r in stats.itertuples():
        days = np.sort(by_od[(str(r.origin), str(r.destination))] / 24.0)
        y = np.arange(1, len(days) + 1) / len(days)
        c = colours[(r.origin, r.destination)]
        ax.step(days, y, where="post", color=c,
                label=f"{od_label(r.origin, r.destination, names)}: median "
                      f"{r.p50_days:.1f} d")
        ax.plot([r.p50_days], [0.5], "o", color=c, ms=5)
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("door-to-door transit (days)")
    ax.set_ylabel("share of consignments delivered within")
    ax.set_ylim(0, 1.01)
    ax.set_xlim(left=0)
    ax.set_title(title or "Transit-time distribution per origin → destination "
                 "(dots: medians)")
    ax.legend(fontsize="small", loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def delay_breakdown(cons: pd.DataFrame, title: str = "", scenario=None, *, ax=None,
                    figsize=(10, 5.5)) -> Figure:
    """Mean transit per origin -> destination split into delay categories (days).
    ``ax``: draw into an axes of your own."""
    own = ax is None
    fig, ax = figure_and_axes(ax, figsize)
    b = kpis.delay_breakdown(cons).sort_values("transit_h")
    names = _names(scenario)
    labels = [od_label(o, d, names) for o, d in zip(b["origin"], b["destination"])]
    left = np.zeros(len(b))
    for cat in kpis.CATEGORIES:
        vals = b[f"{cat}_h"].to_numpy() / 24.0
        ax.barh(labels, vals, left=left, label=cat, color=CATEGORY_COLOURS[cat])
        left += vals
    for y, total in enumerate(left):
        ax.text(total + 0.1, y, f"{total:.1f} d", va="center", fontsize="small")
    ax.set_xlabel("mean door-to-door transit (days), split by where the time went")
    ax.set_title(title or "Delay breakdown by origin → destination")
    legend_below(fig, ax, *ax.get_legend_handles_labels(), ncols=6, own_figure=own)
    ax.set_xlim(0, left.max() * 1.1 if len(left) else 1)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return fig


def delay_by_place(movements: pd.DataFrame, scenario=None, top: int = 14,
                   title: str = "", *, ax=None, figsize=(10, 6)) -> Figure:
    """Consignment-hours spent at each place (node, rail leg or sea service) per delay
    category, for the ``top`` places with most delay after warm-up (thousand
    consignment-hours; per replication on average). ``ax``: draw into an axes of your
    own."""
    own = ax is None
    fig, ax = figure_and_axes(ax, figsize)
    end_h = kpis.horizon_h(scenario) if scenario is not None else np.inf
    t = kpis.delay_by_place(movements, 0.0, end_h).head(top).iloc[::-1]
    labels = [place_label(p, scenario) for p in t["place"]]
    left = np.zeros(len(t))
    for cat in kpis.DELAY_CATEGORIES:
        vals = t[cat].to_numpy() / 1e3
        ax.barh(labels, vals, left=left, label=cat, color=CATEGORY_COLOURS[cat])
        left += vals
    ax.set_xlabel("consignment-hours of delay over the horizon (thousands)")
    ax.set_title(title or f"Where consignments are delayed: the {len(t)} places with most "
                 "delay")
    legend_below(fig, ax, *ax.get_legend_handles_labels(), ncols=5, own_figure=own)
    ax.set_xlim(0, max(float(left.max()) if len(left) else 0.0, 1e-9) * 1.05)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return fig
