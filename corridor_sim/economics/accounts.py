"""Cost and CO2e per consignment, from the scenario and the consignments table.

Each consignment is charged its flow's route items (:mod:`.items`; dated sea freight by
its creation time) plus the time cost of every hour of its transit that is not moving
(the delay columns ``consolidation_h`` ... ``disruption_h``, as far as it got). Costs are
for the whole route, also for consignments not yet delivered at the end of the run (KPIs
count delivered ones only).

Columns (appended to the consignments table): ``cost_<kind>_usd`` for each of
:data:`COST_KINDS` and their sum ``cost_usd``; ``co2e_<kind>_kg`` (WTW) for each of
:data:`CO2E_KINDS` and their sum ``co2e_kg``; ``co2e_ttw_kg`` (tank-to-wheel). Each total
is the sum of its parts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..categories import DELAY_CATEGORIES
from .items import CO2E_KINDS, COST_KINDS, Item, flow_items

DELAY_COLUMNS = tuple(f"{c}_h" for c in DELAY_CATEGORIES)
COST_COLUMNS = tuple(f"cost_{k}_usd" for k in COST_KINDS)
CO2E_COLUMNS = tuple(f"co2e_{k}_kg" for k in CO2E_KINDS)
COLUMNS = (*COST_COLUMNS, "cost_usd", *CO2E_COLUMNS, "co2e_kg", "co2e_ttw_kg")


def waiting_days(cons: pd.DataFrame) -> np.ndarray:
    """Days each consignment spent not moving (the sum of its delay columns)."""
    hours = np.zeros(len(cons))
    for col in DELAY_COLUMNS:
        hours = hours + cons[col].to_numpy(dtype=float)
    return hours / 24.0


def consignment_accounts(scenario, cons: pd.DataFrame) -> pd.DataFrame:
    """Cost (USD) and CO2e (kg) of each consignment of ``cons`` (a consignments table of
    a run of ``scenario``), by kind and in total; same index as ``cons``."""
    n = len(cons)
    cost = {k: np.zeros(n) for k in COST_KINDS}
    co2e = {k: np.zeros(n) for k in CO2E_KINDS}
    ttw = np.zeros(n)
    rows = _rows_by_flow(cons["flow"], [f.id for f in scenario.flows])
    created = cons["created_h"].to_numpy(dtype=float)
    for f, sel in zip(scenario.flows, rows):
        if not len(sel):
            continue
        # a flow's items summed in route order, as one value per kind (an array where
        # freight is dated), then written to its consignments once
        usd: dict[str, float | np.ndarray] = {}
        kg: dict[str, float] = {}
        ttw_kg = 0.0
        for item in flow_items(scenario, f):
            part = item.usd_at(created[sel]) if item.rate_hours else item.usd
            usd[item.cost_kind] = usd.get(item.cost_kind, 0.0) + part
            if item.co2e_kind is not None:
                kg[item.co2e_kind] = kg.get(item.co2e_kind, 0.0) + item.wtw_kg
                ttw_kg = ttw_kg + item.ttw_kg
        for k, v in usd.items():
            cost[k][sel] = v
        for k, v in kg.items():
            co2e[k][sel] = v
        ttw[sel] = ttw_kg
    eco = scenario.economics
    cost["time"] = eco.time_usd_per_teu_day * cons["teu"].to_numpy(dtype=float) * \
        waiting_days(cons)
    columns = {f"cost_{k}_usd": cost[k] for k in COST_KINDS}
    columns["cost_usd"] = _total(cost[k] for k in COST_KINDS)
    columns.update({f"co2e_{k}_kg": co2e[k] for k in CO2E_KINDS})
    columns["co2e_kg"] = _total(co2e[k] for k in CO2E_KINDS)
    columns["co2e_ttw_kg"] = ttw
    return pd.DataFrame(columns, index=cons.index, copy=False)  # the arrays, not copies


def _rows_by_flow(flow: pd.Series, ids: list[str]) -> list[np.ndarray]:
    """Positions of the rows of each flow id of ``ids`` in the column ``flow`` (compared
    as integer codes, not string by string)."""
    if isinstance(flow.dtype, pd.CategoricalDtype):
        codes = flow.cat.codes.to_numpy()
        cats = {str(c): i for i, c in enumerate(flow.cat.categories)}
    else:
        codes, uniques = pd.factorize(flow.astype(str).to_numpy())
        cats = {u: i for i, u in enumerate(uniques)}
    return [np.flatnonzero(codes == cats[i]) if i in cats else np.empty(0, dtype=np.int64)
            for i in ids]


def _total(parts) -> np.ndarray:
    """Sum of the parts, left to right (so re-adding the columns in order gives the total
    to the last bit)."""
    total = None
    for p in parts:
        total = p.copy() if total is None else total + p
    return total


def item_table(scenario, at_h: float = 0.0) -> pd.DataFrame:
    """Per flow, the cost and CO2e of one consignment item by item along its route (leg,
    crossing, node, container hire or empty return) for a consignment created at ``at_h``
    (hours since the start date): flow, order, place, cost_kind, co2e_kind, cost_usd,
    co2e_kg (WTW), co2e_ttw_kg. Without the waiting-time cost, which depends on the run."""
    rows = []
    for f in scenario.flows:
        items: list[Item] = flow_items(scenario, f)
        for i, it in enumerate(items):
            rows.append((f.id, i, it.place, it.cost_kind, it.co2e_kind,
                         float(it.usd_at(np.array([at_h]))[0]), it.wtw_kg, it.ttw_kg))
    return pd.DataFrame(rows, columns=["flow", "order", "place", "cost_kind", "co2e_kind",
                                       "cost_usd", "co2e_kg", "co2e_ttw_kg"])
