"""Back-of-the-envelope offered load and capacity, from scenario data only.

These are static estimates used for warnings (and handy in notebooks); the simulation
measures the real thing. Rates are per day at the flow's peak: the highest of its
``tons_per_year`` and its ``rates``, times ``demand.scale`` and the largest monthly
seasonality factor.
"""

from __future__ import annotations

from ..units import KM_PER_NM
from .classes import node_dwell
from .links import directed_links
from .models import Flow, Scenario, Service


def peak_teu_per_day(flow: Flow, scale: float = 1.0) -> float:
    """TEU slots a flow needs per day at its peak rate."""
    tons = max([flow.tons_per_year, *[r.tons_per_year for r in flow.rates]])
    season = max(flow.seasonality.values()) if flow.seasonality else 1.0
    return tons * scale * season / flow.tons_per_unit * flow.teu_per_unit / 365.0


def closed_fraction(service: Service) -> float:
    """Long-run share of time a service is closed by weather (average over months)."""
    if service.weather is None:
        return 0.0
    dur_days = service.weather.duration_h.mean() / 24.0
    fractions = [p * dur_days / (1 + p * dur_days)
                 for p in service.weather.closure_prob_per_day.values()]
    return sum(fractions) / len(fractions)


def round_trip_h(service: Service, loaded_back: bool = False, wait_h: float = 0.0) -> float:
    """Hours for one vessel to load, sail loaded, unload and return; with
    ``loaded_back`` it loads and unloads a full deck on the way back too, and ``wait_h``
    adds the hours it waits at the far port for that cargo (no other waiting)."""
    speed = service.speed_kn.mean() * KM_PER_NM
    if speed <= 0:
        return float("inf")
    sail = service.distance_km / speed
    handle = service.capacity_teu / service.load_teu_per_h
    handle += service.capacity_teu / service.unload_teu_per_h
    return (2 * sail + handle * (2 if loaded_back else 1) + service.anchorage_h.mean()
            + wait_h)


def far_port_wait_h(service: Service, way: str, teu_per_day_back: float) -> float:
    """Hours a vessel of a two-way service waits at the far port before crossing back,
    under the departure rule of the crossing back: until ``when_full`` of its deck waits
    (at ``teu_per_day_back`` arriving) or at most ``max_wait_h`` (it then leaves with
    what it has, or empty). ``way`` is the loaded crossing ('outbound' or 'return'); a
    timetable's slots are counted by :func:`service_teu_per_day` instead."""
    rule = service.depart if way == "return" else (service.depart_return or service.depart)
    if rule.timetable_h is not None:
        return 0.0
    if teu_per_day_back <= 0:
        return rule.max_wait_h
    fill_h = rule.when_full * service.capacity_teu / (teu_per_day_back / 24.0)
    return min(rule.max_wait_h, fill_h)


def service_teu_per_day(service: Service, loaded_back: bool = False,
                        wait_h: float = 0.0) -> float:
    """TEU slots a service offers per day each way: fleet capacity over the round trip
    (``round_trip_h``), less weather closures. A timetable caps it at one departure per
    vessel per interval."""
    trip = round_trip_h(service, loaded_back, wait_h)
    if service.depart.timetable_h is not None:
        trip = max(trip, service.depart.timetable_h)
    return service.vessels * service.capacity_teu * 24.0 / trip * (1 - closed_fraction(service))


def link_demand(scenario: Scenario) -> dict[tuple[str, str], tuple[float, list[str]]]:
    """Peak TEU/day offered on each (from, to) link of any route, with the flows using it."""
    out: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for flow in scenario.flows:
        teu = peak_teu_per_day(flow, scenario.demand.scale)
        route = flow.route
        for link in zip(route, route[1:]):
            total, ids = out.get(link, (0.0, []))
            out[link] = (total + teu, [*ids, flow.id])
    return out


def node_trains_per_day(scenario: Scenario) -> dict[str, tuple[float, float, list[str]]]:
    """Peak trains/day each node handles: every train arriving by rail (full trains of the
    incoming leg's ``max_train_teu``), plus trains formed at a flow's origin; with the
    track-hours a day they take (each train the mean dwell of its service class) and the
    flows that bring them."""
    legs = {pair: lk.leg for pair, lk in directed_links(scenario).items() if lk.kind == "rail"}
    out: dict[str, tuple[float, float, list[str]]] = {}
    for flow in scenario.flows:
        teu = peak_teu_per_day(flow, scenario.demand.scale)
        route = flow.route
        for i, node in enumerate(route):
            leg = legs.get((route[i - 1], node)) if i > 0 else legs.get((node, route[1]))
            if leg is None:
                continue
            place = scenario.nodes.get(node)
            dwell = node_dwell(place, flow.service_class)[0].mean() if place else 0.0
            trains, hours, ids = out.get(node, (0.0, 0.0, []))
            out[node] = (trains + teu / leg.max_train_teu,
                         hours + teu / leg.max_train_teu * dwell, [*ids, flow.id])
    return out
