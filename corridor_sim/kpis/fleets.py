"""KPIs of the fleets of wagons, platforms and containers (the ``fleets`` table of
:mod:`corridor_sim.fleet_tables`)."""

from __future__ import annotations

import pandas as pd

from ..units import quantity

FLEET_KPIS = ("stock_in_use_share", "stock_empty_share", "stock_idle_share",
              "stock_turnaround_days", "stock_loaded_trips", "stock_empty_unit_km")
NUMBERS = ("size", "loaded_trips", "in_use_share", "empty_share", "idle_share",
           "empty_trips", "empty_unit_km", "turnaround_days")


def fleet_summary(fleets: pd.DataFrame | None) -> pd.DataFrame:
    """One row per fleet: its kind and unit, and the mean over replications of each
    number of the ``fleets`` table. Empty without fleets."""
    if fleets is None or fleets.empty:
        return pd.DataFrame(columns=["fleet", "kind", "unit", *NUMBERS])
    first = fleets.groupby("fleet", sort=False)[["kind", "unit"]].first()
    means = fleets.groupby("fleet", sort=False)[list(NUMBERS)].mean()
    return first.join(means).reset_index()


def fleet_kpi_rows(fleets: pd.DataFrame | None) -> list[tuple]:
    """KPI rows (kpi, group ``stock:<fleet>``, value, unit) of one replication's fleets:
    shares of unit-time in use, empty and idle, turnaround, loaded trips and empty
    unit-km."""
    rows = []
    for r in fleet_summary(fleets).itertuples():
        group = f"stock:{r.fleet}"
        rows += [("stock_in_use_share", group, float(r.in_use_share), "fraction"),
                 ("stock_empty_share", group, float(r.empty_share), "fraction"),
                 ("stock_idle_share", group, float(r.idle_share), "fraction"),
                 ("stock_turnaround_days", group, float(r.turnaround_days), "d"),
                 ("stock_loaded_trips", group, float(r.loaded_trips), r.unit),
                 ("stock_empty_unit_km", group, float(r.empty_unit_km), f"{r.unit}-km")]
    return rows


def fleet_lines(fleets: pd.DataFrame | None) -> list[str]:
    """One summary line per fleet."""
    return [f"{r.fleet} ({quantity(round(r.size), r.unit)}): in use {r.in_use_share:.0%}, running "
            f"empty {r.empty_share:.0%}, idle {r.idle_share:.0%}; turnaround "
            f"{r.turnaround_days:.1f} d; {r.empty_unit_km / 1e6:,.1f} M {r.unit}-km empty"
            for r in fleet_summary(fleets).itertuples()]
