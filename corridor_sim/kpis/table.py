"""The headline KPI table of a run and its short text summary."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..overload import backlog_trend
from .basics import CATEGORIES, delivered, hours_of, tons_delivered, warmup_deliveries
from .delays import backlog_end, bottlenecks
from .economics import economics_by_od, has_accounts
from .flows import transit_by_od
from .resources import resource_stats
from .routes import route_kpi_rows, route_shares


def kpi_table(tables: dict[str, pd.DataFrame], start_date: dt.date, horizon_h: float,
              scenario=None) -> pd.DataFrame:
    """The headline KPIs of one replication as a tidy table: kpi, group, value, unit.

    With ``scenario`` (a Scenario or its dict) the table also holds the utilisation of
    every node and service (time-weighted, 0-1) from the ``resources`` table.
    """
    cons, mov = tables["consignments"], tables["movements"]
    d = delivered(cons)
    rows = [("tons_delivered", "all", tons_delivered(cons, 0.0, horizon_h), "t"),
            ("teu_delivered", "all", float(d["teu"].sum()), "TEU")]
    jan1 = dt.date(start_date.year, 1, 1)
    if jan1 == start_date:
        sep30 = hours_of(start_date, dt.date(start_date.year, 10, 1))
        if sep30 <= horizon_h:
            rows.append(("tons_delivered_jan_sep", "all", tons_delivered(cons, 0.0, sep30), "t"))
    for flow, t in d.groupby("flow", observed=True)["tons"].sum().items():
        rows.append(("tons_delivered", f"flow:{flow}", float(t), "t"))
    warm = warmup_deliveries(cons)
    rows.append(("warmup_tons_delivered", "all", warm["tons"], "t"))
    for r in transit_by_od(cons).itertuples():
        od = f"{r.origin}->{r.destination}"
        for stat in ("mean", "p10", "p50", "p90", "max"):
            rows.append((f"transit_{stat}_days", od, float(getattr(r, f"{stat}_days")), "d"))
        if hasattr(r, "trip_p50_days"):
            rows.append(("trip_p50_days", od, float(r.trip_p50_days), "d"))
    if has_accounts(cons):
        for r in economics_by_od(cons).itertuples():
            od = f"{r.origin}->{r.destination}"
            rows.append(("cost_usd_per_teu", od, float(r.cost_usd_per_teu), "USD/TEU"))
            rows.append(("co2e_kg_per_teu", od, float(r.co2e_kg_per_teu), "kg/TEU"))
            rows.append(("co2e_ttw_kg_per_teu", od, float(r.co2e_ttw_kg_per_teu), "kg/TEU"))
    if tables.get("choices") is not None:
        rows += route_kpi_rows(tables["choices"], horizon_h)
    for c in CATEGORIES:
        rows.append((f"delay_{c}_h", "all", float(d[f"{c}_h"].mean()) if len(d) else np.nan,
                     "h"))
    back = backlog_end(cons, horizon_h)
    rows.append(("backlog_end_consignments", "all", float(back["consignments"]), "units"))
    rows.append(("backlog_end_tons", "all", back["tons"], "t"))
    growing = backlog_trend(cons, horizon_h)[-1]
    rows.append(("backlog_growing", "all", float(growing), "fraction"))
    b = bottlenecks(mov)
    for r in b.itertuples():  # every place, so replications share the same rows
        rows.append(("wait_share", f"place:{r.place}", float(r.share), "fraction"))
    if scenario is not None and "resources" in tables:
        st = resource_stats(tables["resources"], scenario, 0.0, horizon_h)
        for r in st.itertuples():
            rows.append(("utilisation", f"{r.kind}:{r.resource}", float(r.utilisation),
                         "fraction"))
    return pd.DataFrame(rows, columns=["kpi", "group", "value", "unit"])


def summary_lines(tables: dict[str, pd.DataFrame], start_date: dt.date,
                  horizon_h: float) -> list[str]:
    """A short human summary of a run."""
    cons, mov = tables["consignments"], tables["movements"]
    warm = warmup_deliveries(cons)
    lines = [f"tons delivered: {tons_delivered(cons, 0.0, horizon_h) / 1e6:.3f} Mt "
             f"({len(delivered(cons))} consignments; {warm['tons'] / 1e3:.1f} kt delivered "
             "during warm-up not counted)"]
    for r in transit_by_od(cons).itertuples():
        lines.append(f"  {r.origin} -> {r.destination}: median {r.p50_days:.1f} d, "
                     f"p90 {r.p90_days:.1f} d (n={r.n})")
    b = bottlenecks(mov)
    if len(b):
        top = b.iloc[0]
        lines.append(f"longest waiting: {top['place']} ({top['share']:.0%} of all "
                     f"consignment-hours waited)")
    if tables.get("choices") is not None and len(tables["choices"]):
        for market, g in route_shares(tables["choices"], 0.0, horizon_h).groupby("market"):
            parts = ", ".join(f"{r.route} {r.share:.1%}" for r in g.itertuples())
            lines.append(f"route shares of {market}: {parts}")
    back = backlog_end(cons, horizon_h)
    lines.append(f"in the system at the end: {back['consignments']:.0f} consignments "
                 f"({back['tons'] / 1e3:.1f} kt)")
    return lines
