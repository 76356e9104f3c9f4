"""Consignment arrivals per flow, drawn up front as arrays (no event per consignment)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..economics.choice import choice_shares, pick
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


# -- markets: demand that chooses its route at creation ----------------------------------

@dataclass(frozen=True)
class _MarketStream:
    """The arrival parameters of a market, in the shape :func:`arrival_times` reads."""

    tons_per_year: float
    tons_per_unit: float
    rates: tuple = ()
    seasonality: None = None
    arrivals: str = "poisson"
    block_units: int = 1


def market_units(scenario, market_id: str, t0_h: float, t1_h: float,
                 streams) -> tuple[np.ndarray, np.ndarray]:
    """Creation times (hours, sorted) of the consignments of market ``market_id`` in
    [t0_h, t1_h) and the uniform number in [0, 1) each draws its route with (streams
    ``market:<id>:arrivals`` and ``market:<id>:choice``)."""
    m = scenario.markets[market_id]
    spec = _MarketStream(m.tons_per_year, m.tons_per_unit)
    times = arrival_times(spec, scenario, t0_h, t1_h,
                          streams.generator(f"market:{market_id}:arrivals"))
    if not len(times):
        return times, np.empty(0)
    return times, streams.generator(f"market:{market_id}:choice").random(len(times))


def market_draws(scenario, market_id: str, t0_h: float, t1_h: float,
                 streams) -> tuple[np.ndarray, np.ndarray]:
    """Creation times (hours, sorted) of the consignments of market ``market_id`` in
    [t0_h, t1_h) and the index of the alternative each chose (logit shares at its
    creation, :func:`corridor_sim.economics.choice.choice_shares`). Pure: the same
    scenario and streams give the same draws, so the engine (simulated alternatives) and
    the result tables (abstract ones) read the same consignments. (A market with
    ``expected: learned`` chooses during the run instead: these are then the choices
    its prior expectations would give; the run's are in ``RunData.market_choices``.)"""
    m = scenario.markets[market_id]
    times, u = market_units(scenario, market_id, t0_h, t1_h, streams)
    if not len(times):
        return times, np.empty(0, dtype=np.int64)
    return times, pick(choice_shares(scenario, m, times), u)


def market_arrivals(scenario, t0_h: float, t1_h: float, streams) -> dict[int, np.ndarray]:
    """Per simulated flow (index into ``scenario.flows``), the creation times of the
    market consignments that chose it; abstract choices never enter the simulation.
    Markets with ``expected: learned`` are left out: they choose during the run
    (:mod:`.learned_choice`)."""
    index = {f.id: i for i, f in enumerate(scenario.flows)}
    out: dict[int, list[np.ndarray]] = {}
    for mid, m in scenario.markets.items():
        if m.expected == "learned" and any(a.flow for a in m.alternatives):
            continue  # chooses during the run
        times, chosen = market_draws(scenario, mid, t0_h, t1_h, streams)
        for k, alt in enumerate(m.alternatives):
            if alt.flow is not None:
                out.setdefault(index[alt.flow], []).append(times[chosen == k])
    return {i: np.concatenate(parts) for i, parts in out.items()}
