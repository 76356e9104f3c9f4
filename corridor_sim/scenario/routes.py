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
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .distributions import Distribution, NonNeg, Pos
from .economics import DatedRate
from .strict import Strict

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class Window(Strict):
    """``days`` days from ``start``."""

    start: dt.datetime
    days: Pos


class AbstractRoute(Strict):
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


class Alternative(Strict):
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


class Market(Strict):
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
    alternative, the time left of scheduled closures on its route at creation;
    ``learned`` replaces a simulated alternative's expected transit, day by day during
    the run, by the mean transit of its consignments delivered in the last
    ``learn_window_days`` days, counting each consignment still on its way and older
    than that mean as a delivery now with its age as transit (so cargo stuck on a closed
    route raises it); ``expected_transit_days`` is the prior used while nothing has been
    delivered (:mod:`corridor_sim.engine.learned_choice`). Abstract routes keep their
    transit distribution in every mode.
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
    expected: Literal["fixed", "anticipated", "learned"] = "anticipated"
    learn_window_days: Pos = 14.0
    alternatives: list[Alternative] = Field(min_length=2)
    source: str | None = None
