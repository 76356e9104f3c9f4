"""Queues, backlog and utilisation figures from the resources, consignments and closures
tables (capacities and names from the scenario)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from .. import kpis
from .base import Figure, colour_map, date_axis, dates, new_figure, shade_windows

CLOSED = "#c44e52"
STEP_H = 72.0  # queues and fleets are shown as 3-day means


def queues(tables: dict[str, pd.DataFrame], scenario, top: int = 4,
           title: str = "") -> Figure:
    """Three panels over calendar time: the backlog (thousand t created but not yet
    delivered, daily), TEU waiting for a train or vessel at the ``top`` busiest nodes and
    loaded vessels per sea service (3-day means); sea-service closures (scheduled and
    weather) are shaded."""
    start = kpis.start_date_of(scenario)
    end_h = kpis.horizon_h(scenario)
    nodes = kpis.node_table(scenario)
    names = dict(zip(nodes["node"], nodes["name"]))
    links = kpis.link_table(scenario)
    services = list(links.loc[links["mode"] == "sea", "leg"])
    cap = dict(zip(links["leg"], links["capacity"]))
    closures = tables.get("closures", pd.DataFrame(columns=["target", "start_h", "end_h"]))
    closures = closures[(closures["end_h"] > 0) & (closures["start_h"] < end_h)]
    sea_closed = closures[closures["target"].isin(services)]

    fig, axes = new_figure(figsize=(11, 9), nrows=3, sharex=True)
    ax_b, ax_q, ax_v = axes
    back = kpis.backlog_over_time(tables["consignments"], end_h, step_h=24.0)
    ax_b.fill_between(dates(start, back["t_h"]), back["tons"] / 1e3, color="#4c72b0",
                      alpha=0.5, step="post", lw=0)
    ax_b.step(dates(start, back["t_h"]), back["tons"] / 1e3, where="post", color="#4c72b0",
              label="cargo in the system")
    ax_b.set_ylabel("in the system\n(thousand t)")
    ax_b.set_ylim(bottom=0)

    res = tables["resources"]
    waiting = kpis.resource_series(res, "teu_waiting", end_h, step_h=STEP_H)
    busiest = waiting.mean().sort_values(ascending=False).head(top).index
    colours = colour_map(busiest)
    for node in busiest:
        ax_q.step(dates(start, waiting.index), waiting[node], where="post",
                  color=colours[node], label=names.get(node, node), lw=1.2)
    ax_q.set_ylabel("TEU waiting\n(3-day mean)")
    ax_q.set_ylim(bottom=0)

    loaded = kpis.resource_series(res, "vessels_loaded", end_h, step_h=STEP_H)
    vcol = colour_map(services)
    for svc in services:
        if svc in loaded:
            ax_v.step(dates(start, loaded.index), loaded[svc], where="post", color=vcol[svc],
                      lw=1.2, label=f"{svc.replace('_', ' ')} ({cap[svc]:g} vessel"
                      f"{'s' * (cap[svc] != 1)})")
    ax_v.set_ylabel("vessels loaded\n(3-day mean)")
    ax_v.set_ylim(bottom=0)
    ax_v.set_xlabel("date")

    for i, ax in enumerate(axes):
        shade_windows(ax, start, sea_closed, CLOSED,
                      label="sea service closed" if len(sea_closed) and i == 0 else None)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax_v.set_xlim(dates(start, [0.0, end_h]))
    date_axis(ax_v)
    ax_b.set_title(title or "Backlog, queues at the busiest nodes and sea services "
                   "(shaded: sea-service closures)")
    return fig


def utilisation(resources: pd.DataFrame, scenario, title: str = "") -> Figure:
    """Time-weighted utilisation (%) of each node's tracks and each sea service's fleet
    after warm-up, with the peak share of capacity in use marked."""
    st = kpis.resource_stats(resources, scenario)
    st = st.sort_values(["kind", "utilisation"], ascending=[False, True])
    fig, ax = new_figure(figsize=(10, 7))
    y = np.arange(len(st))
    colours = np.where(st["kind"] == "service", "#55a868", "#4c72b0")
    ax.barh(y, st["utilisation"] * 100, color=colours)
    ax.plot(st["busy_max"] / st["capacity"] * 100, y, "|", color="black", ms=10, mew=1.5)
    sampled = set(resources.loc[resources["metric"].isin(("tracks_busy", "vessels_loaded")),
                                "resource"])
    for yi, r in zip(y, st.itertuples()):
        unit = ("vessel" if r.kind == "service" else "track") + ("s" * (r.capacity != 1))
        text = (f"{r.utilisation:.0%} of {r.capacity:g} {unit}" if r.resource in sampled
                else f"no trains handled on its {r.capacity:g} {unit}")
        ax.text(r.utilisation * 100 + 1, yi, text, va="center", fontsize="small")
    labels = [n.replace("_", " ") for n in st["name"]]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 105)
    ax.set_xlabel("time-weighted utilisation over the horizon (%); | = peak in use")
    ax.legend(handles=[Patch(color="#4c72b0", label="node (handling tracks)"),
                       Patch(color="#55a868", label="sea service (vessels loaded)")],
              fontsize="small", loc="lower right")
    ax.set_title(title or "Utilisation per node and sea service")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return fig
