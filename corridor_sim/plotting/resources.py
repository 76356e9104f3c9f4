"""Queues, backlog and utilisation figures from the resources, consignments and closures
tables (capacities and names from the scenario)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from .. import kpis
from .base import Figure, colour_map, date_axis, dates, figure_and_axes, new_figure, shade_windows

CLOSED = "#c44e52"
STEP_H = 72.0  # queues and fleets are shown as 3-day means


def queues(tables: dict[str, pd.DataFrame], scenario, top: int = 4,
           title: str = "", *, figsize=(11, 9)) -> Figure:
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

    fig, axes = new_figure(figsize=figsize, nrows=3, sharex=True)
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


KIND_COLOURS = {"node": "#4c72b0", "line": "#dd8452", "berths": "#8172b3",
                "fleet": "#55a868", "stock": "#937860"}
KIND_LABELS = {"node": "node (handling tracks)", "line": "rail line (train slots)",
               "berths": "port berths", "fleet": "sea service (vessels busy)",
               "stock": "wagons, platforms, containers (not idle)"}


def utilisation(movements: pd.DataFrame, scenario, title: str = "", *, ax=None,
                figsize=None, fleets: pd.DataFrame | None = None) -> Figure:
    """Utilisation (busy time, %) of every node, rail line with a capacity, port's berths
    and sea service's fleet over the horizon, and with ``fleets`` (a run's ``fleets``
    table) of every fleet of wagons, platforms or containers (definitions in
    :mod:`corridor_sim.kpis.utilisation`), grouped by kind, with the load factor of lines
    and sea services written next to their bars. ``ax``: draw into an axes of your own."""
    u = kpis.utilisation(movements, scenario, fleets=fleets)
    order = {k: i for i, k in enumerate(KIND_COLOURS)}
    u = u.assign(_k=u["kind"].map(order)).sort_values(["_k", "utilisation"],
                                                      ascending=[False, True])
    fig, ax = figure_and_axes(ax, figsize or (10, max(4.0, 0.28 * len(u) + 1.5)))
    y = np.arange(len(u))
    ax.barh(y, u["utilisation"] * 100, color=[KIND_COLOURS[k] for k in u["kind"]])
    for yi, r in zip(y, u.itertuples()):
        text = f"{r.utilisation:.0%} of {r.capacity:g} {r.capacity_unit}"
        if r.load_factor == r.load_factor:
            text += f"; load factor {r.load_factor:.0%}"
        ax.text(r.utilisation * 100 + 1, yi, text, va="center", fontsize="small")
    ax.set_yticks(y, list(u["name"]))
    ax.set_xlim(0, 130)
    ax.set_xlabel("utilisation: share of capacity-hours busy over the horizon (%)")
    kinds = [k for k in KIND_COLOURS if k in set(u["kind"])]
    ax.legend(handles=[Patch(color=KIND_COLOURS[k], label=KIND_LABELS[k]) for k in kinds],
              fontsize="small", loc="lower right")
    ax.set_title(title or ("Utilisation per node, rail line, port, sea service and wagon "
                           "or container fleet" if "stock" in set(u["kind"]) else
                           "Utilisation per node, rail line, port and sea service"))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return fig
