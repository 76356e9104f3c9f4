"""Utilisation and load factor of every resource: the one definition used by the run
summary, ``report.md``, the utilisation plot and ``Results.utilisation()``.

**Utilisation** is busy time: the share of a resource's capacity-hours in use over the
measured period ``[start_h, end_h)`` (hours since ``start_date``; warm-up excluded), per
replication on average:

- ``node``: hours trains spent being processed ('process' rows) / (tracks x hours);
- ``line`` (a rail leg with ``trains_per_day``): slot occupancy, trains started ('run'
  rows) x headway (24 / trains_per_day h) / hours;
- ``berths``: hours vessels spent loading or unloading at a port / (berths x hours);
- ``fleet``: hours the vessels of a service were busy with a voyage (loading, waiting out
  weather, sailing, anchorage, berthing, unloading, plus the empty return crossing, taken
  as long as the loaded one) / (vessels x hours); at most 1;
- ``stock`` (a fleet of wagons, platforms or containers, scenario ``fleets:``; given the
  run's ``fleets`` table): the share of its unit-time not idle, units in use with cargo
  plus units running back empty, ``1 - idle_share`` of the ``fleets`` table (units x hours
  in use or empty / (units x hours)). A fleet with no unit idle is saturated as much as a
  node whose tracks are all busy: cargo waits for a unit (delay ``rolling_stock``).

**Load factor** is a separate figure: how full the trains on a line or the vessels of a
service were, TEU carried / TEU the train or vessel could take (``max_train_teu`` of the
leg, ``capacity_teu`` of the service), averaged over departures; NaN for nodes, berths and
fleets of wagons, platforms or containers, and where nothing departed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .basics import horizon_h, n_replications, node_table, scenario_dict
from .fleets import fleet_summary
from .memo import shared
from .resources import resource_stats

KINDS = ("node", "line", "berths", "fleet", "stock")
VESSEL_BUSY = ("load", "weather", "sail", "anchorage", "berth", "unload")
COLUMNS = ["resource", "kind", "name", "capacity", "capacity_unit", "busy_h",
           "capacity_h", "utilisation", "load_factor", "departures"]


def _busy(start: np.ndarray, end: np.ndarray, t0: float, t1: float) -> float:
    """Hours of the intervals [start, end) inside [t0, t1)."""
    if not len(start):
        return 0.0
    lo = np.maximum(start, t0)
    hi = np.minimum(end, t1)
    return float(np.clip(hi - lo, 0.0, None).sum())


def _rows_by(mov: pd.DataFrame, *keys: str) -> dict:
    """Row positions (ascending) of ``mov`` per value of the columns ``keys`` (a tuple
    of values for several): one pass over the table instead of one comparison per
    resource."""
    if mov.empty:
        return {}
    return mov.groupby(list(keys) if len(keys) > 1 else keys[0], sort=False,
                       observed=True).indices


@shared
def utilisation(movements: pd.DataFrame, scenario, start_h: float = 0.0,
                end_h: float | None = None, fleets: pd.DataFrame | None = None
                ) -> pd.DataFrame:
    """Utilisation (busy time, 0-1) and load factor of every node, rail line with a
    capacity, port's berths and sea service's fleet over ``[start_h, end_h)`` (hours;
    ``end_h`` defaults to the horizon), per replication on average, and with ``fleets``
    (the run's ``fleets`` table) of every fleet of wagons, platforms or containers;
    definitions in the module docstring. The ``fleets`` table covers the measured period
    only, so with it the period must be ``[0, horizon)``.

    Columns: resource (id), kind (node, line, berths, fleet, stock), name (for display),
    capacity and capacity_unit (tracks, trains/day, berths, vessels, wagons, TEU), busy_h
    and capacity_h (capacity-hours used and available per replication), utilisation,
    load_factor, departures (trains or sailings started, per replication). Sorted by
    utilisation, largest first.
    """
    sc = scenario_dict(scenario)
    end_h = horizon_h(sc) if end_h is None else end_h
    if fleets is not None and (start_h != 0.0 or end_h != horizon_h(sc)):
        raise ValueError("the fleets table covers the measured period [0, horizon) only; "
                         f"got [{start_h:g}, {end_h:g})")
    hours = max(end_h - start_h, 1e-9)
    reps = n_replications(movements)
    mov = movements
    names = dict(zip(*(node_table(sc)[c] for c in ("node", "name"))))
    nodes = sc.get("nodes", {})
    start = mov["start_h"].to_numpy(float)
    end = mov["end_h"].to_numpy(float)
    teu = mov["teu"].to_numpy(float) if "teu" in mov else None
    by_place = _rows_by(mov, "activity", "place")
    none = np.empty(0, dtype=np.int64)

    def at(activity: str, place: str) -> np.ndarray:
        return by_place.get((activity, place), none)

    def load_factor(rows: np.ndarray, capacity_teu: float) -> float:
        # the mean of a pandas Series (its summation, to the last bit, as ever)
        return float(pd.Series(teu[rows] / capacity_teu).mean()) if len(rows) \
            else float("nan")

    rows = []
    for node_id, node in nodes.items():
        mine = at("process", node_id)
        busy = _busy(start[mine], end[mine], start_h, end_h) / reps
        tracks = int(node.get("tracks", 1))
        rows.append((node_id, "node", names[node_id], tracks, "tracks", busy, tracks * hours,
                     np.nan, np.nan))
    for leg in sc.get("legs", []):
        tpd = leg.get("trains_per_day")
        if not tpd:
            continue
        key = leg.get("id") or f"{leg['from']}-{leg['to']}"
        mine = at("run", key)
        mine = mine[(start[mine] >= start_h) & (start[mine] < end_h)]
        n = len(mine) / reps
        name = f"{names.get(leg['from'], leg['from'])} – {names.get(leg['to'], leg['to'])}"
        rows.append((key, "line", name, float(tpd), "trains/day", n * 24.0 / tpd, hours,
                     load_factor(mine, float(leg.get("max_train_teu", 100))), n))
    services = sc.get("services", {})
    for port in sorted({p for s in services.values() for p in (s["from"], s["to"])}):
        mine = np.sort(np.concatenate([at("load", port), at("unload", port)]))
        busy = _busy(start[mine], end[mine], start_h, end_h) / reps
        n_berths = int(nodes[port].get("berths", 1))
        rows.append((port, "berths", f"{names.get(port, port)} berths", n_berths, "berths",
                     busy, n_berths * hours, np.nan, np.nan))
    by_segment = _rows_by(mov, "kind", "segment", "activity")
    for name, svc in services.items():
        seg = f"sea:{name}"
        mine = np.sort(np.concatenate(
            [by_segment.get(("vessel", seg, a), none) for a in VESSEL_BUSY]))
        sail = by_segment.get(("vessel", seg, "sail"), none)
        capacity_h = int(svc["vessels"]) * hours
        back_start, back_end = end[sail], 2 * end[sail] - start[sail]
        busy = (_busy(start[mine], end[mine], start_h, end_h)
                + _busy(back_start, back_end, start_h, end_h)) / reps
        loads = by_segment.get(("vessel", seg, "load"), none)
        loads = loads[(start[loads] >= start_h) & (start[loads] < end_h)]
        rows.append((name, "fleet", name.replace("_", " "), int(svc["vessels"]), "vessels",
                     min(busy, capacity_h), capacity_h,
                     load_factor(loads, float(svc["capacity_teu"])), len(loads) / reps))
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "utilisation"])
    out["utilisation"] = out["busy_h"] / out["capacity_h"]
    stock = _stock_rows(fleets, hours)
    out = pd.concat([out, stock], ignore_index=True) if len(stock) else out
    out = out[COLUMNS]
    return out.sort_values("utilisation", ascending=False, kind="stable").reset_index(drop=True)


def _stock_rows(fleets: pd.DataFrame | None, hours: float) -> pd.DataFrame:
    """Rows of :func:`utilisation` for the fleets of wagons, platforms and containers:
    utilisation ``1 - idle_share`` (mean over replications) of ``size`` units."""
    stock = fleet_summary(fleets)
    if not len(stock):
        return pd.DataFrame(columns=COLUMNS)
    size = stock["size"].to_numpy(float)  # the same in every replication
    busy = 1.0 - stock["idle_share"].to_numpy(float)
    unit = stock["unit"].map(lambda u: u if u == "TEU" else f"{u}s")
    return pd.DataFrame({
        "resource": stock["fleet"].to_numpy(object), "kind": "stock",
        "name": stock["fleet"].to_numpy(object), "capacity": size.round().astype(int),
        "capacity_unit": unit.to_numpy(object), "busy_h": busy * size * hours,
        "capacity_h": size * hours, "utilisation": busy, "load_factor": np.nan,
        "departures": np.nan})[COLUMNS]


def utilisation_table(tables: dict[str, pd.DataFrame], scenario) -> pd.DataFrame:
    """:func:`utilisation` of a run's movements (and fleets) over the horizon with the
    queue statistics of its nodes from the ``resources`` table (``trains_queued_mean``/
    ``_max``, ``teu_waiting_mean``/``_max``; NaN for lines, berths and fleets)."""
    u = utilisation(tables["movements"], scenario, fleets=tables.get("fleets"))
    if "resources" not in tables:
        return u
    q = resource_stats(tables["resources"], scenario)
    q = q.loc[q["kind"] == "node", ["resource", "trains_queued_mean", "trains_queued_max",
                                    "teu_waiting_mean", "teu_waiting_max"]]
    return u.merge(q.assign(kind="node"), on=["resource", "kind"], how="left")
