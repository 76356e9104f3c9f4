"""The headline KPI table of a run and its short text summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from ..categories import CATEGORIES
from .backlog import backlog_trend
from .basics import (
    delivered,
    hours_of,
    tons_delivered,
    warmup_deliveries,
)
from .classes import class_kpi_rows, class_lines, service_of
from .delays import backlog_end, bottlenecks
from .directions import deck_use, throughput_by_direction
from .economics import economics_by_od, has_accounts
from .fleets import FLEET_KPIS, fleet_kpi_rows, fleet_lines
from .flows import demand_balance, transit_by_od
from .names import group_name, od_name, place_name
from .routes import route_kpi_rows, route_shares
from .utilisation import utilisation


def kpi_table(tables: Mapping[str, pd.DataFrame], start_date: dt.date, horizon_h: float,
              scenario=None, only: Collection[str | tuple[str, str]] | None = None,
              ) -> pd.DataFrame:
    """The headline KPIs of one replication as a tidy table: kpi, group, value, unit.

    With ``scenario`` (a Scenario or its dict) the table also holds the utilisation (busy
    time, 0-1) of every node, line, port's berths, sea service's fleet and fleet of
    wagons, platforms or containers (group ``stock:<fleet>``), and the load factor of lines
    and sea services (:mod:`corridor_sim.kpis.utilisation`).

    ``only``: the KPIs wanted (e.g. the ones calibration targets compare), each a name or
    a ``(name, group)`` pair; the rows of other KPIs are neither computed nor returned,
    and a table the wanted KPIs do not read is not looked up in ``tables`` (a mapping
    that builds tables on first access builds only those). The rows returned are those
    of the full table with these names (or pairs), in the same order.
    """
    names = _names_of(only)
    pairs = set() if only is None else {tuple(k) for k in only if not isinstance(k, str)}

    def want(*wanted: str) -> bool:
        return names is None or any(n in names for n in wanted)

    # per-class rows only where a class group is wanted (or a KPI by name alone)
    by_class = names is None or any(isinstance(k, str) for k in only) or any(
        g.startswith("class:") for _, g in pairs)

    cons = tables["consignments"]
    mov = tables["movements"] if want(*MOVEMENT_KPIS) else None
    d = delivered(cons, ("flow", "teu", "tons", *(f"{c}_h" for c in CATEGORIES))) \
        if want("tons_delivered", "teu_delivered", *DELAY_KPIS) else None
    rows = []
    if want("tons_delivered", "teu_delivered"):
        rows += [("tons_delivered", "all", tons_delivered(cons, 0.0, horizon_h), "t"),
                 ("teu_delivered", "all", float(d["teu"].sum()), "TEU")]
    jan1 = dt.date(start_date.year, 1, 1)
    if jan1 == start_date and want("tons_delivered_jan_sep"):
        sep30 = hours_of(start_date, dt.date(start_date.year, 10, 1))
        if sep30 <= horizon_h:
            rows.append(("tons_delivered_jan_sep", "all", tons_delivered(cons, 0.0, sep30), "t"))
    if want("tons_delivered"):
        for flow, t in d.groupby("flow", observed=True)["tons"].sum().items():
            rows.append(("tons_delivered", f"flow:{flow}", float(t), "t"))
        for r in throughput_by_direction(cons, 0.0, horizon_h).itertuples():
            rows.append(("tons_delivered", f"direction:{r.direction}", float(r.tons), "t"))
    if want("warmup_tons_delivered"):
        warm = warmup_deliveries(cons)
        rows.append(("warmup_tons_delivered", "all", warm["tons"], "t"))
    if want("tons_offered", "undelivered_share_end"):
        for r in demand_balance(cons, horizon_h).itertuples():
            group = "all" if r.flow == "all" else f"flow:{r.flow}"
            rows.append(("tons_offered", group, float(r.offered_t), "t"))
            rows.append(("undelivered_share_end", group, float(r.undelivered_share),
                         "fraction"))
    if want(*TRANSIT_KPIS):
        for r in transit_by_od(cons).itertuples():
            od = f"{r.origin}->{r.destination}"
            for stat in ("mean", "p10", "p50", "p90", "max"):
                rows.append((f"transit_{stat}_days", od, float(getattr(r, f"{stat}_days")),
                             "d"))
            if hasattr(r, "trip_p50_days"):
                rows.append(("trip_p50_days", od, float(r.trip_p50_days), "d"))
    if has_accounts(cons) and want("cost_usd_per_teu", "co2e_kg_per_teu",
                                   "co2e_ttw_kg_per_teu"):
        for r in economics_by_od(cons).itertuples():
            od = f"{r.origin}->{r.destination}"
            rows.append(("cost_usd_per_teu", od, float(r.cost_usd_per_teu), "USD/TEU"))
            rows.append(("co2e_kg_per_teu", od, float(r.co2e_kg_per_teu), "kg/TEU"))
            rows.append(("co2e_ttw_kg_per_teu", od, float(r.co2e_ttw_kg_per_teu), "kg/TEU"))
    if want(*ROUTE_KPIS) and tables.get("choices") is not None:
        rows += route_kpi_rows(tables["choices"], horizon_h)
    if want(*FLEET_KPIS) and tables.get("fleets") is not None:
        rows += fleet_kpi_rows(tables["fleets"])
    if want(*DELAY_KPIS):
        for c in CATEGORIES:
            rows.append((f"delay_{c}_h", "all",
                         float(d[f"{c}_h"].mean()) if len(d) else np.nan, "h"))
    if want("backlog_end_consignments", "backlog_end_tons"):
        back = backlog_end(cons, horizon_h)
        rows.append(("backlog_end_consignments", "all", float(back["consignments"]),
                     "units"))
        rows.append(("backlog_end_tons", "all", back["tons"], "t"))
    if want("backlog_growing"):
        growing = backlog_trend(cons, horizon_h)[-1]
        rows.append(("backlog_growing", "all", float(growing), "fraction"))
    if want("wait_share"):
        for r in bottlenecks(mov).itertuples():  # every place: replications share rows
            rows.append(("wait_share", f"place:{r.place}", float(r.share), "fraction"))
    if scenario is not None and want("deck_load_factor"):
        for r in deck_use(mov, scenario).itertuples():
            rows.append(("deck_load_factor", f"service:{r.service}:{r.way}",
                         float(r.load_factor), "fraction"))
    if scenario is not None:
        if want(*CLASS_KPIS) and by_class:
            rows += _class_rows(cons, scenario, horizon_h)
        if want("utilisation", "load_factor"):
            fleets = tables.get("fleets") if want("utilisation") else None
            for r in utilisation(mov, scenario, 0.0, horizon_h, fleets=fleets).itertuples():
                rows.append(("utilisation", f"{r.kind}:{r.resource}", float(r.utilisation),
                             "fraction"))
                if r.kind in ("line", "fleet"):
                    rows.append(("load_factor", f"{r.kind}:{r.resource}",
                                 float(r.load_factor), "fraction"))
    table = pd.DataFrame(rows, columns=["kpi", "group", "value", "unit"])
    if only is not None:
        keep = [k in only or (k, g) in pairs for k, g in zip(table["kpi"], table["group"])]
        table = table[np.array(keep, dtype=bool)].reset_index(drop=True)
    return table


# The KPI names each part of the table produces (for ``kpi_table(only=...)``).
TRANSIT_KPIS = (*(f"transit_{s}_days" for s in ("mean", "p10", "p50", "p90", "max")),
                "trip_p50_days")
DELAY_KPIS = tuple(f"delay_{c}_h" for c in CATEGORIES)
ROUTE_KPIS = ("route_share", "route_cost_usd_per_teu", "route_co2e_kg_per_teu",
              "route_transit_p50_days")
CLASS_KPIS = ("tons_delivered", "transit_mean_days", "transit_p50_days",
              "transit_p90_days", "undelivered_share_end")
MOVEMENT_KPIS = ("wait_share", "deck_load_factor", "utilisation", "load_factor")


# The consignments columns every KPI may read; the delay breakdown (DELAY_KPIS), the trip
# ends (trip_p50_days) and cost and CO2e are read only by the KPIs named in
# :func:`consignment_columns`.
CONSIGNMENT_BASE = ("consignment_id", "flow", "origin", "destination", "direction",
                    "service", "unit", "teu", "tons", "created_h", "delivered_h",
                    "transit_h", "warmup")
ECONOMY_KPIS = ("cost_usd_per_teu", "co2e_kg_per_teu", "co2e_ttw_kg_per_teu")


def consignment_columns(only: Collection[str | tuple[str, str]] | None
                        ) -> frozenset[str] | None:
    """The columns of the consignments table that :func:`kpi_table` reads to compute the
    KPIs ``only`` (names or ``(name, group)`` pairs, as there); None: every column
    (``only`` is None, or a KPI reads a table built from the whole consignments table)."""
    names = _names_of(only)
    if names is None or names & {*ROUTE_KPIS, *ECONOMY_KPIS}:
        return None
    cols = set(CONSIGNMENT_BASE)
    if "trip_p50_days" in names:
        cols |= {"departed_h", "arrived_h"}
    if names & set(DELAY_KPIS):
        cols |= {f"{c}_h" for c in CATEGORIES}
    return frozenset(cols)


def _names_of(only: Collection[str | tuple[str, str]] | None) -> set[str] | None:
    """The KPI names in ``only`` (names or ``(name, group)`` pairs); None for all."""
    return None if only is None else {k if isinstance(k, str) else k[0] for k in only}


def _class_rows(cons: pd.DataFrame, scenario, horizon_h: float) -> list[tuple]:
    """Headline KPIs per service class (group ``class:block`` / ``class:regular``): tons
    delivered, transit mean/p50/p90 days and the share undelivered at the end; then
    transit per class and direction (group ``class:<service>:<direction>``)."""
    cls = service_of(cons, scenario)
    needed = [c for c in ("replication", "flow", "tons", "created_h", "delivered_h",
                          "transit_h") if c in cons.columns]
    rows = []
    for c in sorted(set(cls)):
        part = cons.loc[cls == c, needed]
        d = delivered(part)
        days = d["transit_h"] / 24.0
        group = f"class:{c}"
        rows.append(("tons_delivered", group, tons_delivered(part, 0.0, horizon_h), "t"))
        for stat, value in (("mean", days.mean()), ("p50", days.median()),
                            ("p90", days.quantile(0.9))):
            rows.append((f"transit_{stat}_days", group,
                         float(value) if len(d) else np.nan, "d"))
        share = demand_balance(part, horizon_h).set_index("flow").loc["all",
                                                                        "undelivered_share"]
        rows.append(("undelivered_share_end", group, float(share), "fraction"))
    return rows + class_kpi_rows(cons, scenario)


def summary_lines(tables: dict[str, pd.DataFrame], start_date: dt.date,
                  horizon_h: float, scenario=None) -> list[str]:
    """A short human summary of a run (places by name when ``scenario`` is given)."""
    cons, mov = tables["consignments"], tables["movements"]
    warm = warmup_deliveries(cons)
    lines = [f"tons delivered: {tons_delivered(cons, 0.0, horizon_h) / 1e6:.3f} Mt "
             f"({len(delivered(cons)):,} consignments; {warm['tons'] / 1e3:.1f} kt delivered "
             "during warm-up not counted)"]
    both = throughput_by_direction(cons, 0.0, horizon_h).set_index("direction")["tons"]
    if both.get("eastbound", 0) > 0:
        lines.append(f"  westbound {both['westbound'] / 1e6:.3f} Mt, eastbound "
                     f"{both['eastbound'] / 1e6:.3f} Mt")
    for r in transit_by_od(cons).itertuples():
        lines.append(f"  {od_name(r.origin, r.destination, scenario)}: median "
                     f"{r.p50_days:.1f} d, "
                     f"p90 {r.p90_days:.1f} d (n={r.n:,.0f})")
    lines += [f"  {line}" for line in class_lines(cons, scenario)]
    if tables.get("fleets") is not None:
        lines += ["fleets:", *(f"  {line}" for line in fleet_lines(tables["fleets"]))]
    b = bottlenecks(mov)
    if len(b):
        top = b.iloc[0]
        lines.append(f"longest waiting: {place_name(top['place'], scenario)} "
                     f"({top['share']:.0%} of all "
                     f"consignment-hours waited)")
    if tables.get("choices") is not None and len(tables["choices"]):
        for market, g in route_shares(tables["choices"], 0.0, horizon_h).groupby("market"):
            parts = ", ".join(f"{r.route} {r.share:.1%}" for r in g.itertuples())
            lines.append(f"route shares of {market}: {parts}")
    back = backlog_end(cons, horizon_h)
    lines.append(f"in the system at the end: {back['consignments']:,.0f} consignments "
                 f"({back['tons'] / 1e3:.1f} kt)")
    return lines


def ci_summary_lines(summary: pd.DataFrame, scenario=None) -> list[str]:
    """A short human summary of a KPI summary table (means with 95 % intervals; places
    by name when ``scenario`` is given)."""
    def _ci(r, scale=1.0, fmt="{:.1f}", unit=""):
        text = f"{fmt.format(r.mean * scale)}{unit}"
        if pd.isna(r.ci_low):
            return text
        return f"{text} (95 % CI {fmt.format(r.ci_low * scale)}–{fmt.format(r.ci_high * scale)})"

    lines = []
    tons = summary[(summary["kpi"] == "tons_delivered") & (summary["group"] == "all")]
    for r in tons.itertuples():
        lines.append(f"tons delivered: {_ci(r, 1e-6, '{:.3f}', ' Mt')}, mean of n={r.n}")
    # origin -> destination pairs in order (one delivered in some replications only comes
    # last in the table), then the service classes; a mean over fewer replications says so
    transit = summary[summary["kpi"] == "transit_p50_days"]
    pairs = transit["group"].str.contains("->", regex=False)
    every = int(summary["n"].max()) if len(summary) else 0
    for r in pd.concat([transit[pairs].sort_values("group", kind="stable"),
                        transit[~pairs]]).itertuples():
        some = f", in {int(r.n)} of {every} replications" if r.n < every else ""
        lines.append(f"  {group_name(r.group, scenario)}: median {_ci(r, unit=' d')}{some}")
    waits = summary[summary["kpi"] == "wait_share"].sort_values("mean", ascending=False)
    for r in waits.head(1).itertuples():
        lines.append(f"longest waiting: {group_name(r.group, scenario)}, "
                     f"{_ci(r, 100, '{:.0f}', ' %')} of consignment-hours waited")
    for r in summary[summary["kpi"] == "backlog_end_tons"].itertuples():
        lines.append(f"in the system at the end: {_ci(r, 1e-3, unit=' kt')}")
    for r in summary[summary["kpi"] == "backlog_growing"].itertuples():
        if r.mean > 0:
            lines.append(f"OVERLOADED: the backlog grows in {round(r.mean * r.n)} of {r.n} "
                         "replications (see kpis.csv, backlog_growing)")
    return lines
