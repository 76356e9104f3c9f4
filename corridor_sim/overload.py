"""Overload detection: is the backlog growing, and which resource is saturated?

Pure functions of a run's tables and its scenario (for capacities); no simulation state.
Times are hours since ``start_date``; only the measured period ``[0, horizon)`` counts
(warm-up excluded).

Utilisation of each resource over the measured period (fraction of capacity in use):

- ``node``: hours trains spent being processed ('process' rows) / (tracks x hours);
- ``line``: trains started ('run' rows) x headway / hours, for legs with trains_per_day;
- ``berths``: hours vessels spent loading or unloading at a port / (berths x hours);
- ``fleet``: hours vessels of a service were busy with a load (loading, waiting out
  weather, sailing, anchorage, berthing, unloading, plus the empty return trip, taken
  as long as the loaded one) / (vessels x hours).

The backlog (consignments created and not yet delivered) is *growing* when it rose over
the second half of the measured period by more than ``GROWTH_SHARE`` of the consignments
created in that half; the first half is left out so that filling an empty corridor (no
warm-up) is not mistaken for overload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

GROWTH_SHARE = 0.05
VESSEL_BUSY = ("load", "weather", "sail", "anchorage", "berth", "unload")


def backlog_at(cons: pd.DataFrame, times_h) -> np.ndarray:
    """Consignments in the system (created at or before t, not delivered by t) at each t."""
    t = np.atleast_1d(np.asarray(times_h, float))
    created = np.sort(cons["created_h"].to_numpy(float))
    done = cons["delivered_h"].to_numpy(float)
    done = np.sort(done[np.isfinite(done)])
    return (np.searchsorted(created, t, side="right")
            - np.searchsorted(done, t, side="right")).astype(np.int64)


def _busy_hours(rows: pd.DataFrame, t0: float, t1: float) -> float:
    """Hours of the rows' [start, end) intervals inside [t0, t1)."""
    if rows.empty:
        return 0.0
    lo = np.maximum(rows["start_h"].to_numpy(float), t0)
    hi = np.minimum(rows["end_h"].to_numpy(float), t1)
    return float(np.clip(hi - lo, 0.0, None).sum())


def utilisation(movements: pd.DataFrame, scenario, end_h: float,
                start_h: float = 0.0) -> pd.DataFrame:
    """Utilisation of every node, line, port and fleet over [start_h, end_h):
    columns resource, kind, busy_h (capacity-hours used), capacity_h, utilisation."""
    hours = max(end_h - start_h, 1e-9)
    mov = movements
    rows = []
    proc = mov[mov["activity"] == "process"]
    for node_id, node in scenario.nodes.items():
        busy = _busy_hours(proc[proc["place"] == node_id], start_h, end_h)
        rows.append((node_id, "node", busy, node.tracks * hours))
    runs = mov[mov["activity"] == "run"]
    for leg in scenario.legs:
        if leg.trains_per_day:
            s = runs.loc[runs["place"] == leg.key, "start_h"]
            n = int(((s >= start_h) & (s < end_h)).sum())
            rows.append((leg.key, "line", n * 24.0 / leg.trains_per_day, hours))
    berth = mov[mov["activity"].isin(["load", "unload"])]
    ports = {p for svc in scenario.services.values() for p in (svc.from_, svc.to)}
    for port in sorted(ports):
        busy = _busy_hours(berth[berth["place"] == port], start_h, end_h)
        rows.append((port, "berths", busy, scenario.nodes[port].berths * hours))
    vessel = mov[(mov["kind"] == "vessel") & mov["activity"].isin(VESSEL_BUSY)]
    for name, svc in scenario.services.items():
        mine = vessel[vessel["segment"] == f"sea:{name}"]
        sail = mine[mine["activity"] == "sail"]
        back = sail.assign(start_h=sail["end_h"], end_h=2 * sail["end_h"] - sail["start_h"])
        busy = _busy_hours(mine, start_h, end_h) + _busy_hours(back, start_h, end_h)
        rows.append((name, "fleet", busy, svc.vessels * hours))
    out = pd.DataFrame(rows, columns=["resource", "kind", "busy_h", "capacity_h"])
    out["utilisation"] = out["busy_h"] / out["capacity_h"]
    return out.sort_values("utilisation", ascending=False, kind="stable").reset_index(drop=True)


@dataclass
class OverloadReport:
    """Backlog at the start, middle and end of the measured period (consignments) and
    the busiest resources."""

    backlog_start: int
    backlog_mid: int
    backlog_end: int
    created_second_half: int
    growing: bool
    busiest: pd.DataFrame = field(repr=False)

    def lines(self) -> list[str]:
        """Summary lines: an OVERLOADED warning when the backlog grows."""
        top = self.busiest.head(1)
        where = ""
        if len(top):
            r = top.iloc[0]
            where = (f"busiest resource: {r['kind']} {r['resource']} "
                     f"(utilisation {r['utilisation']:.0%})")
        if self.growing:
            return [(f"OVERLOADED: backlog grew from {self.backlog_start} to "
                     f"{self.backlog_end} consignments over the run; {where}")]
        return [where] if where else []

    def as_dict(self) -> dict:
        top = self.busiest.head(3)
        return {"growing": self.growing, "backlog_start": self.backlog_start,
                "backlog_mid": self.backlog_mid, "backlog_end": self.backlog_end,
                "busiest": [{"resource": r.resource, "kind": r.kind,
                             "utilisation": round(float(r.utilisation), 4)}
                            for r in top.itertuples()]}


def backlog_trend(cons: pd.DataFrame, end_h: float) -> tuple[int, int, int, int, bool]:
    """Backlog (consignments) at the start, middle and end of ``[0, end_h)``, consignments
    created in its second half, and whether the backlog is growing (module docstring)."""
    start, mid, end = backlog_at(cons, [0.0, end_h / 2, end_h])
    created = cons["created_h"].to_numpy(float)
    second = int(((created > end_h / 2) & (created <= end_h)).sum())
    growing = bool(end - mid > GROWTH_SHARE * max(second, 1) and end > start)
    return int(start), int(mid), int(end), second, growing


def overload_report(tables: dict[str, pd.DataFrame], scenario) -> OverloadReport:
    """Backlog trend and busiest resources of one run (measured period only)."""
    end_h = scenario.horizon_days * 24.0
    return OverloadReport(*backlog_trend(tables["consignments"], end_h),
                          utilisation(tables["movements"], scenario, end_h))
