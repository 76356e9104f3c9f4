"""KPI definitions: pure functions from result tables to KPI tables (no simulation state).

Counting rule: a consignment counts in the period in which it is delivered; deliveries
during warm-up (``delivered_h < 0``) are excluded from KPIs and reported separately.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

CATEGORIES = ("moving", "consolidation", "border", "transshipment", "waiting", "disruption")
WAIT_ACTIVITIES = ("assemble", "await_vessel", "queue", "slot", "closed", "weather",
                   "anchorage", "berth")


def delivered(cons: pd.DataFrame) -> pd.DataFrame:
    """Consignments delivered after warm-up."""
    d = cons["delivered_h"]
    return cons[d.notna() & (d >= 0)]


def warmup_deliveries(cons: pd.DataFrame) -> dict[str, float]:
    """Consignments and tons delivered during warm-up (excluded from KPIs)."""
    w = cons[cons["delivered_h"] < 0]
    return {"consignments": int(len(w)), "tons": float(w["tons"].sum())}


def tons_delivered(cons: pd.DataFrame, start_h: float = 0.0, end_h: float = np.inf) -> float:
    """Tons delivered with ``start_h <= delivered_h < end_h``."""
    d = cons["delivered_h"]
    return float(cons.loc[(d >= start_h) & (d < end_h), "tons"].sum())


def hours_of(start_date: dt.date, when: dt.date) -> float:
    """Hours from ``start_date`` to the date ``when``."""
    return (when - start_date).days * 24.0


def transit_by_od(cons: pd.DataFrame) -> pd.DataFrame:
    """Door-to-door transit in days per origin -> destination: n, mean, p10, p50, p90, max."""
    d = delivered(cons)
    days = d["transit_h"] / 24.0
    g = days.groupby([d["origin"], d["destination"]], observed=True)
    out = pd.DataFrame({
        "n": g.size(),
        "mean_days": g.mean(),
        "p10_days": g.quantile(0.10),
        "p50_days": g.median(),
        "p90_days": g.quantile(0.90),
        "max_days": g.max(),
    })
    return out.reset_index()


def transit_days(cons: pd.DataFrame, origin: str, destination: str) -> pd.Series:
    """Transit days of delivered consignments from ``origin`` to ``destination``."""
    d = delivered(cons)
    sel = (d["origin"] == origin) & (d["destination"] == destination)
    return (d.loc[sel, "transit_h"] / 24.0).rename("transit_days").reset_index(drop=True)


def throughput_by_month(cons: pd.DataFrame, start_date: dt.date) -> pd.DataFrame:
    """Tons, TEU and consignments delivered per calendar month and flow."""
    d = delivered(cons)
    when = pd.Timestamp(start_date) + pd.to_timedelta(d["delivered_h"], unit="h")
    month = when.dt.to_period("M").dt.to_timestamp()
    g = d.assign(month=month.values).groupby(["month", "flow"], observed=True)
    out = g.agg(tons=("tons", "sum"), teu=("teu", "sum"), consignments=("tons", "size"))
    return out.reset_index()


def delay_breakdown(cons: pd.DataFrame) -> pd.DataFrame:
    """Mean hours per delay category for each origin -> destination (delivered only)."""
    d = delivered(cons)
    cols = [f"{c}_h" for c in CATEGORIES]
    out = d.groupby(["origin", "destination"], observed=True)[cols].mean()
    out["transit_h"] = d.groupby(["origin", "destination"], observed=True)["transit_h"].mean()
    return out.reset_index()


def bottlenecks(movements: pd.DataFrame) -> pd.DataFrame:
    """Where waiting concentrates: consignment-hours waited per place (node or service),
    with its share of all waiting, largest first."""
    w = movements[movements["activity"].isin(WAIT_ACTIVITIES) & (movements["end_h"] >= 0)]
    g = w.groupby("place")["unit_hours"].sum().sort_values(ascending=False)
    total = float(g.sum())
    out = pd.DataFrame({"place": g.index, "unit_hours": g.values})
    out["share"] = out["unit_hours"] / total if total > 0 else 0.0
    return out


def backlog_end(cons: pd.DataFrame, end_h: float) -> dict[str, float]:
    """Consignments and tons created but not delivered by ``end_h``."""
    open_ = cons[(cons["created_h"] < end_h) & ~(cons["delivered_h"] < end_h)]
    return {"consignments": int(len(open_)), "tons": float(open_["tons"].sum())}


def kpi_table(tables: dict[str, pd.DataFrame], start_date: dt.date,
              horizon_h: float) -> pd.DataFrame:
    """The headline KPIs as a tidy table: kpi, group, value, unit."""
    cons, mov = tables["consignments"], tables["movements"]
    rows = [("tons_delivered", "all", tons_delivered(cons, 0.0, horizon_h), "t"),
            ("teu_delivered", "all", float(delivered(cons)["teu"].sum()), "TEU")]
    jan1 = dt.date(start_date.year, 1, 1)
    if jan1 == start_date:
        sep30 = hours_of(start_date, dt.date(start_date.year, 10, 1))
        if sep30 <= horizon_h:
            rows.append(("tons_delivered_jan_sep", "all", tons_delivered(cons, 0.0, sep30), "t"))
    for flow, t in delivered(cons).groupby("flow", observed=True)["tons"].sum().items():
        rows.append(("tons_delivered", f"flow:{flow}", float(t), "t"))
    for r in transit_by_od(cons).itertuples():
        od = f"{r.origin}->{r.destination}"
        for stat in ("mean", "p10", "p50", "p90", "max"):
            rows.append((f"transit_{stat}_days", od, float(getattr(r, f"{stat}_days")), "d"))
    d = delivered(cons)
    for c in CATEGORIES:
        rows.append((f"delay_{c}_h", "all", float(d[f"{c}_h"].mean()) if len(d) else np.nan,
                     "h"))
    back = backlog_end(cons, horizon_h)
    rows.append(("backlog_end_consignments", "all", float(back["consignments"]), "units"))
    rows.append(("backlog_end_tons", "all", back["tons"], "t"))
    b = bottlenecks(mov)
    for r in b.head(5).itertuples():
        rows.append(("wait_share", f"place:{r.place}", float(r.share), "fraction"))
    return pd.DataFrame(rows, columns=["kpi", "group", "value", "unit"])


def summary_lines(tables: dict[str, pd.DataFrame], start_date: dt.date,
                  horizon_h: float) -> list[str]:
    """A short human summary of a run."""
    cons, mov = tables["consignments"], tables["movements"]
    lines = [f"tons delivered: {tons_delivered(cons, 0.0, horizon_h) / 1e6:.3f} Mt "
             f"({len(delivered(cons))} consignments; warm-up deliveries excluded)"]
    for r in transit_by_od(cons).itertuples():
        lines.append(f"  {r.origin} -> {r.destination}: median {r.p50_days:.1f} d, "
                     f"p90 {r.p90_days:.1f} d (n={r.n})")
    b = bottlenecks(mov)
    if len(b):
        top = b.iloc[0]
        lines.append(f"longest waiting: {top['place']} ({top['share']:.0%} of all "
                     f"consignment-hours waited)")
    back = backlog_end(cons, horizon_h)
    lines.append(f"in the system at the end: {back['consignments']} consignments "
                 f"({back['tons'] / 1e3:.1f} kt)")
    return lines
