"""Overload detection: is the backlog growing, and which resource is saturated?

Pure functions of a run's tables and its scenario (for capacities); no simulation state.
Only the measured period ``[0, horizon)`` counts (warm-up excluded). The backlog trend is
defined in :mod:`corridor_sim.kpis.backlog`, utilisation (busy time) in
:mod:`corridor_sim.kpis.utilisation`; this module puts them together for the run summary
and ``run.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .kpis.backlog import GROWTH_SHARE, backlog_at, backlog_trend
from .kpis.basics import horizon_h
from .kpis.utilisation import utilisation

__all__ = ["GROWTH_SHARE", "OverloadReport", "backlog_at", "backlog_trend",
           "overload_report", "utilisation"]


@dataclass
class OverloadReport:
    """Backlog at the start, middle and end of the measured period (consignments) and
    the busiest resources (:func:`corridor_sim.kpis.utilisation.utilisation`)."""

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
            where = (f"busiest resource: {r['kind']} {r['name']} "
                     f"(utilisation {r['utilisation']:.0%})")
        if self.growing:
            return [(f"OVERLOADED: backlog grew from {self.backlog_start} to "
                     f"{self.backlog_end} consignments over the run; {where}")]
        return [where] if where else []

    def as_dict(self) -> dict:
        top = self.busiest.head(3)
        return {"growing": self.growing, "backlog_start": self.backlog_start,
                "backlog_mid": self.backlog_mid, "backlog_end": self.backlog_end,
                "busiest": [{"resource": r.resource, "kind": r.kind, "name": r.name,
                             "utilisation": round(float(r.utilisation), 4)}
                            for r in top.itertuples()]}


def overload_report(tables: dict[str, pd.DataFrame], scenario) -> OverloadReport:
    """Backlog trend and busiest resources of one run (measured period only), fleets of
    wagons, platforms and containers included when the run has them."""
    end_h = horizon_h(scenario)
    return OverloadReport(*backlog_trend(tables["consignments"], end_h),
                          utilisation(tables["movements"], scenario, 0.0, end_h,
                                      fleets=tables.get("fleets")))
