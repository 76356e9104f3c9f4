"""Route-choice KPIs from the ``choices`` table (one row per market consignment)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .basics import n_replications, to_datetime


def route_shares(choices: pd.DataFrame, start_h: float = 0.0,
                 end_h: float = np.inf) -> pd.DataFrame:
    """Per market and route: consignments created in ``[start_h, end_h)`` (hours) and the
    share of the market's consignments that chose the route (by TEU)."""
    c = choices[(choices["created_h"] >= start_h) & (choices["created_h"] < end_h)]
    teu = c.groupby(["market", "route"], observed=True)["teu"].sum()
    total = teu.groupby(level="market", observed=True).transform("sum")
    out = pd.DataFrame({"teu": teu / n_replications(choices), "share": teu / total})
    return out.reset_index()


def route_shares_by_month(choices: pd.DataFrame, start_date: dt.date) -> pd.DataFrame:
    """Share of each market's TEU choosing each route, per calendar month of creation
    (``month``: first day); warm-up excluded."""
    c = choices[choices["created_h"] >= 0]
    month = to_datetime(start_date, c["created_h"]).to_period("M").to_timestamp()
    teu = c.assign(month=month.values).groupby(["market", "month", "route"],
                                               observed=True)["teu"].sum()
    share = teu / teu.groupby(level=["market", "month"], observed=True).transform("sum")
    return share.rename("share").reset_index()


def route_economics(choices: pd.DataFrame) -> pd.DataFrame:
    """Per market and route, over consignments delivered after warm-up: TEU, cost (USD)
    and CO2e (kg, WTW and TTW) per TEU, and the median and p90 transit (days)."""
    d = choices[choices["delivered_h"].notna() & (choices["delivered_h"] >= 0)]
    g = d.groupby(["market", "route"], observed=True)
    teu = g["teu"].sum()
    out = pd.DataFrame({
        "teu": teu / n_replications(choices),
        "cost_usd_per_teu": g["cost_usd"].sum() / teu,
        "co2e_kg_per_teu": g["co2e_kg"].sum() / teu,
        "co2e_ttw_kg_per_teu": g["co2e_ttw_kg"].sum() / teu,
        "transit_p50_days": g["transit_h"].median() / 24.0,
        "transit_p90_days": g["transit_h"].quantile(0.9) / 24.0,
    })
    return out.reset_index()


def route_kpi_rows(choices: pd.DataFrame, horizon_h: float) -> list[tuple]:
    """KPI rows (kpi, group ``market:route``, value, unit) for the KPI table; every route
    of every market appears in the shares so that replications share the same rows."""
    rows = []
    for r in route_shares(choices, 0.0, horizon_h).itertuples():
        rows.append(("route_share", f"{r.market}:{r.route}", float(r.share), "fraction"))
    for r in route_economics(choices).itertuples():
        g = f"{r.market}:{r.route}"
        rows.append(("route_cost_usd_per_teu", g, float(r.cost_usd_per_teu), "USD/TEU"))
        rows.append(("route_co2e_kg_per_teu", g, float(r.co2e_kg_per_teu), "kg/TEU"))
        rows.append(("route_transit_p50_days", g, float(r.transit_p50_days), "d"))
    return rows


def route_breakdown(choices: pd.DataFrame, cons: pd.DataFrame) -> pd.DataFrame:
    """Per market and route, cost (USD) and CO2e (kg, WTW) per TEU delivered after
    warm-up, by kind: a simulated route's kinds from its consignments' ``cost_<kind>_usd``
    and ``co2e_<kind>_kg`` columns, an abstract route's all-in figures as kind
    ``all_in``. Long format: market, route, measure (``cost_usd`` or ``co2e_kg``), kind,
    per_teu."""
    rows = []
    d = choices[choices["delivered_h"].notna() & (choices["delivered_h"] >= 0)]
    done = cons[cons["delivered_h"].notna() & (cons["delivered_h"] >= 0)]
    for (market, route), g in d.groupby(["market", "route"], observed=True):
        teu = float(g["teu"].sum())
        if teu <= 0:
            continue
        if g["abstract"].all():
            rows.append((market, route, "cost_usd", "all_in", g["cost_usd"].sum() / teu))
            rows.append((market, route, "co2e_kg", "all_in", g["co2e_kg"].sum() / teu))
            continue
        c = done[done["flow"].astype(str) == str(route)]
        for col in c.columns:
            if col.startswith("cost_") and col.endswith("_usd") and col != "cost_usd":
                rows.append((market, route, "cost_usd", col[5:-4], c[col].sum() / teu))
            elif col.startswith("co2e_") and col.endswith("_kg") and col not in (
                    "co2e_kg", "co2e_ttw_kg"):
                rows.append((market, route, "co2e_kg", col[5:-3], c[col].sum() / teu))
    return pd.DataFrame(rows, columns=["market", "route", "measure", "kind", "per_teu"])
