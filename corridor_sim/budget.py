"""Pre-run resource estimate: how many consignments a scenario will create, and whether
that fits the limits, before any simulation starts.

Expected consignments of a flow = sum over the days of the run (warm-up included) of
``tons_per_year x demand.scale x seasonality[month] / tons_per_unit / 365``, with the
``rates`` in force on each day. Pure functions of the scenario; no simulation.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import numpy as np

from .scenario.models import Scenario

DEFAULT_MAX_CONSIGNMENTS = 20_000_000
BYTES_PER_CONSIGNMENT = 1_000
"""Peak memory per consignment of one run with its tables, in bytes (the 2023 baseline
measures about 650 B; rounded up for plots, Parquet writing and interpreter overhead)."""


@dataclass(frozen=True)
class Budget:
    """Expected size of one replication: consignments (units) and memory (bytes)."""

    consignments: float
    memory_bytes: float
    days: float


def _day_months(start: dt.date, first_day: int, n_days: int) -> np.ndarray:
    """Calendar month index (0 = January) of each day ``first_day + i`` after ``start``."""
    days = np.datetime64(start, "D") + np.arange(first_day, first_day + n_days)
    return (days.astype("datetime64[M]").astype(np.int64) % 12).astype(np.int64)


def expected_by_flow(scenario: Scenario) -> dict[str, float]:
    """Expected number of consignments each flow creates over warm-up plus horizon."""
    first = int(np.floor(-scenario.warmup_days))
    n_days = int(np.ceil(scenario.horizon_days)) - first
    months = _day_months(scenario.start_date, first, n_days)
    day_h = (np.arange(n_days) + first) * 24.0
    span = scenario.horizon_days + scenario.warmup_days
    out = {}
    for flow in scenario.flows:
        per_year = np.full(n_days, float(flow.tons_per_year))
        for r in sorted(flow.rates, key=lambda r: r.from_):
            per_year[day_h >= scenario.hours_since_start(r.from_)] = r.tons_per_year
        season = np.asarray(flow.seasonality.values() if flow.seasonality else [1.0] * 12)
        tons = per_year * season[months] * scenario.demand.scale / 365.0
        units = float(tons.sum()) / flow.tons_per_unit
        out[flow.id] = units * span / n_days if n_days else 0.0  # whole days -> exact span
    return out


def expected_consignments(scenario: Scenario) -> float:
    """Expected number of consignments created over warm-up plus horizon (units)."""
    return float(sum(expected_by_flow(scenario).values()))


def sparse_flows(scenario: Scenario) -> list[str]:
    """A message for each flow expected to create fewer than one consignment over the
    run (it would most likely create none and silently carry nothing)."""
    return [f"flow {fid!r} is expected to create {n:.2g} consignments over the run "
            f"({scenario.warmup_days + scenario.horizon_days:g} days): it will most likely "
            "carry nothing; check tons_per_year and tons_per_unit"
            for fid, n in expected_by_flow(scenario).items() if 0 < n < 1]


def estimate(scenario: Scenario) -> Budget:
    """Expected consignments and peak memory of one replication."""
    n = expected_consignments(scenario)
    return Budget(n, n * BYTES_PER_CONSIGNMENT, scenario.horizon_days + scenario.warmup_days)


def available_memory_bytes() -> float | None:
    """Physical memory currently available (bytes), or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def refusal(budget: Budget, max_consignments: float,
            memory_bytes: float | None = None) -> str | None:
    """Why a run of this size should not start (a message), or None if it fits.

    ``max_consignments`` <= 0 disables both checks."""
    if max_consignments <= 0:
        return None
    size = (f"about {_count(budget.consignments)} consignments over {budget.days:,.0f} "
            f"days (needs roughly {_size(budget.memory_bytes)})")
    if not np.isfinite(budget.consignments) or budget.consignments > max_consignments:
        return (f"scenario would create {size}, more than the limit of "
                f"{max_consignments:,.0f}; shorten horizon_days, lower the demand, or raise "
                "--max-consignments")
    if memory_bytes is not None and budget.memory_bytes > memory_bytes:
        return (f"scenario would create {size}, more than the "
                f"{memory_bytes / 2**30:,.1f} GiB of memory available; shorten "
                "horizon_days or lower the demand")
    return None


def _size(n_bytes: float) -> str:
    """Readable memory size: 40 MiB, 2.5 GiB, 1,234 GiB (never "0 GiB")."""
    if not np.isfinite(n_bytes):
        return "an unbounded amount of memory"
    if n_bytes < 2**30:
        return f"{max(n_bytes / 2**20, 1):,.0f} MiB"
    gib = n_bytes / 2**30
    return f"{gib:,.1f} GiB" if gib < 10 else f"{_count(gib)} GiB"


def _count(x: float) -> str:
    """Readable large number: 12,345,678 or 1.23e+15."""
    return f"{x:,.0f}" if x < 1e12 else f"{x:.3g}"
