"""Fleets of wagons, platforms and containers over time: per fleet, the units idle at
the depots, in use (with cargo or on a train) and running empty back, as stacked areas
(daily means of the step series in the ``resources`` table, over replications)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import kpis
from .base import Figure, new_figure

PARTS = (("units_in_use", "in use", "#4c72b0"), ("units_empty", "running empty", "#dd8452"),
         ("units_idle", "idle at depots", "#c8c8c8"))


def fleets(resources: pd.DataFrame, fleets_table: pd.DataFrame, scenario,
           *, figsize=None) -> Figure:
    """One panel per fleet: units in use, running empty and idle per day of the run."""
    summary = kpis.fleet_summary(fleets_table)
    end_h = kpis.horizon_h(scenario)
    n = max(len(summary), 1)
    fig, axes = new_figure(figsize=figsize or (11, 2.2 * n + 0.6), nrows=n, sharex=True)
    axes = np.atleast_1d(axes)
    for ax, r in zip(axes, summary.itertuples()):
        mine = resources[resources["resource"] == r.fleet]
        stacks = [kpis.resource_series(mine, m, end_h)[r.fleet] for m, _, _ in PARTS]
        ax.stackplot(stacks[0].index / 24.0, *stacks, colors=[c for *_, c in PARTS],
                     labels=[label for _, label, _ in PARTS])
        ax.set_ylim(0, r.size * 1.02)
        ax.set_ylabel(f"{r.unit}s")
        ax.set_title(f"{r.fleet} ({r.kind}, {r.size:,.0f}): turnaround "
                     f"{r.turnaround_days:.1f} d", fontsize=10, loc="left")
    axes[0].legend(loc="upper right", ncol=3, frameon=False, fontsize=8)
    axes[-1].set_xlabel("day of the run")
    return fig
