"""One consignment's journey: its stops and waits at each node on a time axis."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from .. import kpis
from .base import Figure, new_figure

STOP_COLOUR = "#dd8452"
MOVE_COLOUR = "#4c72b0"


def consignment_journey(itinerary: pd.DataFrame, consignment_id: int, scenario,
                        movements: pd.DataFrame | None = None, replication: int = 0,
                        ax=None) -> Figure:
    """The stops of consignment ``consignment_id`` (one row per node, in route order) in
    days since it was created: a bar from its arrival to its departure at each node
    (labelled with the hours it stayed) and a line for each ride between nodes (labelled
    with the train or vessel voyage, and its kind when ``movements`` is given)."""
    it = itinerary
    if "replication" in it:
        it = it[it["replication"] == replication]
    rows = it[it["consignment_id"] == consignment_id].sort_values("seq")
    if rows.empty:
        raise ValueError(f"no consignment {consignment_id} in the itinerary")
    kind = {}
    if movements is not None:
        mov = movements
        if "replication" in mov:
            mov = mov[mov["replication"] == replication]
        used = rows["batch_id"][rows["batch_id"] >= 0].unique()
        kind = mov[mov["batch_id"].isin(used)].groupby("batch_id")["kind"].first().to_dict()
    t0 = float(rows["arrived_h"].iloc[0])
    a = (rows["arrived_h"].to_numpy(float) - t0) / 24.0
    d = (rows["departed_h"].to_numpy(float) - t0) / 24.0
    names = kpis.node_table(scenario).set_index("node")["name"]
    labels = [str(names.get(n, n)) for n in rows["node"].astype(str)]
    n = len(rows)
    if ax is None:
        fig, ax = new_figure((11, 1.0 + 0.42 * max(n, 4)))
    else:
        fig = ax.figure
    y = np.arange(n)
    stay = np.where(np.isfinite(d), d - a, np.nan)
    ax.barh(y, np.nan_to_num(stay), left=a, height=0.55, color=STOP_COLOUR)
    end = np.nanmax(np.r_[a, d])
    for i in range(n):
        if np.isfinite(stay[i]):
            ax.annotate(f"{stay[i] * 24:.0f} h", (d[i], y[i]), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8)
        else:
            ax.annotate("still here at the end of the run", (a[i], y[i]), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8)
    bids = rows["batch_id"].to_numpy()
    for i in range(n - 1):
        if np.isfinite(d[i]) and np.isfinite(a[i + 1]):
            ax.plot([d[i], a[i + 1]], [y[i], y[i + 1]], color=MOVE_COLOUR, lw=2)
            if i == 0 or bids[i] != bids[i - 1]:
                what = kind.get(bids[i], "batch")
                ax.annotate(f"{what} {bids[i]}", ((d[i] + a[i + 1]) / 2, y[i] + 0.5),
                            xytext=(6, 0), textcoords="offset points", va="center",
                            fontsize=7, color=MOVE_COLOUR)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(n - 0.4, -0.6)
    ax.set_xlim(-0.02 * max(end, 1.0), 1.12 * max(end, 1.0))
    ax.set_xlabel("days since the consignment was created")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(handles=[Patch(color=STOP_COLOUR, label="at a node (queueing, handling, "
                                                      "waiting)"),
                       Patch(color=MOVE_COLOUR, label="riding a train or vessel")],
              loc="lower left", fontsize="small")
    total = (d[-1] - a[0]) if np.isfinite(d[-1]) else np.nan
    ax.set_title(f"Journey of consignment {consignment_id}: {labels[0]} → {labels[-1]}"
                 + (f", {total:.1f} days" if np.isfinite(total) else ", under way"),
                 fontsize="medium")
    return fig


def typical_consignment(consignments: pd.DataFrame, replication: int = 0) -> int | None:
    """A consignment to show (None if none was delivered after warm-up): on the flow
    with the longest median transit, the one whose transit is closest to that median."""
    c = consignments
    if "replication" in c:
        c = c[c["replication"] == replication]
    d = c[c["delivered_h"].notna() & (c["delivered_h"] >= 0)]
    if d.empty:
        return None
    span = d.groupby("flow", observed=True)["transit_h"].median()
    flow = span.idxmax()
    f = d[d["flow"] == flow]
    i = (f["transit_h"] - f["transit_h"].median()).abs().idxmin()
    return int(f.loc[i, "consignment_id"])
