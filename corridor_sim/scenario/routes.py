"""Comparator routes and route choice (the optional ``routes:`` and ``markets:`` blocks).

Pure data, no simulation. An :class:`AbstractRoute` is a route that is not simulated (the
Northern rail route, the sea via Suez or the Cape): a transit-time distribution, an
all-in freight per TEU, emissions per TEU and windows when it is unavailable. It has no
capacity and creates no simulation events. A :class:`Market` is an origin-destination
demand whose consignments each choose, when created, among alternatives -- simulated
flows of the scenario and abstract routes -- by a multinomial logit on generalised cost
(:mod:`corridor_sim.economics.choice`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .distributions import Distribution, NonNeg, Pos
from .economics import DatedRate
from .errors import Problem
from .schema_paths import suggest

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_default=True)


class Window(_Strict):
    """``days`` days from ``start``."""

    start: dt.datetime
    days: Pos


class AbstractRoute(_Strict):
    """A route priced and timed without simulation: ``transit_days`` door to door (a
    distribution), ``usd_per_teu`` all-in (``rates`` switch it at dates, by the
    consignment's creation date), emissions per TEU (well-to-wheel and tank-to-wheel),
    and ``unavailable`` windows in which no consignment may choose it."""

    name: str | None = None
    mode: Literal["rail", "sea"] = "sea"
    transit_days: Distribution
    usd_per_teu: NonNeg = 0.0
    rates: list[DatedRate] = Field(default_factory=list)
    co2e_kg_per_teu: NonNeg = 0.0
    co2e_ttw_kg_per_teu: NonNeg = 0.0
    unavailable: list[Window] = Field(default_factory=list)
    source: str | None = None

    @field_validator("co2e_ttw_kg_per_teu")
    @classmethod
    def _ttw(cls, value: float, info: ValidationInfo) -> float:
        wtw = info.data.get("co2e_kg_per_teu")
        if wtw is not None and value > wtw:
            raise ValueError(f"co2e_ttw_kg_per_teu ({value:g}) exceeds co2e_kg_per_teu "
                             f"({wtw:g}): tank-to-wheel is part of well-to-wheel")
        return value


class Alternative(_Strict):
    """One choice of a market: a simulated ``flow`` of the scenario (its consignments then
    ride the network; ``expected_transit_days`` is what shippers expect it to take) or an
    abstract ``route``. ``transit_sd_days``: how much a simulated flow's transit is
    expected to vary (for the reliability term). ``penalty_usd_per_teu`` adds a perceived
    cost (e.g. sanctions risk)."""

    flow: Ident | None = None
    route: Ident | None = None
    expected_transit_days: Pos | None = None
    transit_sd_days: NonNeg = 0.0
    penalty_usd_per_teu: NonNeg = 0.0

    @model_validator(mode="after")
    def _one(self):
        if (self.flow is None) == (self.route is None):
            raise ValueError("give exactly one of `flow` (a simulated flow) or `route` (an "
                             "abstract route)")
        if self.flow is not None and self.expected_transit_days is None:
            raise ValueError("a simulated alternative needs `expected_transit_days` (what "
                             "shippers expect it to take)")
        return self

    @property
    def name(self) -> str:
        return self.flow or self.route


class Market(_Strict):
    """An origin -> destination demand that chooses its route consignment by consignment.

    ``tons_per_year`` arrive as a Poisson stream of units of ``tons_per_unit`` t and
    ``teu_per_unit`` TEU (before ``demand.scale``). Each unit picks alternative i with
    probability ``exp(-GC_i / scale) / sum_j exp(-GC_j / scale)`` over the alternatives
    available at its creation, where the generalised cost per TEU is
    ``GC = money + value_of_time x expected transit days + reliability x sd of the
    transit days + penalty`` and ``scale``
    (``scale_usd_per_teu``) sets how much cost differences matter (a smaller scale makes
    the choice closer to all-or-nothing). ``expected``: ``fixed`` uses each
    alternative's expected transit as given; ``anticipated`` adds, for a simulated
    alternative, the time left of scheduled closures on its route at creation.
    """

    from_: Ident = Field(alias="from")
    to: Ident
    unit: Literal["teu", "wagon"] = "teu"
    tons_per_unit: Pos = 20.0
    teu_per_unit: Pos = 1.0
    tons_per_year: NonNeg
    value_of_time_usd_per_teu_day: NonNeg
    reliability_usd_per_teu_day: NonNeg = 0.0
    scale_usd_per_teu: Pos
    expected: Literal["fixed", "anticipated"] = "anticipated"
    alternatives: list[Alternative] = Field(min_length=2)
    source: str | None = None


def _hours(scenario, when) -> float:
    return scenario.hours_since_start(when)


def check_markets(scenario) -> list[Problem]:
    """Alternatives name existing flows and routes that join the market's origin and
    destination; windows lie in the simulated period; at every moment some alternative
    is available."""
    problems: list[Problem] = []
    flows = {f.id: f for f in scenario.flows}
    routes = scenario.routes
    t0, t1 = -scenario.warmup_days * 24.0, scenario.horizon_days * 24.0
    for rid, route in routes.items():
        for k, w in enumerate(route.unavailable):
            a = _hours(scenario, w.start)
            if a >= t1 or a + w.days * 24.0 <= t0:
                problems.append(Problem(f"window from {w.start} for {w.days:g} days lies "
                                        "outside the simulated period",
                                        path=f"routes.{rid}.unavailable.{k}.start",
                                        severity="warning"))
    claimed: dict[str, str] = {}
    for mid, m in scenario.markets.items():
        for end, node in (("from", m.from_), ("to", m.to)):
            if node not in scenario.nodes:
                problems.append(Problem(f"unknown node {node!r}{suggest(node, scenario.nodes)}",
                                        path=f"markets.{mid}.{end}"))
        if scenario.economics is None and any(a.flow for a in m.alternatives):
            problems.append(Problem("a market with simulated alternatives needs the "
                                    "scenario's `economics:` block to price them",
                                    path=f"markets.{mid}"))
        for k, alt in enumerate(m.alternatives):
            where = f"markets.{mid}.alternatives.{k}"
            if alt.flow is not None:
                f = flows.get(alt.flow)
                if f is None:
                    problems.append(Problem(f"unknown flow {alt.flow!r}"
                                            f"{suggest(alt.flow, flows)}", path=f"{where}.flow"))
                    continue
                if (f.from_, f.to) != (m.from_, m.to):
                    problems.append(Problem(
                        f"flow {alt.flow!r} runs {f.from_} -> {f.to}, not the market's "
                        f"{m.from_} -> {m.to}: an alternative must connect the same places",
                        path=f"{where}.flow"))
                if (f.teu_per_unit, f.tons_per_unit, f.unit) != (
                        m.teu_per_unit, m.tons_per_unit, m.unit):
                    problems.append(Problem(
                        f"flow {alt.flow!r} carries units of {f.tons_per_unit:g} t and "
                        f"{f.teu_per_unit:g} TEU ({f.unit}); the market's are "
                        f"{m.tons_per_unit:g} t and {m.teu_per_unit:g} TEU ({m.unit})",
                        path=f"{where}.flow"))
                if f.tons_per_year > 0 or f.rates:
                    problems.append(Problem(
                        f"flow {alt.flow!r} is an alternative of market {mid!r}, so its "
                        "consignments are the market's that choose it: set its "
                        "tons_per_year to 0 (and give it no rates)", path=f"{where}.flow"))
                if alt.flow in claimed and claimed[alt.flow] != mid:
                    problems.append(Problem(f"flow {alt.flow!r} is already an alternative "
                                            f"of market {claimed[alt.flow]!r}",
                                            path=f"{where}.flow"))
                claimed[alt.flow] = mid
            elif alt.route not in routes:
                problems.append(Problem(f"unknown route {alt.route!r}"
                                        f"{suggest(alt.route, routes)} (routes: "
                                        f"{', '.join(routes) or 'none'})", path=f"{where}.route"))
        names = [a.name for a in m.alternatives]
        if len(set(names)) != len(names):
            problems.append(Problem("an alternative is listed twice",
                                    path=f"markets.{mid}.alternatives"))
        if all(a.route in routes for a in m.alternatives):
            gap = _never_available(scenario, [routes[a.route] for a in m.alternatives])
            if gap is not None:
                problems.append(Problem(
                    f"every alternative is unavailable at {gap:g} h after the start date, so "
                    "shares cannot be computed; add an alternative or shorten a window",
                    path=f"markets.{mid}.alternatives"))
    return problems


def _never_available(scenario, routes: list[AbstractRoute]) -> float | None:
    """A time (hours) in the simulated period when every route is unavailable, or None."""
    t0, t1 = -scenario.warmup_days * 24.0, scenario.horizon_days * 24.0
    edges = {t0}
    for r in routes:
        for w in r.unavailable:
            a = _hours(scenario, w.start)
            edges |= {a, a + w.days * 24.0}
    for t in sorted(e for e in edges if t0 <= e < t1):
        if all(unavailable(scenario, r, t) for r in routes):
            return t
    return None


def unavailable(scenario, route: AbstractRoute, t: float) -> bool:
    """True when ``route`` is closed at hour ``t``."""
    for w in route.unavailable:
        a = _hours(scenario, w.start)
        if a <= t < a + w.days * 24.0:
            return True
    return False
