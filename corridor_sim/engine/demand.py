"""Consignment arrivals per flow, drawn up front as arrays (no event per consignment)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..units import HOURS_PER_YEAR


def _month_edges(start: dt.date, t0_h: float, t1_h: float) -> list[float]:
    """Hours (since ``start``) of every month boundary inside [t0_h, t1_h], plus the ends."""
    origin = dt.datetime.combine(start, dt.time())
    first = origin + dt.timedelta(hours=t0_h)
    month = dt.datetime(first.year, first.month, 1)
    edges = [t0_h]
    while True:
        month = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
        h = (month - origin).total_seconds() / 3600.0
        if h >= t1_h:
            break
        edges.append(h)
    edges.append(t1_h)
    return edges


def rate_pieces(flow, scenario, t0_h: float, t1_h: float) -> list[tuple[float, float, float]]:
    """Piecewise-constant demand: (start_h, end_h, tons_per_hour) covering [t0_h, t1_h)."""
    start = scenario.start_date
    changes = sorted((scenario.hours_since_start(r.from_), r.tons_per_year) for r in flow.rates)
    cuts = sorted({*_month_edges(start, t0_h, t1_h), *(h for h, _ in changes if t0_h < h < t1_h)})
    season = flow.seasonality.values() if flow.seasonality else [1.0] * 12
    origin = dt.datetime.combine(start, dt.time())
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        tons_per_year = flow.tons_per_year
        for h, value in changes:
            if h <= a:
                tons_per_year = value
        month = (origin + dt.timedelta(hours=a)).month - 1
        rate = tons_per_year * scenario.demand.scale * season[month] / HOURS_PER_YEAR
        pieces.append((a, b, rate))
    return pieces


def arrival_times(flow, scenario, t0_h: float, t1_h: float,
                  rng: np.random.Generator) -> np.ndarray:
    """Creation times (hours, sorted) of each consignment of ``flow`` in [t0_h, t1_h).

    Poisson arrivals of blocks of ``block_units`` units (a non-homogeneous Poisson process
    with piecewise-constant rate), or evenly spaced blocks for ``arrivals: schedule``.
    """
    block = flow.block_units
    tons_per_block = flow.tons_per_unit * block
    times = []
    expected = 0.0  # expected blocks so far (schedules place one at each k + 0.5)
    for a, b, tons_per_h in rate_pieces(flow, scenario, t0_h, t1_h):
        blocks_per_h = tons_per_h / tons_per_block
        if blocks_per_h <= 0:
            continue
        if flow.arrivals == "poisson":
            n = rng.poisson(blocks_per_h * (b - a))
            times.append(np.sort(rng.uniform(a, b, n)))
        else:
            end = expected + blocks_per_h * (b - a)
            k = np.arange(np.ceil(expected - 0.5), np.ceil(end - 0.5)) + 0.5
            times.append(a + (k - expected) / blocks_per_h)
            expected = end
    out = np.concatenate(times) if times else np.empty(0)
    return np.repeat(out, block)


def background_times(bg, scenario, t0_h: float, t1_h: float,
                     rng: np.random.Generator) -> np.ndarray:
    """Arrival times (hours, sorted) of a service's background traffic ``bg`` in
    [t0_h, t1_h): a Poisson process of ``units_per_day`` times the month's seasonality."""
    season = bg.seasonality.values() if bg.seasonality else [1.0] * 12
    origin = dt.datetime.combine(scenario.start_date, dt.time())
    edges = _month_edges(scenario.start_date, t0_h, t1_h)
    times = []
    for a, b in zip(edges, edges[1:]):
        month = (origin + dt.timedelta(hours=a)).month - 1
        n = rng.poisson(bg.units_per_day * season[month] * (b - a) / 24.0)
        times.append(rng.uniform(a, b, n))
    return np.sort(np.concatenate(times)) if times else np.empty(0)
