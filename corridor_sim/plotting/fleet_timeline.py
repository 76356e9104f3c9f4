"""Fleet timeline: a Gantt chart of the voyages of a sea service, or of the trains on a
rail leg, activity by activity."""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from .. import kpis
from .base import Figure, dates, new_figure

VOYAGE_COLOURS = {"load": "#8172b3", "weather": "#da8bc3", "closed": "#da8bc3",
                  "sail": "#4c72b0", "anchorage": "#ccb974", "berth": "#937860",
                  "unload": "#55a868"}
VOYAGE_LABELS = {"load": "loading", "weather": "waiting for the weather",
                 "sail": "sailing", "anchorage": "at anchor", "berth": "waiting for a berth",
                 "unload": "unloading"}
TRAIN_COLOURS = {"slot": "#dd8452", "closed": "#da8bc3", "run": "#4c72b0"}
TRAIN_LABELS = {"slot": "waiting for a line slot", "closed": "line closed",
                "run": "running"}


def lanes(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Rows of a Gantt chart: each interval goes to the lowest row free at its start
    (intervals ordered by start), so that no two overlap and as few rows as the busiest
    moment needs are used."""
    order = np.argsort(start, kind="stable")
    free_at: list[float] = []
    row = np.empty(len(start), dtype=np.int64)
    for i in order:
        r = next((k for k, t in enumerate(free_at) if t <= start[i]), len(free_at))
        if r == len(free_at):
            free_at.append(0.0)
        free_at[r] = end[i]
        row[i] = r
    return row


def fleet_timeline(movements: pd.DataFrame, scenario, target: str | None = None,
                   start_h: float = 0.0, end_h: float | None = None, replication: int = 0,
                   ax=None) -> Figure:
    """Gantt chart of the loaded voyages of sea service ``target`` (loading, waiting for
    the weather, sailing, at anchor, waiting for a berth, unloading), or of the trains on
    rail leg ``target`` (waiting for a line slot, running), from hour ``start_h`` to
    ``end_h`` (default: 30 days later). Default target: the first sea service, else the
    first leg. Voyages are packed into rows so that none overlap; the engine does not
    record which vessel sailed which voyage, so a row is a sequence of voyages, at most
    as many rows as the service has vessels."""
    links = kpis.link_table(scenario).set_index("leg")
    if target is None:
        sea = links.index[links["mode"] == "sea"]
        target = sea[0] if len(sea) else links.index[0]
    if target not in links.index:
        raise ValueError(f"no service or leg {target!r}; choose one of "
                         f"{', '.join(links.index)}")
    end_h = start_h + 30 * 24.0 if end_h is None else end_h
    mov = movements
    if "replication" in mov:
        mov = mov[mov["replication"] == replication]
    sea = links.loc[target, "mode"] == "sea"
    if sea:
        colours, labels = VOYAGE_COLOURS, VOYAGE_LABELS
        batches = mov.loc[(mov["segment"] == f"sea:{target}"), "batch_id"].unique()
        rows = mov[mov["batch_id"].isin(batches) & mov["activity"].isin(colours)]
    else:
        colours, labels = TRAIN_COLOURS, TRAIN_LABELS
        rows = mov[(mov["place"] == target) & mov["activity"].isin(colours)]
    rows = rows[(rows["end_h"] >= start_h) & (rows["start_h"] <= end_h)]
    span = rows.groupby("batch_id").agg(t0=("start_h", "min"), t1=("end_h", "max"))
    lane = pd.Series(lanes(span["t0"].to_numpy(), span["t1"].to_numpy()), index=span.index)
    if ax is None:
        fig, ax = new_figure((12, 1.2 + 0.32 * max(int(lane.max()) + 1 if len(lane) else 1,
                                                    6)))
    else:
        fig = ax.figure
    sd = kpis.start_date_of(scenario)
    y = lane.reindex(rows["batch_id"]).to_numpy()
    x0, x1 = dates(sd, rows["start_h"]), dates(sd, rows["end_h"])
    acts = rows["activity"].astype(str).to_numpy()
    for act, colour in colours.items():
        sel = acts == act
        ax.barh(y[sel], x1[sel] - x0[sel], left=x0[sel], height=0.7, color=colour,
                linewidth=0)
    names = kpis.node_table(scenario).set_index("node")["name"]
    ends = links.loc[target]
    what = f"service {target}" if sea else f"leg {target}"
    ax.set_title(f"Fleet timeline, {what} ({names.get(ends['from'], ends['from'])} → "
                 f"{names.get(ends['to'], ends['to'])}): {len(span)} "
                 f"{'voyages' if sea else 'trains'}", fontsize="medium")
    ax.set_ylabel("voyages packed into rows" if sea else "trains packed into rows")
    n_rows = int(lane.max()) + 1 if len(lane) else 1
    ax.set_yticks(range(n_rows), [str(i + 1) for i in range(n_rows)])
    ax.set_ylim(n_rows - 0.4, -0.6)
    ax.set_xlim(*dates(sd, [start_h, end_h]))
    ax.xaxis_date()
    ax.xaxis.set_major_formatter(mdates.DateFormatter(
        "%d %b" if end_h - start_h > 5 * 24 else "%d %b\n%H:%M"))
    ax.grid(axis="x", alpha=0.3)
    used = [a for a in colours if (acts == a).any()]
    ax.legend(handles=[Patch(color=colours[a], label=labels[a]) for a in used
                       if a in labels], loc="upper left", bbox_to_anchor=(1.0, 1.0),
              fontsize="small")
    return fig
