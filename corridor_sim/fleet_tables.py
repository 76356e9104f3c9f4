"""Tables of a run's fleets (wagons, platforms, containers; scenario ``fleets:``).

- :func:`fleet_series`: the number of units idle at each depot, in use and empty on
  their way back, as step series in the long format of the ``resources`` table
  (resource ``<fleet>`` with metrics ``units_idle``, ``units_in_use``, ``units_empty``;
  resource ``<fleet>@<depot>`` with ``units_idle``).
- :func:`fleets_table`: one row per fleet over the reported period (``t_h >= 0``):
  size, units handed out (loaded trips), the shares of unit-time in use, idle and empty,
  the empty trips and unit-km run empty (wagon-km or TEU-km), and the turnaround: days
  between two loaded trips of the same unit (size / trips per day, Little's law).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .steps import bin_means

METRICS = ("units_idle", "units_in_use", "units_empty")
UNIT = {"container": "TEU", "wagon": "wagon", "platform": "wagon"}


def _levels(pool, nodes: bool = True) -> pd.DataFrame:
    """The pool's log as levels after each change: time, node, idle, in use, empty
    (fleet-wide) and idle at that node (without the node and the idle columns when not
    asked for with ``nodes``)."""
    t, node, idle, use, empty = pool.log(nodes)
    order = np.argsort(t, kind="stable")
    use = use[order]
    levels = {"t_h": t[order], "units_in_use": np.cumsum(use),
              "units_empty": np.cumsum(empty[order]), "d_use": use}
    if nodes:
        idle = idle[order]
        levels.update(node=node[order], units_idle=np.cumsum(idle), d_idle=idle)
    return pd.DataFrame(levels, copy=False)


def fleet_series(run, step_h: float | None = None) -> pd.DataFrame:
    """Step series of every fleet of ``run`` (long format, see the module docstring);
    with ``step_h``, each as its means over bins of that many hours
    (:func:`corridor_sim.steps.bin_means`, bins ending at the run's end)."""
    parts = []

    def add(resource: str, metric: str, t: np.ndarray, value: np.ndarray) -> None:
        if step_h is not None:
            got = bin_means(t, value, step_h, run.end_h) if len(t) else None
            if got is None:
                return
            t, value = got
        parts.append(pd.DataFrame({"resource": resource, "metric": metric, "t_h": t,
                                   "value": value}))

    for pool in run.pools:
        lv = _levels(pool)
        last = ~lv["t_h"].duplicated(keep="last")  # one row per instant: the level after
        whole = lv[last]
        for m in METRICS:
            add(pool.name, m, whole["t_h"].to_numpy(), whole[m].to_numpy(dtype=float))
        at = lv[lv["node"].notna()]
        for node, g in at.groupby("node", sort=False):
            level = np.cumsum(g["d_idle"].to_numpy())
            keep = ~g["t_h"].duplicated(keep="last").to_numpy()
            add(f"{pool.name}@{node}", "units_idle", g["t_h"].to_numpy()[keep],
                level[keep].astype(float))
    if not parts:
        return pd.DataFrame(columns=["resource", "metric", "t_h", "value"])
    return pd.concat(parts, ignore_index=True)


def _time_mean(t: np.ndarray, v: np.ndarray, t0: float, t1: float) -> float:
    """Mean over [t0, t1] of the step series that is ``v[i]`` from ``t[i]`` on."""
    if t1 <= t0 or len(t) == 0:
        return float("nan")
    edges = np.clip(np.append(t, t1), t0, t1)
    return float(np.sum(v * np.diff(edges)) / (t1 - t0))


def fleets_table(run) -> pd.DataFrame:
    """One row per fleet (see the module docstring); empty without fleets."""
    rows = []
    for pool in run.pools:
        spec = pool.spec
        lv = _levels(pool, nodes=False)
        t = lv["t_h"].to_numpy()
        t1 = run.end_h
        use = _time_mean(t, lv["units_in_use"].to_numpy(), 0.0, t1)
        empty = _time_mean(t, lv["units_empty"].to_numpy(), 0.0, t1)
        taken = lv["d_use"].to_numpy()
        lt = t
        trips = int(taken[(taken > 0) & (lt >= 0) & (lt < t1)].sum())
        et = np.frombuffer(pool.empty_t, dtype=np.float64)
        units = np.frombuffer(pool.empty_units, dtype=np.int64)
        km = np.frombuffer(pool.empty_km, dtype=np.float64)
        gone = (et >= 0) & (et < t1)
        per_day = trips / (t1 / 24.0) if t1 > 0 else float("nan")
        rows.append({
            "fleet": pool.name, "kind": spec.kind, "unit": UNIT[spec.kind],
            "size": spec.size, "repositioning": spec.repositioning,
            "loaded_trips": trips,
            "in_use_share": use / spec.size,
            "empty_share": empty / spec.size,
            "idle_share": 1.0 - (use + empty) / spec.size,
            "empty_trips": int(units[gone].sum()),
            "empty_unit_km": float((units * km)[gone].sum()),
            "turnaround_days": spec.size / per_day if per_day > 0 else float("nan"),
        })
    return pd.DataFrame(rows, columns=[
        "fleet", "kind", "unit", "size", "repositioning", "loaded_trips", "in_use_share",
        "empty_share", "idle_share", "empty_trips", "empty_unit_km", "turnaround_days"])
