"""Fleets of rolling stock and containers (``fleets:`` in a scenario), and their checks.

A fleet is a pool of a fixed number of units that cargo needs in order to move:

- ``container``: boxes (one per consignment of the flows listed) taken at the flow's
  origin and freed at its destination;
- ``wagon``: wagons loaded at the origin that travel with their cargo (on trains and rail
  ferries) as far as the track keeps the fleet's gauge, and are freed there;
- ``platform``: flat wagons of one gauge that carry containers; a train formed on a line
  of that gauge takes ``ceil(TEU / teu_per_wagon)`` of them at the node where it is formed
  and frees them where it is broken up.

Units start in ``depots`` (node: count, adding up to ``size``). A freed unit stays where
it was freed if that node is a depot holding fewer units (idle and on their way) than it
started with; otherwise it goes back empty to the depot short of the largest share of
what it started with (or, if none is short, stays at a depot where it was freed, else
goes to the depot that started with most). Empty units travel on dedicated empty trains
along the shortest path at ``empty_speed_kmh`` (the CAREC average commercial speed
including delays), outside the modelled line and deck capacity. ``repositioning:
one_way`` (boxes leased one way): a freed unit is handed back where it is freed and a
fresh one is hired wherever cargo needs one, so the fleet never runs short and nothing
returns empty.

Pure data, no simulation; the checks and route helpers are in ``fleet_checks``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .distributions import Pos
from .strict import Strict

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
CAREC_SPEED_WITH_DELAYS_KMH = 12.4  # CAREC CPMM 2022: average rail speed with delays


class Fleet(Strict):
    """A pool of wagons, platforms or containers (see the module docstring)."""

    kind: Literal["container", "wagon", "platform"]
    size: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    depots: dict[Ident, Annotated[int, Field(ge=0)]] = Field(min_length=1)
    flows: list[Ident] = Field(min_length=1)
    gauge_mm: Annotated[int, Field(gt=0)] | None = None
    teu_per_wagon: Pos = 2.0
    empty_speed_kmh: Pos = CAREC_SPEED_WITH_DELAYS_KMH
    repositioning: Literal["return", "one_way"] = "return"
    source: str | None = None

    @model_validator(mode="after")
    def _size_from_depots(self):
        """Without ``size``, the fleet is what its depots hold (so that a sweep can vary
        one depot alone)."""
        if self.size is None:
            self.size = sum(self.depots.values())
        return self

    @property
    def travels_with_cargo(self) -> bool:
        """Units taken per consignment (containers, wagons), not per train."""
        return self.kind != "platform"
