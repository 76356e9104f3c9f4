"""Queue statistics per node and service from the ``resources`` samples (utilisation is
defined once, from the movements, in :mod:`corridor_sim.kpis.utilisation`).

The samples are step functions: a value holds from its time ``t_h`` until the next sample
of the same resource and metric (every series starts at 0 before its first sample).
Metrics: ``tracks_busy``, ``trains_queued`` and ``teu_waiting`` per node,
``vessels_loaded`` per sea service. Capacities (tracks per node, vessels per service) come
from the scenario passed in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..steps import step_integral
from .basics import horizon_h, link_table, node_table
from .memo import shared

KEYS = ["replication", "resource", "metric"]


def _step_max(t: np.ndarray, v: np.ndarray, a: float, b: float) -> float:
    """Largest value the step function takes on ``[a, b)``."""
    nxt = np.append(t[1:], np.inf)
    live = (t < b) & (nxt > a) & (nxt > t)
    vals = v[live]
    if len(t) == 0 or t[0] > a:
        vals = np.append(vals, 0.0)
    return float(vals.max()) if len(vals) else 0.0


def _series(resources: pd.DataFrame):
    """Each series of the table: ``(replication, resource, metric)`` in sorted order, its
    times and values sorted by time (rows at equal times in table order). The labels are
    coded once into one integer key per row and the rows ordered by a stable sort of the
    key (no string sort); a table whose series are in time order already (as written)
    needs no sort by time."""
    r = resources
    n = len(r)
    if n == 0:
        return
    rep = (r["replication"].to_numpy() if "replication" in r.columns
           else np.zeros(n, dtype=np.int64))
    rep_code, rep_value = pd.factorize(rep, sort=True)
    res_code, res_name = pd.factorize(r["resource"], sort=True)
    met_code, met_name = pd.factorize(r["metric"], sort=True)
    key = (rep_code.astype(np.int64) * len(res_name) + res_code) * len(met_name) + met_code
    t, v = r["t_h"].to_numpy(float), r["value"].to_numpy(float)
    order = np.argsort(key, kind="stable")
    key, t = key[order], t[order]
    same = key[1:] == key[:-1]
    if (t[1:][same] < t[:-1][same]).any():  # some series out of time order: sort by time
        again = np.lexsort((t, key))  # stable: rows at equal times keep table order
        order, key, t = order[again], key[again], t[again]
    v = v[order]
    new = np.flatnonzero(key[1:] != key[:-1]) + 1
    starts, ends = np.r_[0, new], np.r_[new, n]
    for a, b in zip(starts, ends):
        rep_i, rest = divmod(int(key[a]), len(res_name) * len(met_name))
        res_i, met_i = divmod(rest, len(met_name))
        yield (rep_value[rep_i], res_name[res_i], met_name[met_i]), t[a:b], v[a:b]


def step_stats(resources: pd.DataFrame, start_h: float, end_h: float) -> pd.DataFrame:
    """Time-weighted mean and maximum of every series over ``[start_h, end_h)`` (hours),
    averaged over replications: columns resource, metric, mean, max."""
    rows = []
    for (rep, res, metric), t, v in _series(resources):
        i = step_integral(t, v, np.array([start_h, end_h]))
        rows.append((rep, res, metric, (i[1] - i[0]) / (end_h - start_h),
                     _step_max(t, v, start_h, end_h)))
    df = pd.DataFrame(rows, columns=[*KEYS, "mean", "max"])
    return df.groupby(["resource", "metric"], as_index=False)[["mean", "max"]].mean()


def capacities(scenario) -> pd.DataFrame:
    """Capacity of each node (``tracks``) and service (``vessels``) of a scenario (a
    Scenario or its dict): columns resource, kind (node/service), name, capacity."""
    nodes = node_table(scenario)
    links = link_table(scenario)
    sea = links[links["mode"] == "sea"]
    return pd.concat([
        pd.DataFrame({"resource": nodes["node"], "kind": "node", "name": nodes["name"],
                      "capacity": nodes["tracks"].astype(float)}),
        pd.DataFrame({"resource": sea["leg"], "kind": "service", "name": sea["leg"],
                      "capacity": sea["capacity"]}),
    ], ignore_index=True)


@shared
def resource_stats(resources: pd.DataFrame, scenario, start_h: float = 0.0,
                   end_h: float | None = None) -> pd.DataFrame:
    """Queues and units in use per node and service over ``[start_h, end_h)`` (hours;
    ``end_h`` defaults to the scenario horizon), averaged over replications.

    Columns: resource, kind, name, capacity (tracks or vessels), busy_mean, busy_max
    (tracks holding a train, or vessels loaded: time-weighted mean and peak),
    trains_queued_mean, trains_queued_max, teu_waiting_mean, teu_waiting_max (trains and
    TEU). Resources without samples have zeros. For utilisation see
    :func:`corridor_sim.kpis.utilisation.utilisation`.
    """
    end_h = horizon_h(scenario) if end_h is None else end_h
    cap = capacities(scenario)
    st = step_stats(resources, start_h, end_h)
    st["metric"] = st["metric"].replace({"tracks_busy": "busy", "vessels_loaded": "busy"})
    wide = st.pivot_table(index="resource", columns="metric", values=["mean", "max"])
    wide.columns = [f"{m}_{s}" for s, m in wide.columns]
    out = cap.merge(wide, left_on="resource", right_index=True, how="left")
    for m in ("busy", "trains_queued", "teu_waiting"):
        for s in ("mean", "max"):
            col = f"{m}_{s}"
            out[col] = out[col].fillna(0.0) if col in out else 0.0
    cols = ["resource", "kind", "name", "capacity", "busy_mean", "busy_max",
            "trains_queued_mean", "trains_queued_max", "teu_waiting_mean", "teu_waiting_max"]
    return out[cols].reset_index(drop=True)


def resource_series(resources: pd.DataFrame, metric: str, end_h: float,
                    step_h: float = 24.0, start_h: float = 0.0) -> pd.DataFrame:
    """Time-weighted mean of ``metric`` per ``step_h``-hour bin from ``start_h`` to
    ``end_h`` (hours) for every resource that has it, averaged over replications: a wide
    table indexed by bin start ``t_h`` with one column per resource."""
    edges = np.arange(start_h, end_h + 1e-9, step_h)
    if edges[-1] < end_h:
        edges = np.append(edges, end_h)
    cols: dict[str, list[np.ndarray]] = {}
    for (_rep, res, _metric), t, v in _series(resources[resources["metric"] == metric]):
        cols.setdefault(res, []).append(np.diff(step_integral(t, v, edges)) / np.diff(edges))
    data = {res: np.mean(vals, axis=0) for res, vals in cols.items()}
    return pd.DataFrame(data, index=pd.Index(edges[:-1], name="t_h"))
