"""Hypothesis strategies that build small but valid random corridors (Scenario objects).

The network is a random tree grown from node ``n0``: every other node hangs off an
earlier one, joined by a rail leg or, when both ends are ports, sometimes by a sea
service. Flows run between a node and one of its descendants along the tree, either way
(legs and services are ridden against their written direction too; some legs are single
track), so every route is connected. Nodes, legs and services draw every distribution
kind; services may carry background traffic; scenarios also get departure policies
(fill, max wait, timetables), seasonality, rate changes, block and scheduled arrivals,
scheduled closures of nodes, legs and services, and weather. Volumes are kept small so
one run takes a fraction of a second.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from corridor_sim.scenario import Scenario
from corridor_sim.scenario.models import MONTHS

START = dt.date(2023, 1, 1)
KINDS = ("terminal", "border", "port", "junction")


def _num(lo: float, hi: float):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def distributions(draw, lo: float, hi: float, allow_zero: bool = True):
    """Any distribution kind with values roughly within [lo, hi]."""
    kind = draw(st.sampled_from(("number", "fixed", "uniform", "triangular", "normal",
                                 "lognormal", "exponential", "gamma", "empirical")))
    base = lo if allow_zero else max(lo, 1e-3)
    if kind == "number":
        return draw(_num(base, hi))
    if kind == "fixed":
        return {"dist": "fixed", "value": draw(_num(base, hi))}
    if kind == "uniform":
        a, b = sorted(draw(st.lists(_num(base, hi), min_size=2, max_size=2)))
        return {"dist": "uniform", "low": a, "high": b}
    if kind == "triangular":
        a, m, b = sorted(draw(st.lists(_num(base, hi), min_size=3, max_size=3)))
        return {"dist": "triangular", "low": a, "mode": m, "high": b}
    if kind == "normal":
        return {"dist": "normal", "mean": draw(_num(base, hi)), "sd": draw(_num(0, hi / 2))}
    if kind == "lognormal":
        if draw(st.booleans()):
            med = draw(_num(max(base, 0.1), hi))
            return {"dist": "lognormal", "median": med, "p90": med * draw(_num(1, 3))}
        return {"dist": "lognormal", "mean": draw(_num(max(base, 0.1), hi)),
                "sd": draw(_num(0, hi / 2))}
    if kind == "exponential":
        return {"dist": "exponential", "mean": draw(_num(max(base, 0.1), hi))}
    if kind == "gamma":
        return {"dist": "gamma", "mean": draw(_num(max(base, 0.1), hi)),
                "sd": draw(_num(0.1, hi))}
    values = draw(st.lists(_num(base, hi), min_size=1, max_size=4))
    spec = {"dist": "empirical", "values": values}
    if draw(st.booleans()):
        spec["weights"] = draw(st.lists(_num(0.1, 5), min_size=len(values),
                                        max_size=len(values)))
    return spec


@st.composite
def depart_policies(draw):
    """A departure policy: fill fraction and max wait, or a timetable."""
    policy = {"when_full": draw(_num(0.1, 1.0)), "max_wait_h": draw(_num(1, 120))}
    if draw(st.integers(0, 3)) == 0:
        policy["timetable_h"] = draw(_num(4, 72))
        policy["timetable_offset_h"] = draw(_num(0, 24))
    return policy


@st.composite
def weather(draw):
    probs = {m: draw(_num(0, 0.3)) for m in draw(st.lists(st.sampled_from(MONTHS),
                                                          unique=True, max_size=4))}
    return {"closure_prob_per_day": {"default": draw(_num(0, 0.1)), **probs},
            "duration_h": draw(distributions(1, 96))}


@st.composite
def scenario_dicts(draw, max_nodes: int = 6, max_flows: int = 4, max_days: float = 45):
    """A plain scenario mapping (validate with ``Scenario.model_validate``)."""
    n = draw(st.integers(2, max_nodes))
    parent = {k: draw(st.integers(0, k - 1)) for k in range(1, n)}
    sea_edge = {k: draw(st.integers(0, 2)) == 0 for k in range(1, n)}
    kinds = [draw(st.sampled_from(KINDS)) for _ in range(n)]
    for k, is_sea in sea_edge.items():
        if is_sea:
            kinds[k] = kinds[parent[k]] = "port"
    nodes = {}
    for i, kind in enumerate(kinds):
        node = {"kind": kind, "country": "XX", "lon": float(i), "lat": 40.0,
                "tracks": draw(st.integers(1, 3)), "dwell_h": draw(distributions(0, 30))}
        if draw(st.booleans()):
            node["depart"] = draw(depart_policies())
        if kind == "port":
            node["berths"] = draw(st.integers(1, 2))
        if kind == "border" and draw(st.booleans()):
            node["gauge_change"] = {"from_mm": 1435, "to_mm": 1520}
        if kind == "junction" and draw(st.booleans()):
            node["transship"] = True
        nodes[f"n{i}"] = node
    legs, services = [], {}
    for k in range(1, n):
        a, b = f"n{parent[k]}", f"n{k}"
        if sea_edge[k]:
            svc = {"from": a, "to": b, "distance_km": draw(_num(50, 800)),
                   "vessels": draw(st.integers(1, 3)), "capacity_teu": draw(_num(5, 150)),
                   "speed_kn": draw(distributions(4, 20, allow_zero=False)),
                   "load_teu_per_h": draw(_num(5, 100)),
                   "unload_teu_per_h": draw(_num(5, 100)),
                   "anchorage_h": draw(distributions(0, 24))}
            if draw(st.booleans()):
                svc["depart"] = draw(depart_policies())
            if draw(st.booleans()):
                svc["weather"] = draw(weather())
            if draw(st.integers(0, 2)) == 0:  # a little background traffic on the deck
                svc["background"] = [
                    {"id": f"bg{i}", "direction": draw(st.sampled_from(("outbound", "return"))),
                     "units_per_day": draw(_num(0, 3)),
                     "teu_per_unit": draw(_num(0.5, min(3.0, svc["capacity_teu"])))}
                    for i in range(draw(st.integers(1, 2)))]
            services[f"s{k}"] = svc
        else:
            leg = {"from": a, "to": b, "distance_km": draw(_num(20, 1500)),
                   "speed_kmh": draw(distributions(10, 80, allow_zero=False)),
                   "max_train_teu": draw(st.integers(1, 120))}
            if draw(st.booleans()):
                leg["id"] = f"leg{k}"
            if draw(st.booleans()):
                leg["trains_per_day"] = draw(_num(0.5, 24))
            if draw(st.integers(0, 3)) == 0:
                leg["track"] = "single"
            legs.append(leg)

    children = {i: [k for k, p in parent.items() if p == i] for i in range(n)}

    def descendants(i: int) -> list[int]:
        out = []
        for c in children[i]:
            out += [c, *descendants(c)]
        return out

    def path(u: int, v: int) -> list[int]:
        route = [v]
        while route[-1] != u:
            route.append(parent[route[-1]])
        return route[::-1]

    horizon = draw(_num(2, max_days))
    warmup = draw(_num(0, min(10.0, horizon / 2)))
    sources = [i for i in range(n) if children[i]]
    flows = []
    for j in range(draw(st.integers(1, max_flows))):
        u = draw(st.sampled_from(sources))
        v = draw(st.sampled_from(descendants(u)))
        route = [f"n{i}" for i in path(u, v)]
        if draw(st.integers(0, 2)) == 0:  # against the written direction of its links
            route = route[::-1]
        teu = draw(st.sampled_from((0.5, 1.0, 1.0, 2.0, 3.0)))
        flow = {"id": f"f{j}", "from": route[0], "to": route[-1], "via": route[1:-1],
                "unit": draw(st.sampled_from(("teu", "wagon"))),
                "tons_per_unit": draw(_num(5, 30)) * teu,  # at most 30 t per TEU slot
                "teu_per_unit": teu,
                "tons_per_year": draw(_num(0, 150_000)),
                "arrivals": draw(st.sampled_from(("poisson", "poisson", "schedule"))),
                "block_units": draw(st.sampled_from((1, 1, 5, 40))),
                "priority": draw(st.sampled_from((False, False, True)))}
        if draw(st.booleans()):
            flow["seasonality"] = {m: draw(_num(0, 2)) for m in
                                   draw(st.lists(st.sampled_from(MONTHS), unique=True,
                                                 max_size=3))}
        if draw(st.integers(0, 3)) == 0:
            when = START + dt.timedelta(days=draw(st.integers(-10, int(horizon))))
            flow["rates"] = [{"from": when.isoformat(), "tons_per_year":
                              draw(_num(0, 150_000))}]
        flows.append(flow)

    targets = list(nodes) + [leg.get("id", f"{leg['from']}-{leg['to']}") for leg in legs] \
        + list(services)
    disruptions = []
    for _ in range(draw(st.integers(0, 3))):
        offset_h = draw(_num(-warmup * 24, horizon * 24))
        when = dt.datetime.combine(START, dt.time()) + dt.timedelta(hours=offset_h)
        disruptions.append({"target": draw(st.sampled_from(targets)),
                            "start": when.isoformat(), "days": draw(_num(0.05, 8))})

    return {"name": "random", "start_date": START.isoformat(), "horizon_days": horizon,
            "warmup_days": warmup, "seed": draw(st.integers(0, 2**32)),
            "demand": {"scale": draw(_num(0, 2))},
            "nodes": nodes, "legs": legs, "services": services, "flows": flows,
            "disruptions": disruptions}


def scenarios(**kwargs):
    """Validated random :class:`Scenario` objects."""
    return scenario_dicts(**kwargs).map(Scenario.model_validate)
