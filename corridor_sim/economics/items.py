"""A route's cost and emissions item by item: each rail leg, sea crossing and node handled.

An :class:`Item` is what one unit (a TEU or a wagon of ``teu`` TEU and ``tons`` tonnes)
costs and emits on one leg, crossing or node of its route. Items are pure arithmetic on the
scenario's ``economics`` block:

- rail leg, per country section of ``share x distance_km``: tariff ``usd_per_teu_km x TEU x
  km + usd_per_tkm x t x km``; electric traction ``kwh_per_tkm x t x km x grid / 1000``
  (TTW zero), diesel ``kg_fuel_per_tkm x t x km x (WTW or TTW kg per kg fuel)``, both
  raised by the rail empty-running fraction;
- sea crossing: ``usd_per_teu x TEU`` (by date when the service has dated rates); Ro-Pax
  ``kg_per_tkm x t x km``, container ship ``kg_per_teu_km x TEU x km``, raised by the
  vessel type's empty-running fraction;
- node: handling per TEU (terminal at the origin and the destination, port, gauge change,
  border, or the node's own charge); hub emissions per tonne at the origin, the
  destination, ports and gauge changes (where boxes are lifted);
- the box of a container consignment (``unit: teu``), by the container fleet it comes
  from: one-way hire ``container_hire_usd_per_teu x TEU`` when the fleet's
  ``repositioning`` is ``one_way`` and, as before fleets existed, when the flow is in no
  container fleet; when the fleet returns its boxes (``return``), no hire but the expected
  empty return ``empty_usd_per_teu_km x TEU x km``, km the shortest network distance
  (the path empty units take) from where the box is freed, its destination, back to the
  fleet's home depot (the depot that starts with most units, the first listed on a tie).
  An expected cost per box, not the run's empty running: it is a function of the scenario
  alone, so route choice prices it before anything is simulated; it ignores boxes that go
  back loaded or refill a depot on the way (the run's empty unit-km are in the ``fleets``
  table).

Money in US dollars, emissions in kg CO2e.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ..network import Network
from ..scenario.links import directed_links

COST_KINDS = ("rail", "sea", "handling", "time", "hire", "empty_return")
CO2E_KINDS = ("rail_electric", "rail_diesel", "sea", "hub")


@dataclass(frozen=True)
class Item:
    """One unit's cost (USD) and emissions (kg CO2e, WTW and TTW) on one part of its route.

    ``place``: leg key, service name or node id. ``cost_kind`` in :data:`COST_KINDS`,
    ``co2e_kind`` in :data:`CO2E_KINDS` (or None when the item emits nothing).
    ``rate_hours`` / ``rate_usd``: dated freight (hours since the scenario's start from
    which ``rate_usd`` per unit applies, ascending); ``usd`` applies before the first.
    """

    place: str
    cost_kind: str
    co2e_kind: str | None
    usd: float = 0.0
    wtw_kg: float = 0.0
    ttw_kg: float = 0.0
    rate_hours: tuple[float, ...] = field(default=())
    rate_usd: tuple[float, ...] = field(default=())

    def usd_at(self, hours: np.ndarray) -> np.ndarray:
        """Cost per unit for units created at ``hours`` (hours since the start date)."""
        hours = np.asarray(hours, dtype=float)
        if not self.rate_hours:
            return np.full(hours.shape, self.usd)
        values = np.array((self.usd, *self.rate_usd))
        return values[np.searchsorted(np.array(self.rate_hours), hours, side="right")]


def _rail_items(scenario, leg, teu: float, tons: float) -> list[Item]:
    eco = scenario.economics
    em = eco.emissions
    uplift = 1.0 + em.empty_running.rail
    spec = eco.legs.get(leg.key)
    sections = spec.sections if spec is not None else None
    if sections is None:
        parts = [(scenario.nodes[leg.from_].country, 1.0, None)]
    else:
        parts = [(s.country, s.share, s.electric_share) for s in sections]
    usd = wtw_e = wtw_d = ttw_d = 0.0
    for country, share, electric in parts:
        rail = eco.rail[country]
        km = leg.distance_km * share
        e = rail.electric_share if electric is None else electric
        usd += rail.usd_per_teu_km * teu * km + rail.usd_per_tkm * tons * km
        tkm = tons * km
        wtw_e += tkm * e * em.rail_electric_kwh_per_tkm * rail.grid_g_per_kwh / 1000.0
        fuel = tkm * (1.0 - e) * em.rail_diesel_kg_fuel_per_tkm
        wtw_d += fuel * em.diesel_wtw_kg_per_kg_fuel
        ttw_d += fuel * em.diesel_ttw_kg_per_kg_fuel
    # one item per traction; the leg's tariff sits on the first
    return [Item(leg.key, "rail", "rail_electric", usd, wtw_e * uplift, 0.0),
            Item(leg.key, "rail", "rail_diesel", 0.0, wtw_d * uplift,
                 ttw_d * uplift)]


def _sea_item(scenario, name: str, teu: float, tons: float) -> Item:
    eco = scenario.economics
    em = eco.emissions
    svc, sea = scenario.services[name], eco.sea[name]
    if sea.vessel == "ro_pax":
        k = tons * svc.distance_km * (1.0 + em.empty_running.ro_pax)
        wtw, ttw = k * em.ro_pax_wtw_kg_per_tkm, k * em.ro_pax_ttw_kg_per_tkm
    else:
        k = teu * svc.distance_km * (1.0 + em.empty_running.container)
        wtw, ttw = k * em.container_wtw_kg_per_teu_km, k * em.container_ttw_kg_per_teu_km
    hours = tuple(scenario.hours_since_start(r.from_) for r in sea.rates)
    return Item(name, "sea", "sea", sea.usd_per_teu * teu, wtw, ttw, hours,
                tuple(r.usd_per_teu * teu for r in sea.rates))


def _node_item(scenario, node_id: str, end: bool, teu: float, tons: float) -> Item:
    eco = scenario.economics
    h, em = eco.handling, eco.emissions
    node = scenario.nodes[node_id]
    lifted = end or node.kind == "port" or node.gauge_change is not None
    if node_id in h.nodes:
        per_teu = h.nodes[node_id]
    elif end:
        per_teu = h.terminal_usd_per_teu
    else:
        per_teu = (h.port_usd_per_teu if node.kind == "port" else 0.0) + \
            (h.gauge_change_usd_per_teu if node.gauge_change is not None else 0.0) + \
            (h.border_usd_per_teu if node.kind == "border" else 0.0)
    wtw = tons * em.hub_wtw_kg_per_t if lifted else 0.0
    ttw = tons * em.hub_ttw_kg_per_t if lifted else 0.0
    return Item(node_id, "handling", "hub", per_teu * teu, wtw, ttw)


def home_depot(fleet) -> str:
    """The depot a returning fleet's boxes go back to: the one that starts with most units
    (the first listed on a tie)."""
    return max(fleet.depots, key=fleet.depots.get)


def _box_item(scenario, freed_at: str, teu: float, fleet) -> Item:
    """The box's item: one-way hire (no container fleet, or one leased one way), else
    the expected empty return from ``freed_at`` to the fleet's home depot."""
    eco = scenario.economics
    if fleet is None or fleet.repositioning == "one_way":
        return Item("container hire", "hire", None, eco.container_hire_usd_per_teu * teu)
    km = nx.shortest_path_length(Network(scenario).graph, freed_at, home_depot(fleet),
                                 weight="distance_km")
    return Item("empty return", "empty_return", None, eco.empty_usd_per_teu_km * teu * km)


def container_fleet(scenario, flow_id: str):
    """The container fleet whose boxes ``flow_id`` travels in, or None."""
    for fleet in scenario.fleets.values():
        if fleet.kind == "container" and flow_id in fleet.flows:
            return fleet
    return None


def route_items(scenario, route: list[str], teu: float, tons: float,
                unit: str = "teu", fleet=None) -> list[Item]:
    """The items of one unit of ``teu`` TEU and ``tons`` tonnes travelling ``route`` (node
    ids, linked by the scenario's legs and services, either way), in route order: the origin, then
    each link followed by the node it reaches; last, for ``unit: teu``, the box: one-way
    container hire, or with a container ``fleet`` that returns its boxes the expected
    empty return (module docstring). A rail leg gives two items, its electric and its
    diesel traction (the leg's tariff sits on the first). The waiting-time cost depends
    on the run and is not an item."""
    links = directed_links(scenario)
    items = [_node_item(scenario, route[0], True, teu, tons)]
    for i, (a, b) in enumerate(zip(route, route[1:])):
        link = links[(a, b)]
        if link.kind == "sea":
            items.append(_sea_item(scenario, link.name, teu, tons))
        else:
            items.extend(_rail_items(scenario, link.leg, teu, tons))
        items.append(_node_item(scenario, b, i == len(route) - 2, teu, tons))
    if unit == "teu":
        items.append(_box_item(scenario, route[-1], teu, fleet))
    return items


def flow_items(scenario, flow) -> list[Item]:
    """The items of one consignment of ``flow`` on its route (its box from the flow's
    container fleet, if any)."""
    return route_items(scenario, flow.route, flow.teu_per_unit, flow.tons_per_unit, flow.unit,
                       container_fleet(scenario, flow.id))
