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
from .steps import bin_means


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
    step_h = RESOLUTION_H.get(run.scenario.outputs.resources_resolution)
    if step_h is None:
        parts = [p for p in (teu_waiting_table(run), fleet_series(run)) if len(p)]
        return pd.concat([sampled, *parts], ignore_index=True) if parts else sampled
    # binned part by part (their metrics differ, so every series lies in one part), the
    # TEU waiting and the fleets' series as they are derived: the exact series of a long
    # run are never held whole
    sampled = binned_series(sampled, step_h, run.end_h)
    parts = [p for p in (teu_waiting_table(run, step_h), fleet_series(run, step_h))
             if len(p)]
    table = pd.concat([sampled, *parts], ignore_index=True) if parts else sampled
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
        got = bin_means(g["t_h"].to_numpy(float), g["value"].to_numpy(float), step_h, end_h)
        if got is not None:
            parts.append(pd.DataFrame({"resource": res, "metric": metric,
                                       "t_h": got[0], "value": got[1]}))
    if not parts:
        return resources.iloc[:0].reset_index(drop=True)
    return pd.concat(parts, ignore_index=True)


def teu_waiting_table(run: RunData, step_h: float | None = None) -> pd.DataFrame:
    """TEU waiting at each node for a train or a vessel, as a step series: one row per
    change (resource = node, metric ``teu_waiting``). Derived exactly from when each
    consignment joined a queue and when the batch it boarded formed; consignments still
    waiting at the end count until the end. With ``step_h``, binned as
    :func:`binned_series` bins it, without making the exact table. Built one node at a
    time, so a long run's temporaries are those of its busiest node."""
    rec, sc = run.rec, run.scenario
    ids = rec.column("m_ids")
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
    # each manifest entry joins (+TEU) and leaves (-TEU) the queue at its batch's first
    # node; the never-loaded wait at their origin, the others where their last batch ended
    at, load = start[bat], teu[ids]
    sources = ((origin[run.flow_of[never]], run.created_h[never], teu[never]),
               (finish[last[between]], ended[last[between]], teu[between]))
    del last, waiting
    codes = np.unique(np.concatenate([at, *(s[0] for s in sources)]))
    if len(codes) == 0:
        return pd.DataFrame(columns=["resource", "metric", "t_h", "value"])
    nodes, times, values = [], [], []
    for k in codes.tolist():  # ascending: the rows come out ordered by node, then time
        here = at == k
        boarded = load[here]
        times_k, deltas_k = [joined[here], formed[bat[here]]], [boarded, -boarded]
        for where, t, v in sources:
            there = where == k
            times_k.append(t[there])
            deltas_k.append(v[there])
        t, value = _steps(np.concatenate(times_k), np.concatenate(deltas_k))
        if step_h is not None:
            got = bin_means(t, value, step_h, run.end_h)
            if got is None:
                continue
            t, value = got
        nodes.append(np.full(len(t), k, dtype=np.int32))
        times.append(t)
        values.append(value)
    node = np.concatenate(nodes) if nodes else np.empty(0, dtype=np.int32)
    return pd.DataFrame({
        "resource": np.asarray(names, dtype=object)[node],
        "metric": "teu_waiting",
        "t_h": np.concatenate(times) if times else np.empty(0),
        "value": np.concatenate(values) if values else np.empty(0),
    })


def _steps(t: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The running total of changes ``delta`` at times ``t`` (any order; equal times in
    the order given) as a step series: its value after the last change at each instant,
    never below zero."""
    order = np.argsort(t, kind="stable")
    t, total = t[order], np.cumsum(delta[order])
    keep = np.r_[t[1:] != t[:-1], True]  # the last row per instant
    return t[keep], np.clip(total[keep], 0.0, None)
