"""Stringline (time–distance diagram) of the trains and vessel voyages along a route."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from .. import kpis
from ..network import segment_parts
from .base import Figure, date_axis, dates, new_figure

MOVING = ("run", "sail")
KIND_COLOURS = {"train": "#4c72b0", "vessel": "#c44e52"}


def route_km(scenario, route: list[str]) -> dict[str, float]:
    """Distance (km) of each node of ``route`` from its first node, along its legs and
    sea crossings."""
    sc = kpis.scenario_dict(scenario)
    dist = {(leg["from"], leg["to"]): float(leg["distance_km"]) for leg in sc.get("legs", [])}
    dist.update({(s["from"], s["to"]): float(s["distance_km"])
                 for s in sc.get("services", {}).values()})
    km, total = {route[0]: 0.0}, 0.0
    for a, b in zip(route, route[1:]):
        total += dist.get((a, b), dist.get((b, a), np.nan))
        km[b] = total
    return km


def longest_route(scenario) -> list[str]:
    """The route of the flow with the most nodes (the default route of a stringline)."""
    flows = kpis.scenario_dict(scenario).get("flows", [])
    routes = [[f["from"], *(f.get("via") or []), f["to"]] for f in flows]
    return max(routes, key=len)


def stringline(movements: pd.DataFrame, scenario, route: list[str] | None = None,
               start_h: float = 0.0, end_h: float | None = None, replication: int = 0,
               ax=None) -> Figure:
    """Time–distance diagram: every train (blue) and loaded vessel voyage (red) that ran
    on ``route`` (node ids; default: the longest flow route) between hours ``start_h``
    and ``end_h`` (default: two weeks later), in either direction (lines rising with
    time run along the route, falling ones against it). Sloped lines are runs and sailings; flat
    stretches are time standing at a node (queueing, handling, loading, waiting for a
    line slot or the weather). Only ``replication`` is drawn when the table holds
    several."""
    route = list(route or longest_route(scenario))
    end_h = start_h + 14 * 24.0 if end_h is None else end_h
    km = route_km(scenario, route)
    links = kpis.link_table(scenario).set_index("leg")
    mov = movements
    if "replication" in mov:
        mov = mov[mov["replication"] == replication]
    m = mov[mov["activity"].isin(MOVING) & (mov["end_h"] >= start_h)
            & (mov["start_h"] <= end_h)]
    ends = links.reindex(m["place"].astype(str))
    y0 = ends["from"].map(km).to_numpy(float)
    y1 = ends["to"].map(km).to_numpy(float)
    back = _against_written(m, ends)  # a leg or crossing ridden the other way
    y0, y1 = np.where(back, y1, y0), np.where(back, y0, y1)
    on = np.isfinite(y0) & np.isfinite(y1)
    m, y0, y1 = m[on], y0[on], y1[on]
    sd = kpis.start_date_of(scenario)
    x0, x1 = dates(sd, m["start_h"]), dates(sd, m["end_h"])
    if ax is None:
        fig, ax = new_figure((12, 6.5))
    else:
        fig = ax.figure
    kinds = m["kind"].astype(str).to_numpy()
    for kind, colour in KIND_COLOURS.items():
        sel = kinds == kind
        segs = list(zip(zip(x0[sel], y0[sel]), zip(x1[sel], y1[sel])))
        # standing at a node: from one moving row's end to the batch's next one's start
        b = m["batch_id"].to_numpy()[sel]
        same = np.r_[b[1:] == b[:-1], False]
        idx = np.flatnonzero(same)
        segs += list(zip(zip(x1[sel][idx], y1[sel][idx]), zip(x0[sel][idx + 1],
                                                               y1[sel][idx])))
        ax.add_collection(LineCollection(segs, colors=colour, linewidths=0.9, alpha=0.8))
    names = kpis.node_table(scenario).set_index("node")["name"]
    ticks = _spaced([(km[n], names.get(n, n)) for n in route if np.isfinite(km[n])],
                    0.025 * max(km.values()))
    ax.set_yticks([t for t, _ in ticks], [label for _, label in ticks], fontsize=8)
    ax.set_ylim(-0.02 * max(km.values()), 1.02 * max(km.values()))
    ax.set_xlim(*dates(sd, [start_h, end_h]))
    date_axis(ax, monthly=(end_h - start_h) > 60 * 24)
    if (end_h - start_h) <= 60 * 24:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.grid(alpha=0.3)
    ax.set_ylabel("distance along the route (km, nodes marked)")
    ax.legend(handles=[Line2D([], [], color=c, label=k) for k, c in KIND_COLOURS.items()],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    ax.set_title(f"Stringline {names.get(route[0], route[0])} → "
                 f"{names.get(route[-1], route[-1])}: {len(set(m['batch_id']))} trains "
                 "and voyages", fontsize="medium")
    return fig


def _against_written(m: pd.DataFrame, ends: pd.DataFrame) -> np.ndarray:
    """True for moving rows that ran their leg or sea service against its written
    direction: a rail segment that reaches the leg's ``to`` node before its ``from``
    node, or a crossing back (``sea:NAME:return``)."""
    seg = m["segment"].astype(str).to_numpy() if "segment" in m else np.full(len(m), "")
    out = np.zeros(len(m), dtype=bool)
    for key in np.unique(seg):
        if not key:
            continue
        kind, parts = segment_parts(key)
        rows = seg == key
        if kind == "sea":
            out[rows] = parts[1:] == ["return"]
        else:
            order = {n: i for i, n in enumerate(parts)}
            a = ends["from"].to_numpy()[rows]
            b = ends["to"].to_numpy()[rows]
            out[rows] = [order.get(y, -1) < order.get(x, -1) for x, y in zip(a, b)]
    return out


def _spaced(ticks: list[tuple[float, str]], gap: float) -> list[tuple[float, str]]:
    """Node ticks at least ``gap`` apart (names of nodes too close to the previous one
    join its label), so that no two labels overlap."""
    out: list[tuple[float, str]] = []
    for km, name in ticks:
        if out and km - out[-1][0] < gap:
            out[-1] = (out[-1][0], f"{out[-1][1]} · {name}")
        else:
            out.append((km, name))
    return out
