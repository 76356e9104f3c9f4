"""KPIs by service class (block trains, regular traffic) and direction."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .basics import delivered, scenario_dict
from .directions import DIRECTIONS
from .memo import shared

CLASSES = ("block", "regular")


def flow_classes(scenario) -> dict[str, str]:
    """Service class of each flow id: ``block`` (``service: block`` or ``priority: true``:
    booked block trains and ferry slots) or ``regular``."""
    return {f["id"]: f.get("service") or ("block" if f.get("priority") else "regular")
            for f in scenario_dict(scenario).get("flows", [])}


def service_of(cons: pd.DataFrame, scenario=None) -> np.ndarray:
    """The service class of each consignment: its ``service`` column, or for tables
    written before there was one, its flow's class in ``scenario`` (regular if unknown)."""
    if "service" in cons:
        return cons["service"].astype(str).to_numpy(dtype=object)
    classes = flow_classes(scenario) if scenario is not None else {}
    flow = cons["flow"]
    if isinstance(flow.dtype, pd.CategoricalDtype):  # one look-up per flow, not per row
        per_flow = np.array([classes.get(str(f), "regular") for f in flow.cat.categories]
                            + ["regular"], dtype=object)
        return per_flow[flow.cat.codes.to_numpy()]  # code -1 (missing): the last entry
    return flow.astype(str).map(classes).fillna("regular").to_numpy(dtype=object)


@shared
def transit_by_class(cons: pd.DataFrame, scenario=None) -> pd.DataFrame:
    """Door-to-door transit per service class and direction of the consignments
    delivered after warm-up: ``service``, ``direction``, ``n`` delivered (per replication
    on average when there are several), ``mean_days``, ``p50_days``, ``p90_days``
    (pooled; NaN when none was delivered). Every class-direction pair that has cargo in
    the table is listed, block first, westbound first."""
    cols = ["service", "direction", "n", "mean_days", "p50_days", "p90_days"]
    if "direction" not in cons or cons.empty:
        return pd.DataFrame(columns=cols)
    keep = [c for c in ("replication", "direction", "delivered_h", "transit_h") if c in cons]
    cons = cons[keep].assign(service=service_of(cons, scenario))
    d = delivered(cons)
    reps = cons["replication"].nunique() if "replication" in cons else 1
    by = ["service", "direction"]
    present = {(s, str(w)) for s, w in cons.groupby(by, observed=True).size().index}
    rows_of = {(s, str(w)): i for (s, w), i in d.groupby(by, observed=True).indices.items()}
    transit = d["transit_h"]
    rows = []
    for cls in CLASSES:
        for way in DIRECTIONS:
            if (cls, way) not in present:
                continue
            # the delivered rows of the pair, in table order
            days = transit.iloc[rows_of.get((cls, way), [])] / 24.0
            rows.append((cls, way, len(days) / max(reps, 1), days.mean(), days.median(),
                         days.quantile(0.9)))
    return pd.DataFrame(rows, columns=cols)


def class_kpi_rows(cons: pd.DataFrame, scenario=None) -> list[tuple]:
    """KPI rows of transit per class and direction: ``transit_{mean,p50,p90}_days`` with
    group ``class:<service>:<direction>`` (only the pairs that carried cargo)."""
    rows = []
    for r in transit_by_class(cons, scenario).itertuples():
        for stat in ("mean", "p50", "p90"):
            rows.append((f"transit_{stat}_days", f"class:{r.service}:{r.direction}",
                         float(getattr(r, f"{stat}_days")), "d"))
    return rows


def class_lines(cons: pd.DataFrame, scenario=None) -> list[str]:
    """One line per service class and direction: median and p90 transit (days) and the
    consignments delivered, e.g. ``regular westbound: median 16.2 d, p90 21.0 d (n=830)``."""
    return [f"{r.service} {r.direction}: " + (
        f"median {r.p50_days:.1f} d, p90 {r.p90_days:.1f} d (n={r.n:,.0f})" if r.n else
        "nothing delivered") for r in transit_by_class(cons, scenario).itertuples()]
