"""The scenario's tariffs and emission factors (the optional ``economics:`` block).

Pure data, no simulation. Money is in US dollars of ``currency_year``; emissions in kg of
CO2-equivalent, well-to-wheel (WTW) and tank-to-wheel (TTW) as in the GLEC Framework and
ISO 14083. Units live in field names: ``usd_per_teu_km`` dollars per TEU-kilometre,
``usd_per_tkm`` dollars per tonne-kilometre, ``kg_per_tkm`` kg CO2e per tonne-km,
``kwh_per_tkm`` final energy per net tonne-km, ``g_per_kwh`` g CO2e per kWh.

How a consignment's cost and emissions are built from these figures is in
:mod:`corridor_sim.economics`.
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

from .distributions import NonNeg
from .strict import Strict

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Country = Annotated[str, Field(min_length=2, max_length=2)]
EMPTY_USD_PER_TEU_KM = 0.15  # Kazakh special transit rate, boxes <= 24 t gross (Interfax 2022)


class RailCountry(Strict):
    """Rail in one country: the moving tariff (per TEU-km and/or per tonne-km, added
    together), the share of train-km hauled electric, and the grid's intensity."""

    usd_per_teu_km: NonNeg = 0.0
    usd_per_tkm: NonNeg = 0.0
    electric_share: Share = 0.0
    grid_g_per_kwh: NonNeg = 0.0
    source: str | None = None


class Section(Strict):
    """The part ``share`` of a leg's length that lies in ``country``; ``electric_share``
    overrides the country's for this section."""

    country: Country
    share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = 1.0
    electric_share: Share | None = None


class LegSections(Strict):
    """Where a rail leg runs: its sections by country (shares add up to 1). Legs not
    listed run wholly in the country of their ``from`` node."""

    sections: list[Section] = Field(min_length=1)
    source: str | None = None

    @model_validator(mode="after")
    def _shares(self):
        total = sum(s.share for s in self.sections)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"section shares add up to {total:g}; they must add up to 1")
        return self


class DatedRate(Strict):
    """From ``from`` on, the rate is ``usd_per_teu`` (e.g. a monthly sea spot rate)."""

    from_: dt.date = Field(alias="from")
    usd_per_teu: NonNeg


class SeaService(Strict):
    """A sea crossing: the freight per TEU and crossing (``rates`` switch it at dates,
    by the consignment's creation date), and the vessel type for emissions: ``ro_pax``
    (rail or truck ferry, per tonne-km) or ``container`` (per TEU-km)."""

    usd_per_teu: NonNeg = 0.0
    rates: list[DatedRate] = Field(default_factory=list)
    vessel: Literal["ro_pax", "container"] = "container"
    source: str | None = None

    def usd_per_teu_at(self, when: dt.date) -> float:
        value = self.usd_per_teu
        for r in self.rates:
            if r.from_ <= when:
                value = r.usd_per_teu
        return value


class Handling(Strict):
    """Charges per TEU handled at nodes: loading at the origin and unloading at the
    destination (``terminal``), at each port passed (``port``), at each gauge change
    and at each border crossing (a border with a gauge change pays both). ``nodes``
    replaces the charge at the named nodes."""

    terminal_usd_per_teu: NonNeg = 0.0
    port_usd_per_teu: NonNeg = 0.0
    gauge_change_usd_per_teu: NonNeg = 0.0
    border_usd_per_teu: NonNeg = 0.0
    nodes: dict[str, NonNeg] = Field(default_factory=dict)
    source: str | None = None


class EmptyRunning(Strict):
    """Emissions of empty running (empty wagons, boxes and return voyages) allocated to
    the loaded traffic they serve: a fraction added to each mode's loaded emissions."""

    rail: NonNeg = 0.0
    ro_pax: NonNeg = 0.0
    container: NonNeg = 0.0
    source: str | None = None


class Emissions(Strict):
    """Emission factors (GLEC Framework / ISO 14083 logic: intensity per transport
    operation category, plus hub operations per tonne handled)."""

    rail_electric_kwh_per_tkm: NonNeg = 0.0
    rail_diesel_kg_fuel_per_tkm: NonNeg = 0.0
    diesel_wtw_kg_per_kg_fuel: NonNeg = 0.0
    diesel_ttw_kg_per_kg_fuel: NonNeg = 0.0
    ro_pax_wtw_kg_per_tkm: NonNeg = 0.0
    ro_pax_ttw_kg_per_tkm: NonNeg = 0.0
    container_wtw_kg_per_teu_km: NonNeg = 0.0
    container_ttw_kg_per_teu_km: NonNeg = 0.0
    hub_wtw_kg_per_t: NonNeg = 0.0
    hub_ttw_kg_per_t: NonNeg = 0.0
    empty_running: EmptyRunning = EmptyRunning()
    source: str | None = None

    @field_validator("diesel_ttw_kg_per_kg_fuel", "ro_pax_ttw_kg_per_tkm",
                     "container_ttw_kg_per_teu_km", "hub_ttw_kg_per_t")
    @classmethod
    def _ttw_within_wtw(cls, value: float, info: ValidationInfo) -> float:
        wtw = info.field_name.replace("_ttw_", "_wtw_")
        if info.data.get(wtw) is not None and value > info.data[wtw]:
            raise ValueError(f"{info.field_name} ({value:g}) exceeds {wtw} "
                             f"({info.data[wtw]:g}): tank-to-wheel is part of well-to-wheel")
        return value


class Economics(Strict):
    """Tariffs and emission factors of a scenario.

    ``rail``: per country (two-letter code as on the nodes). ``legs``: country sections
    of rail legs (by leg id or ``from-to``). ``sea``: per sea service. ``handling``: per
    TEU at nodes. ``time_usd_per_teu_day``: the cost of a day's waiting or storage (every
    hour of a consignment's transit that is not moving). ``container_hire_usd_per_teu``:
    one-way hire of the box, for containers (``unit: teu``) whose box comes from a
    container fleet leased one way (``repositioning: one_way``) or from no container fleet
    at all (as before fleets existed). ``empty_usd_per_teu_km``: the cost of running an
    empty box back, for containers whose fleet returns its boxes (``repositioning:
    return``), charged per TEU-km from the box's destination to the fleet's home depot;
    the default is the published Kazakh transit rate for boxes up to 24 t gross (Interfax
    2022), an assumption elsewhere on the path (range 0.12-0.25 in seeds/inputs.yaml).
    """

    currency_year: Annotated[int, Field(ge=1900, le=2200)] = 2023
    rail: dict[Country, RailCountry] = Field(default_factory=dict)
    legs: dict[str, LegSections] = Field(default_factory=dict)
    sea: dict[str, SeaService] = Field(default_factory=dict)
    handling: Handling = Handling()
    time_usd_per_teu_day: NonNeg = 0.0
    container_hire_usd_per_teu: NonNeg = 0.0
    empty_usd_per_teu_km: NonNeg = EMPTY_USD_PER_TEU_KM
    emissions: Emissions = Emissions()
    source: str | None = None
