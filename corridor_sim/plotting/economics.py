"""Cost and CO2e figures from the consignments table (its ``cost_*`` and ``co2e_*``
columns) and from the per-flow item table of :func:`corridor_sim.economics.accounts.item_table`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import kpis
from .base import Figure, colour_map, new_figure, od_label

COST_LABELS = {"rail": "rail tariff", "sea": "sea freight", "handling": "handling",
               "time": "waiting time", "hire": "container hire",
               "empty_return": "empty box return"}
CO2E_LABELS = {"rail_electric": "electric rail", "rail_diesel": "diesel rail",
               "sea": "sea crossing", "hub": "hub operations"}


def _names(scenario) -> dict:
    if scenario is None:
        return {}
    t = kpis.node_table(scenario)
    return dict(zip(t["node"], t["name"]))


def _stacked(ax, labels: list[str], parts: pd.DataFrame, names: dict, colours: dict) -> None:
    y = np.arange(len(labels))
    left = np.zeros(len(labels))
    for col, label in names.items():
        if col not in parts or not np.any(parts[col].to_numpy() > 0):
            continue
        values = parts[col].to_numpy()
        ax.barh(y, values, left=left, label=label, color=colours[col])
        left += values
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.legend(fontsize=8, loc="lower right")


def cost_breakdown(cons: pd.DataFrame, scenario=None, title: str = "") -> Figure | None:
    """Cost (USD per TEU) and CO2e (kg per TEU, well-to-wheel) per origin -> destination,
    stacked by kind, over the consignments delivered after warm-up; None when the table
    has no cost columns (the scenario was not priced)."""
    if not kpis.has_accounts(cons):
        return None
    t = kpis.economics_by_od(cons)
    names = _names(scenario)
    labels = [od_label(o, d, names) for o, d in zip(t["origin"], t["destination"])]
    fig, (ax1, ax2) = new_figure(figsize=(12, 1.2 + 0.55 * max(len(t), 2)), ncols=2,
                                 sharey=True)
    cost = {f"cost_{k}_usd_per_teu": v for k, v in COST_LABELS.items()}
    co2e = {f"co2e_{k}_kg_per_teu": v for k, v in CO2E_LABELS.items()}
    _stacked(ax1, labels, t, cost, colour_map(cost))
    _stacked(ax2, labels, t, co2e, colour_map(co2e))
    ax1.set_xlabel("USD per TEU")
    ax2.set_xlabel("kg CO₂e per TEU (well-to-wheel)")
    fig.suptitle(title or "Cost and emissions per TEU by origin → destination "
                 "(delivered after warm-up)")
    return fig


def route_breakdown(items: pd.DataFrame, flow: str, value: str = "cost_usd",
                    title: str = "") -> Figure:
    """One consignment's ``value`` (``cost_usd``, ``co2e_kg`` or ``co2e_ttw_kg``) item by
    item along the route of ``flow``, from :func:`corridor_sim.economics.accounts.item_table`."""
    rows = items[items["flow"] == flow]
    by_place = rows.groupby("place", sort=False)[value].sum()
    by_place = by_place[by_place > 0]
    fig, ax = new_figure(figsize=(10, 1.2 + 0.3 * max(len(by_place), 2)))
    ax.barh(np.arange(len(by_place)), by_place.to_numpy(), color="#4c72b0")
    ax.set_yticks(np.arange(len(by_place)), [p.replace("_", " ") for p in by_place.index])
    ax.invert_yaxis()
    unit = "USD" if value.endswith("usd") else "kg CO₂e"
    ax.set_xlabel(f"{unit} per consignment")
    ax.set_title(title or f"{value} of one consignment of {flow} by leg and node "
                 f"(total {by_place.sum():,.0f} {unit})")
    return fig
