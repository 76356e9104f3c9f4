"""Throughput and transit KPIs from the consignments and movements tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .basics import delivered, n_replications, to_datetime
from .memo import shared


@shared
def transit_by_od(cons: pd.DataFrame) -> pd.DataFrame:
    """Door-to-door transit in days per origin -> destination: n, mean, p10, p50, p90, max
    (delivered consignments after warm-up, pooled over replications), and the median trip
    from the first departure to the last arrival (``trip_p50_days``: without loading at
    the origin, waiting there for a train, and unloading at the destination)."""
    d = delivered(cons, ("origin", "destination", "transit_h", "departed_h", "arrived_h"))
    frame = pd.DataFrame({"origin": d["origin"], "destination": d["destination"],
                          "days": d["transit_h"] / 24.0})
    if "departed_h" in d:  # tables written before these columns existed lack them
        frame["trip"] = (d["arrived_h"] - d["departed_h"]) / 24.0
    by_od = frame.groupby(["origin", "destination"], observed=True)  # grouped once
    g = by_od["days"]
    out = pd.DataFrame({
        "n": g.size(),
        "mean_days": g.mean(),
        "p10_days": g.quantile(0.10),
        "p50_days": g.median(),
        "p90_days": g.quantile(0.90),
        "max_days": g.max(),
    })
    if "trip" in frame:
        out["trip_p50_days"] = by_od["trip"].median()
    return out.reset_index()


def transit_days(cons: pd.DataFrame, origin: str, destination: str) -> pd.Series:
    """Transit days of delivered consignments from ``origin`` to ``destination``."""
    d = delivered(cons)
    sel = (d["origin"] == origin) & (d["destination"] == destination)
    return (d.loc[sel, "transit_h"] / 24.0).rename("transit_days").reset_index(drop=True)


def throughput_by_month(cons: pd.DataFrame, start_date: dt.date,
                        by: str = "flow") -> pd.DataFrame:
    """Tons, TEU and consignments delivered per calendar month (``month``: first day) and
    ``by`` (a consignments column: ``flow``, ``direction``...); per replication on average
    when the table holds several."""
    d = delivered(cons)
    month = to_datetime(start_date, d["delivered_h"]).to_period("M").to_timestamp()
    g = d.assign(month=month.values).groupby(["month", by], observed=True)
    out = g.agg(tons=("tons", "sum"), teu=("teu", "sum"), consignments=("tons", "size"))
    out = out.astype(float) / n_replications(cons)
    return out.reset_index()


def throughput_by_flow(cons: pd.DataFrame, end_h: float = np.inf) -> pd.DataFrame:
    """Tons, TEU and consignments delivered per flow with ``0 <= delivered_h < end_h``
    (hours); per replication on average."""
    d = delivered(cons)
    d = d[d["delivered_h"] < end_h]
    g = d.groupby("flow", observed=True)
    out = g.agg(tons=("tons", "sum"), teu=("teu", "sum"), consignments=("tons", "size"))
    return (out.astype(float) / n_replications(cons)).reset_index()


def throughput_by_leg(movements: pd.DataFrame, start_h: float = 0.0,
                      end_h: float = np.inf) -> pd.DataFrame:
    """Tons, TEU and batches that passed each leg, per replication on average.

    A rail leg's tonnage is that of the trains that ran it (``run`` rows, place = leg key);
    a sea crossing's that of the vessel loads that sailed (``sail`` rows, place = service).
    A passage counts when it ends in ``[start_h, end_h)`` (hours). ``mode`` is ``rail`` or
    ``sea``; ``mean_run_h`` the mean running or sailing time (hours); ``mean_wait_h`` the
    consignment-hours waited for the leg per consignment carried: for a line slot or a
    closure on a rail leg; for the vessel to sail, at anchor and for weather on a sea
    crossing.
    """
    inside = movements[(movements["end_h"] >= start_h) & (movements["end_h"] < end_h)]
    m = inside[inside["activity"].isin(("run", "sail"))]
    m = m.assign(run_h=m["end_h"] - m["start_h"])
    g = m.groupby("place", observed=True)
    out = g.agg(tons=("tons", "sum"), teu=("teu", "sum"), batches=("tons", "size"),
                units=("units", "sum"), mean_run_h=("run_h", "mean"))
    waited = _waits_before_leg(inside).reindex(out.index, fill_value=0.0)
    out["mean_wait_h"] = waited / out["units"].where(out["units"] > 0)
    out = out.drop(columns="units")
    n = n_replications(movements)
    out[["tons", "teu", "batches"]] = out[["tons", "teu", "batches"]].astype(float) / n
    mode = m.groupby("place", observed=True)["activity"].first().map(
        {"run": "rail", "sail": "sea"})
    out.insert(0, "mode", mode)
    return out.reset_index().rename(columns={"place": "leg"}).sort_values(
        "tons", ascending=False, ignore_index=True)


def _waits_before_leg(movements: pd.DataFrame) -> pd.Series:
    """Consignment-hours waited for each leg (rail: ``slot``/``closed`` rows on the leg;
    sea: waiting and disruption rows of the service's vessel loads)."""
    rail = movements[movements["activity"].isin(("slot", "closed"))
                     & (movements["kind"] == "train")]
    sea = movements[(movements["kind"] == "vessel")
                    & movements["category"].isin(("waiting", "disruption"))]
    keys = pd.concat([rail["place"], sea["segment"].str.removeprefix("sea:")])
    hours = pd.concat([rail["unit_hours"], sea["unit_hours"]])
    return hours.groupby(keys.values).sum()


def _flow_names(flow: pd.Series) -> pd.Series:
    """The flow column as strings (a categorical one decoded through its categories)."""
    if isinstance(flow.dtype, pd.CategoricalDtype):
        names = np.asarray(flow.cat.categories.astype(str), dtype=object)
        codes = flow.cat.codes.to_numpy()
        if (codes >= 0).all():
            return pd.Series(names[codes], index=flow.index, name=flow.name)
    return flow.astype(str)


def demand_balance(cons: pd.DataFrame, end_h: float) -> pd.DataFrame:
    """Demand offered against delivered per flow and for all flows (row ``all``), per
    replication on average (tons): ``offered_t`` created in the measured period
    ``[0, end_h)``, ``delivered_t`` delivered in it, ``undelivered_t`` created before
    ``end_h`` (warm-up included) and not delivered by then, ``created_t`` all created before
    ``end_h``, ``undelivered_share`` = undelivered_t / created_t (0-1)."""
    n = n_replications(cons)
    created, done = cons["created_h"], cons["delivered_h"]
    parts = pd.DataFrame({
        "flow": _flow_names(cons["flow"]),
        "offered_t": cons["tons"].where((created >= 0) & (created < end_h), 0.0),
        "delivered_t": cons["tons"].where((done >= 0) & (done < end_h), 0.0),
        "undelivered_t": cons["tons"].where((created < end_h) & ~(done < end_h), 0.0),
        "created_t": cons["tons"].where(created < end_h, 0.0),
    })
    by_flow = parts.groupby("flow", sort=True).sum() / n
    by_flow.loc["all"] = by_flow.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        by_flow["undelivered_share"] = by_flow["undelivered_t"] / by_flow["created_t"]
    return by_flow.reset_index()
