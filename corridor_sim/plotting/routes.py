"""Route-choice figures from the ``choices`` table (one row per market box)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import kpis
from .base import Figure, colour_map, date_axis, new_figure
from .economics import CO2E_LABELS, COST_LABELS


def route_shares(choices: pd.DataFrame, start_date: dt.date, title: str = "") -> Figure:
    """Share of each market's TEU choosing each route, per month of creation (stacked);
    one panel per market."""
    t = kpis.route_shares_by_month(choices, start_date)
    markets = sorted(t["market"].unique())
    fig, axes = new_figure(figsize=(10, 1.5 + 3.5 * max(len(markets), 1)),
                           nrows=max(len(markets), 1))
    axes = np.atleast_1d(axes)
    colours = colour_map(sorted(choices["route"].unique()))
    for ax, m in zip(axes, markets):
        wide = t[t["market"] == m].pivot_table(index="month", columns="route",
                                               values="share", fill_value=0.0,
                                               observed=True)
        months = pd.to_datetime(wide.index)
        width = (months + pd.offsets.MonthBegin(1) - months).days.to_numpy() - 3
        bottom = np.zeros(len(wide))
        for route in wide.columns:
            ax.bar(months + pd.Timedelta(days=1), wide[route].to_numpy(), width=width,
                   bottom=bottom, align="edge", label=str(route), color=colours[route])
            bottom += wide[route].to_numpy()
        date_axis(ax)
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"share of {m} TEU")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[0].set_title(title or "Route shares by month of creation (warm-up excluded)")
    return fig


def route_tradeoff(choices: pd.DataFrame, title: str = "") -> Figure:
    """Transit (median days, with p90 whiskers) against cost per TEU for every route of
    every market; the marker's area and label give the CO2e per TEU (well-to-wheel)."""
    t = kpis.route_economics(choices)
    fig, ax = new_figure(figsize=(9, 6))
    colours = colour_map(sorted(t["route"].unique()))
    top = float(t["co2e_kg_per_teu"].max()) if len(t) else 1.0
    for r in t.itertuples():
        ax.errorbar(r.transit_p50_days, r.cost_usd_per_teu,
                    xerr=[[0.0], [r.transit_p90_days - r.transit_p50_days]], fmt="none",
                    ecolor="#8c8c8c", lw=1)
        ax.scatter(r.transit_p50_days, r.cost_usd_per_teu,
                   s=600 * r.co2e_kg_per_teu / top, color=colours[r.route], alpha=0.8,
                   label=f"{r.market}: {r.route}")
        ax.annotate(f"{r.route}\n{r.co2e_kg_per_teu:,.0f} kg CO₂e/TEU",
                    (r.transit_p50_days, r.cost_usd_per_teu), textcoords="offset points",
                    xytext=(8, 8), fontsize=8)
    ax.set_xlabel("transit (days, median; whisker to p90)")
    ax.set_ylabel("cost (USD per TEU)")
    ax.margins(x=0.12, y=0.15)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="lower right", markerscale=0.4)
    ax.set_title(title or "Transit, cost and CO₂e per route (delivered boxes)")
    return fig


# cost kinds (a sea item is sea freight here), CO2e kinds and an abstract route's all-in
KIND_LABELS = {**CO2E_LABELS, **COST_LABELS, "all_in": "all-in (abstract)"}


def route_costs(choices: pd.DataFrame, cons: pd.DataFrame, title: str = "") -> Figure:
    """Cost (USD per TEU) and CO2e (kg per TEU, WTW) of each route of each market,
    stacked by kind (a simulated route's legs by kind; an abstract route all-in)."""
    t = kpis.route_breakdown(choices, cons)
    labels = [f"{m}: {r}" for m, r in t[["market", "route"]].drop_duplicates()
              .itertuples(index=False)]
    fig, (ax1, ax2) = new_figure(figsize=(12, 1.2 + 0.6 * max(len(labels), 2)), ncols=2,
                                 sharey=True)
    kinds = list(dict.fromkeys(t["kind"]))
    colours = colour_map(kinds)
    y = np.arange(len(labels))
    for ax, measure in ((ax1, "cost_usd"), (ax2, "co2e_kg")):
        part = t[t["measure"] == measure]
        wide = part.assign(label=part["market"].astype(str) + ": " + part["route"].astype(str)
                           ).pivot_table(index="label", columns="kind", values="per_teu",
                                         aggfunc="sum", fill_value=0.0).reindex(labels,
                                                                                fill_value=0.0)
        left = np.zeros(len(labels))
        for kind in kinds:
            if kind not in wide or not (wide[kind] > 0).any():
                continue
            label = "sea crossing" if (kind, measure) == ("sea", "co2e_kg") else \
                KIND_LABELS.get(kind, kind)
            ax.barh(y, wide[kind].to_numpy(), left=left, color=colours[kind], label=label)
            left += wide[kind].to_numpy()
        ax.legend(fontsize=8, loc="lower right")
    ax1.set_yticks(y, labels)
    ax1.invert_yaxis()
    ax1.set_xlabel("USD per TEU")
    ax2.set_xlabel("kg CO₂e per TEU (well-to-wheel)")
    fig.suptitle(title or "Cost and emissions per TEU by route, by kind (delivered boxes)")
    return fig
