"""Counting rules shared by every KPI: which consignments count, how many replications.

Counting rule: a consignment counts in the period in which it is delivered; deliveries
during warm-up (``delivered_h < 0``) are excluded from KPIs and reported separately.
Times are hours since the scenario's ``start_date``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

WAIT_ACTIVITIES = ("assemble", "await_vessel", "await_unit", "await_platforms", "queue",
                   "slot", "closed", "weather", "anchorage", "berth")


def n_replications(df: pd.DataFrame) -> int:
    """Number of replications in a table (1 without a ``replication`` column)."""
    if "replication" not in df.columns or df.empty:
        return 1
    return max(int(df["replication"].nunique()), 1)


def delivered(cons: pd.DataFrame, columns=None) -> pd.DataFrame:
    """Consignments delivered after warm-up; only ``columns`` (those of them the table
    has, in table order) when given, which saves copying the rest of a wide table."""
    d = cons["delivered_h"]
    rows = d.notna() & (d >= 0)
    if columns is None:
        return cons[rows]
    wanted = set(columns)
    return cons.loc[rows, [c for c in cons.columns if c in wanted]]


def warmup_deliveries(cons: pd.DataFrame) -> dict[str, float]:
    """Consignments and tons delivered during warm-up (excluded from KPIs), per
    replication on average."""
    w = cons[cons["delivered_h"] < 0]
    n = n_replications(cons)
    return {"consignments": len(w) / n, "tons": float(w["tons"].sum()) / n}


def tons_delivered(cons: pd.DataFrame, start_h: float = 0.0, end_h: float = np.inf) -> float:
    """Tons delivered with ``start_h <= delivered_h < end_h`` (hours), per replication on
    average."""
    d = cons["delivered_h"]
    return float(cons.loc[(d >= start_h) & (d < end_h), "tons"].sum()) / n_replications(cons)


def hours_of(start_date: dt.date, when: dt.date) -> float:
    """Hours from ``start_date`` to the date ``when``."""
    return (when - start_date).days * 24.0


def to_datetime(start_date: dt.date, hours) -> pd.DatetimeIndex:
    """Calendar time of simulation hours (hours since ``start_date``)."""
    return pd.Timestamp(start_date) + pd.to_timedelta(np.asarray(hours, float), unit="h")


def with_dates(table: pd.DataFrame, start_date: dt.date) -> pd.DataFrame:
    """A copy of ``table`` with a calendar datetime column for every hours column
    ``<name>_h`` that holds a time (``created_h`` -> ``created``, ``start_h`` -> ``start``,
    ``t_h`` -> ``t``...; durations such as ``transit_h`` are left alone); NaT where the
    hours are NaN. Ready for ``resample`` or ``groupby(pd.Grouper(...))``."""
    out = table.copy()
    for col in TIME_COLUMNS:
        if col in out.columns:
            out[col.removesuffix("_h")] = to_datetime(start_date, out[col].to_numpy(float))
    return out


TIME_COLUMNS = ("created_h", "delivered_h", "departed_h", "arrived_h", "start_h", "end_h",
                "t_h")


def scenario_dict(scenario) -> dict:
    """A scenario as a plain mapping, from a Scenario or its dict (for example a results
    directory's ``scenario.resolved.yaml``); read with defaults for omitted fields."""
    if hasattr(scenario, "model_dump"):
        return scenario.model_dump(mode="json", by_alias=True)
    return dict(scenario)


def horizon_h(scenario) -> float:
    """The scenario's horizon in hours."""
    return float(scenario_dict(scenario)["horizon_days"]) * 24.0


def start_date_of(scenario) -> dt.date:
    """The scenario's start date."""
    value = scenario_dict(scenario)["start_date"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def node_table(scenario) -> pd.DataFrame:
    """Nodes of a scenario: node, name, kind, country, lon, lat (degrees), tracks."""
    nodes = scenario_dict(scenario).get("nodes", {})
    return pd.DataFrame(
        [(k, n.get("name") or k, n.get("kind"), n.get("country"), float(n["lon"]),
          float(n["lat"]), int(n.get("tracks", 1))) for k, n in nodes.items()],
        columns=["node", "name", "kind", "country", "lon", "lat", "tracks"])


def link_table(scenario) -> pd.DataFrame:
    """Rail legs and sea services of a scenario: leg (key as in the movements table),
    mode (rail/sea), from, to, capacity (vessels for services, else NaN)."""
    sc = scenario_dict(scenario)
    rows = [(leg.get("id") or f"{leg['from']}-{leg['to']}", "rail", leg["from"], leg["to"],
             float("nan")) for leg in sc.get("legs", [])]
    rows += [(k, "sea", s["from"], s["to"], float(s["vessels"]))
             for k, s in sc.get("services", {}).items()]
    return pd.DataFrame(rows, columns=["leg", "mode", "from", "to", "capacity"])
