"""The ``resources`` table of a run: step series in long format (resource, metric, t_h,
value: the series' value from ``t_h`` on), built from:

- the engine's samples per node and sea service: ``trains_queued``, ``tracks_busy``,
  ``vessels_loaded``;
- ``teu_waiting``: the TEU waiting at each node for a train or vessel, exact, from the
  manifests (:func:`teu_waiting_table`);
- the units of each fleet idle, in use and empty
  (:func:`corridor_sim.fleet_tables.fleet_series`).

At ``outputs.resources_resolution`` ``hour`` or ``day`` the series are binned to
time-weighted means per hour or day (:func:`binned_series`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .batches import manifest, segment_ends
from .engine import RunData
from .fleet_tables import fleet_series
from .steps import step_integral


def resources_table(run: RunData) -> pd.DataFrame:
    """Time series of queues and busy units per node and service: the engine's samples
    (``trains_queued``, ``tracks_busy``, ``vessels_loaded``) and the exact TEU waiting at
    each node for a train or vessel (``teu_waiting``, from :func:`teu_waiting_table`), and
    the units of each fleet idle, in use and empty (:func:`fleet_tables.fleet_series`)."""
    rec = run.rec
    sampled = pd.DataFrame({
        "resource": rec.label_column("r_name"),
        "metric": rec.label_column("r_metric"),
        "t_h": rec.column("r_t"),
        "value": rec.column("r_value"),
    })
    parts = [p for p in (teu_waiting_table(run), fleet_series(run)) if len(p)]
    step_h = RESOLUTION_H.get(run.scenario.outputs.resources_resolution)
    if step_h is None:
        return pd.concat([sampled, *parts], ignore_index=True) if parts else sampled
    # binned part by part (their metrics differ, so every series lies in one part): the
    # exact table of a long run is never held whole
    binned = [binned_series(p, step_h, run.end_h) for p in (sampled, *parts)]
    table = pd.concat(binned, ignore_index=True)
    return table.sort_values(["resource", "metric"], kind="stable", ignore_index=True)


# Bin widths (hours) of the ``resources`` table at ``outputs.resources_resolution``.
RESOLUTION_H = {"hour": 1.0, "day": 24.0}


def binned_series(resources: pd.DataFrame, step_h: float, end_h: float) -> pd.DataFrame:
    """The step series of a ``resources`` table as time-weighted means over bins of
    ``step_h`` hours (aligned on multiples of ``step_h`` from the start date, the last
    one ending at ``end_h``): one row per bin where the mean changes, so the result is a
    step series again. Means over whole bins are those of the exact series; peaks are
    those of the bin means. Rows ordered by resource, metric and time."""
    r = resources.sort_values(["resource", "metric", "t_h"], kind="stable")
    parts = []
    for (res, metric), g in r.groupby(["resource", "metric"], sort=True):
        t, v = g["t_h"].to_numpy(float), g["value"].to_numpy(float)
        lo = np.floor(t[0] / step_h) * step_h
        edges = np.arange(lo, end_h, step_h)
        edges = np.append(edges, end_h) if len(edges) and edges[-1] < end_h else edges
        if len(edges) < 2:
            continue
        mean = np.diff(step_integral(t, v, edges)) / np.diff(edges)
        keep = np.r_[True, mean[1:] != mean[:-1]]
        parts.append(pd.DataFrame({"resource": res, "metric": metric,
                                   "t_h": edges[:-1][keep], "value": mean[keep]}))
    if not parts:
        return resources.iloc[:0].reset_index(drop=True)
    return pd.concat(parts, ignore_index=True)


def teu_waiting_table(run: RunData) -> pd.DataFrame:
    """TEU waiting at each node for a train or a vessel, as a step series: one row per
    change (resource = node, metric ``teu_waiting``). Derived exactly from when each
    consignment joined a queue and when the batch it boarded formed; consignments still
    waiting at the end count until the end."""
    rec, sc = run.rec, run.scenario
    ids = rec.column("m_ids").astype(np.int64)
    bat, joined = manifest(run)
    formed, ended = rec.column("b_formed"), rec.column("b_end")
    names = sorted(set(sc.nodes))
    code = {n: i for i, n in enumerate(names)}
    seg, first_node, last_node = segment_ends(run)
    start = np.array([code[x] for x in first_node], dtype=np.int32)[seg]
    finish = np.array([code[x] for x in last_node], dtype=np.int32)[seg]
    origin = np.array([code[f.from_] for f in sc.flows], dtype=np.int32)
    teu = run.teu_of
    waiting = ~np.isfinite(rec.delivered_h)
    last = np.full(len(teu), -1, dtype=np.int64)
    np.maximum.at(last, ids, bat)
    never = np.flatnonzero(waiting & (last < 0))  # still in their origin queue
    between = waiting & (last >= 0)
    if len(ended):  # unloaded from their last batch, waiting for the next ride
        between &= np.isfinite(ended[np.maximum(last, 0)])
    between = np.flatnonzero(between)
    node = np.concatenate([start[bat], start[bat], origin[run.flow_of[never]],
                           finish[last[between]]])
    t = np.concatenate([joined, formed[bat], run.created_h[never], ended[last[between]]])
    if len(node) == 0:
        return pd.DataFrame(columns=["resource", "metric", "t_h", "value"])
    order = np.lexsort((t, node))
    node, t = node[order], t[order]
    delta = np.concatenate([teu[ids], -teu[ids], teu[never], teu[between]])[order]
    del order, ids  # ten years: six million changes; temporaries dropped as used
    total = np.cumsum(delta)
    del delta
    first = np.flatnonzero(np.r_[True, node[1:] != node[:-1]])
    before = np.where(first > 0, total[first - 1], 0.0)
    value = total - np.repeat(before, np.diff(np.r_[first, len(node)]))
    del total, before
    keep = np.r_[(node[1:] != node[:-1]) | (t[1:] != t[:-1]), True]  # last row per instant
    return pd.DataFrame({
        "resource": np.asarray(names, dtype=object)[node[keep]],
        "metric": "teu_waiting",
        "t_h": t[keep],
        "value": np.clip(value[keep], 0.0, None),
    })
