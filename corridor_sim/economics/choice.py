"""Route choice: generalised cost of each alternative of a market and multinomial-logit
shares (pure functions of the scenario; no simulation state).

Generalised cost per TEU of alternative i for a consignment created at hour t::

    GC_i(t) = money_i(t) + value_of_time x expected_days_i(t)
              + reliability x sd_days_i + penalty_i

``money``: for a simulated flow, its route items (:mod:`.items`: rail, sea, handling,
container hire or the expected empty return of its box; not the waiting-time cost, which
the value of time stands for) per TEU; for an abstract route, its all-in freight per TEU
at t. ``expected_days``: an abstract route's mean transit; a simulated flow's
``expected_transit_days``, plus with ``expected: anticipated`` the time its route will
still be closed by scheduled closures (nodes, legs and services on it) during the trip
(with ``expected: learned`` the engine replaces it during the run:
:mod:`corridor_sim.engine.learned_choice`). ``sd_days``: the standard deviation of an
abstract route's transit distribution, or a simulated flow's ``transit_sd_days``.
Shares::

    P_i(t) = exp(-GC_i(t) / scale) / sum_j exp(-GC_j(t) / scale)

over the alternatives available at t (an abstract route is unavailable in its windows).
"""

from __future__ import annotations

import math

import numpy as np

from ..scenario import distributions as dist
from .items import flow_items


def transit_sd(spec) -> float:
    """Standard deviation of a transit distribution spec (same unit as the spec)."""
    if isinstance(spec, dist.Fixed):
        return 0.0
    if isinstance(spec, dist.Uniform):
        return (spec.high - spec.low) / math.sqrt(12.0)
    if isinstance(spec, dist.Triangular):
        a, c, b = spec.low, spec.mode, spec.high
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)
    if isinstance(spec, dist.Normal):
        return spec.sd
    if isinstance(spec, dist.Lognormal):
        mu, sigma = spec.mu_sigma()
        return math.exp(mu + sigma * sigma / 2.0) * math.sqrt(math.expm1(sigma * sigma))
    if isinstance(spec, dist.Exponential):
        return spec.mean_
    if isinstance(spec, dist.Gamma):
        return spec.sd
    if isinstance(spec, dist.Empirical):
        v, p = np.asarray(spec.values, float), np.asarray(spec.probabilities(), float)
        return float(np.sqrt(p @ (v - p @ v) ** 2))
    raise TypeError(f"unknown distribution spec {spec!r}")


def _closures_on_route(scenario, flow) -> list[tuple[float, float]]:
    """Scheduled closure windows (hours) of the nodes, legs and services ``flow`` passes."""
    route = flow.route
    targets = set(route)
    pairs = set(zip(route, route[1:]))
    targets |= {leg.key for leg in scenario.legs if (leg.from_, leg.to) in pairs}
    targets |= {n for n, s in scenario.services.items() if (s.from_, s.to) in pairs}
    out = []
    for d in scenario.disruptions:
        if d.kind == "closure" and d.target in targets:
            a = scenario.hours_since_start(d.start)
            out.append((a, a + d.days * 24.0))
    return out


def alternative_terms(scenario, market, hours: np.ndarray):
    """Money (USD per TEU, with the reliability term and the penalty), expected transit
    (days) and availability (bool) of each alternative of ``market`` for consignments
    created at ``hours``: three arrays of shape (alternatives, len(hours))."""
    hours = np.asarray(hours, dtype=float)
    n_alt = len(market.alternatives)
    money = np.zeros((n_alt, len(hours)))
    days = np.zeros((n_alt, len(hours)))
    ok = np.ones((n_alt, len(hours)), dtype=bool)
    flows = {f.id: f for f in scenario.flows}
    for i, alt in enumerate(market.alternatives):
        if alt.flow is not None:
            f = flows[alt.flow]
            for item in flow_items(scenario, f):
                money[i] += item.usd_at(hours)
            money[i] /= f.teu_per_unit
            days[i] = alt.expected_transit_days
            money[i] += market.reliability_usd_per_teu_day * alt.transit_sd_days
            if market.expected == "anticipated":
                horizon = hours + alt.expected_transit_days * 24.0
                for a, b in _closures_on_route(scenario, f):
                    closed = np.clip(np.minimum(b, horizon) - np.maximum(a, hours), 0.0, None)
                    days[i] += closed / 24.0
        else:
            r = scenario.routes[alt.route]
            money[i] = r.usd_per_teu
            for rate in r.rates:
                money[i] = np.where(hours >= scenario.hours_since_start(rate.from_),
                                    rate.usd_per_teu, money[i])
            days[i] = r.transit_days.mean()
            money[i] += market.reliability_usd_per_teu_day * transit_sd(r.transit_days)
            for w in r.unavailable:
                a = scenario.hours_since_start(w.start)
                ok[i] &= ~((hours >= a) & (hours < a + w.days * 24.0))
        money[i] += alt.penalty_usd_per_teu
    return money, days, ok


def generalised_cost(scenario, market, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Generalised cost per TEU (alternatives x hours) and availability."""
    money, days, ok = alternative_terms(scenario, market, hours)
    return money + market.value_of_time_usd_per_teu_day * days, ok


def logit_shares(gc: np.ndarray, available: np.ndarray, scale: float) -> np.ndarray:
    """Multinomial-logit shares (alternatives x n) of generalised costs ``gc`` with
    ``scale`` (same unit as ``gc``); unavailable alternatives get 0. Raises ValueError
    where nothing is available."""
    if gc.size and not available.any(axis=0).all():
        raise ValueError("no alternative is available: shares cannot be computed")
    masked = np.where(available, gc, np.inf)
    best = masked.min(axis=0) if gc.size else np.zeros(gc.shape[1:])
    weight = np.where(available, np.exp(-(masked - best) / scale), 0.0)
    return weight / weight.sum(axis=0)


def choice_shares(scenario, market, hours: np.ndarray) -> np.ndarray:
    """The logit shares of ``market``'s alternatives at ``hours`` (alternatives x n)."""
    gc, ok = generalised_cost(scenario, market, hours)
    return logit_shares(gc, ok, market.scale_usd_per_teu)


def choose(shares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One alternative index per column of ``shares``, drawn with those probabilities."""
    return pick(shares, rng.random(shares.shape[1]))


def pick(shares: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The alternative index per column of ``shares`` that the uniform number ``u`` of
    that column selects (inverse of the cumulative shares)."""
    cum = np.cumsum(shares, axis=0)
    return np.minimum((cum < u).sum(axis=0), shares.shape[0] - 1).astype(np.int64)
