"""Transit between any two nodes of a route, from the itinerary table.

A consignment's time from node ``a`` to node ``b`` runs from its arrival at ``a`` (its
creation when ``a`` is its origin) to its arrival at ``b``, or to its delivery when ``b``
is its destination (unloaded and handed over, as door-to-door transit counts it). Only
consignments that passed ``a`` before ``b`` and reached ``b`` after warm-up count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .basics import delivered, scenario_dict
from .memo import shared


def leg_transit_h(itin: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Hours from ``a`` to ``b`` (node ids) per consignment that passed both in that
    order and reached ``b`` at or after hour 0: the key columns (``replication``,
    ``consignment_id``) and ``hours``."""
    replicated = "replication" in itin
    # one integer key per consignment (replication in the high bits): joining on it is
    # two to three times faster than on the two columns
    key = itin["consignment_id"].to_numpy().astype(np.int64)
    if replicated:
        key = key | (itin["replication"].to_numpy().astype(np.int64) << 32)
    seq, arrived = itin["seq"].to_numpy(), itin["arrived_h"].to_numpy()
    at_a = (itin["node"] == a).to_numpy()
    at_b = (itin["node"] == b).to_numpy()
    # at its destination (no batch to leave on, yet gone) a consignment counts when delivered
    departed = itin["departed_h"].to_numpy()[at_b]
    end = (itin["batch_id"].to_numpy()[at_b] < 0) & ~np.isnan(departed)
    both = pd.DataFrame({"k": key[at_a], "seq_a": seq[at_a], "arrived_h": arrived[at_a]}).merge(
        pd.DataFrame({"k": key[at_b], "seq_b": seq[at_b],
                      "reach_h": np.where(end, departed, arrived[at_b])}), on="k")
    both = both[(both["seq_a"] < both["seq_b"]) & (both["reach_h"] >= 0)]
    k = both["k"].to_numpy()
    out = {"consignment_id": (k & 0xFFFFFFFF).astype(itin["consignment_id"].dtype)}
    if replicated:
        out = {"replication": (k >> 32).astype(itin["replication"].dtype), **out}
    return pd.DataFrame(out, index=both.index).assign(
        hours=(both["reach_h"] - both["arrived_h"]).to_numpy())


def od_pairs(cons: pd.DataFrame) -> set[tuple[str, str]]:
    """The origin -> destination pairs of the consignments."""
    pairs = cons[["origin", "destination"]].drop_duplicates()
    return set(zip(pairs["origin"].astype(str), pairs["destination"].astype(str)))


@shared
def transit_between(cons: pd.DataFrame, itin: pd.DataFrame | None, a: str,
                    b: str) -> pd.Series:
    """Transit days from node ``a`` to node ``b``. For an origin -> destination pair of
    the consignments: door-to-door transit of the consignments shipped between them
    (delivered after warm-up). For any other pair: :func:`leg_transit_h` over all
    consignments passing ``a`` then ``b`` (needs the itinerary table)."""
    if (a, b) in od_pairs(cons):
        d = delivered(cons, ("origin", "destination", "transit_h"))
        sel = (d["origin"] == a) & (d["destination"] == b)
        return (d.loc[sel, "transit_h"] / 24.0).rename("transit_days").reset_index(drop=True)
    if itin is None:
        raise ValueError(f"{a} -> {b} is not an origin -> destination pair and this run has "
                         "no itinerary table (outputs.itinerary was off)")
    return (leg_transit_h(itin, a, b)["hours"] / 24.0).rename("transit_days") \
        .reset_index(drop=True)


def legs_table(cons: pd.DataFrame, itin: pd.DataFrame | None,
               pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """Transit days for chosen pairs of nodes: ``from``, ``to``, n, mean, p10, p50, p90
    (days; rows with n 0 when no consignment passed both)."""
    rows = []
    for a, b in pairs:
        days = transit_between(cons, itin, a, b)
        rows.append({"from": a, "to": b, "n": len(days), "mean_days": days.mean(),
                     "p10_days": days.quantile(0.10), "p50_days": days.median(),
                     "p90_days": days.quantile(0.90)})
    return pd.DataFrame(rows, columns=["from", "to", "n", "mean_days", "p10_days",
                                       "p50_days", "p90_days"])


def legs_of_interest(scenario) -> list[tuple[str, str]]:
    """The scenario's ``report.legs_of_interest`` (a Scenario or its dict)."""
    report = scenario_dict(scenario).get("report") or {}
    return [(str(a), str(b)) for a, b in report.get("legs_of_interest") or []]


def legs_lines(tables: dict[str, pd.DataFrame], scenario) -> list[str]:
    """Summary lines for the scenario's legs of interest (none when it names none)."""
    pairs = legs_of_interest(scenario)
    if not pairs:
        return []
    lines = ["transit between chosen nodes:"]
    for a, b in pairs:
        try:
            days = transit_between(tables["consignments"], tables.get("itinerary"), a, b)
        except ValueError as exc:
            lines.append(f"  {a} -> {b}: {exc}")
            continue
        what = "no consignment passed both" if len(days) == 0 else \
            f"median {days.median():.1f} d, p90 {days.quantile(0.9):.1f} d (n={len(days):,})"
        lines.append(f"  {a} -> {b}: {what}")
    return lines
