"""Checks that need the whole scenario: references resolve, routes are connected, units
fit trains and vessels, track gauges meet at gauge changes, and offered load against
capacity (warnings).

Pure functions: a scenario in, a list of :class:`Problem` out (paths, no positions;
the loader adds file positions).
"""

from __future__ import annotations

from .capacity import (
    closed_fraction,
    link_demand,
    node_trains_per_day,
    round_trip_h,
    service_teu_per_day,
)
from .economics import check_economics
from .errors import Problem
from .models import Scenario
from .routes import check_markets
from .schema_paths import suggest


def links(scenario: Scenario) -> dict[tuple[str, str], str]:
    """Map (from, to) -> 'leg:<key>' or 'service:<name>' for every link."""
    out: dict[tuple[str, str], str] = {}
    for leg in scenario.legs:
        out[(leg.from_, leg.to)] = f"leg:{leg.key}"
    for name, svc in scenario.services.items():
        out[(svc.from_, svc.to)] = f"service:{name}"
    return out


def check_references(scenario: Scenario) -> list[Problem]:
    """Every node, leg, service and flow named anywhere exists; ids are unique."""
    problems: list[Problem] = []
    nodes = scenario.nodes

    def ref(name: str, path: str) -> None:
        if name not in nodes:
            problems.append(Problem(f"unknown node {name!r}{suggest(name, nodes)}", path=path))

    for i, leg in enumerate(scenario.legs):
        ref(leg.from_, f"legs.{i}.from")
        ref(leg.to, f"legs.{i}.to")
        if leg.from_ == leg.to:
            problems.append(Problem("a leg must join two different nodes", path=f"legs.{i}.to"))
    for name, svc in scenario.services.items():
        ref(svc.from_, f"services.{name}.from")
        ref(svc.to, f"services.{name}.to")
        for end, node_id in (("from", svc.from_), ("to", svc.to)):
            if node_id in nodes and nodes[node_id].kind != "port":
                problems.append(Problem(f"service {end} node {node_id!r} is a "
                                        f"{nodes[node_id].kind}, expected a port",
                                        path=f"services.{name}.{end}"))
    keys = [leg.key for leg in scenario.legs]
    for i, k in enumerate(keys):
        if keys.index(k) != i:
            problems.append(Problem(f"two legs share the id {k!r}; give them distinct ids",
                                    path=f"legs.{i}"))
        if k in scenario.services or k in nodes:
            problems.append(Problem(f"leg id {k!r} is also a node or service name",
                                    path=f"legs.{i}"))
    ids = [f.id for f in scenario.flows]
    for i, fid in enumerate(ids):
        if ids.index(fid) != i:
            problems.append(Problem(f"duplicate flow id {fid!r}", path=f"flows.{i}.id"))
    targets = [*nodes, *scenario.services, *keys]
    legs = {leg.key: leg for leg in scenario.legs}
    for i, d in enumerate(scenario.disruptions):
        if d.target not in targets:
            problems.append(Problem(f"unknown disruption target {d.target!r}"
                                    f"{suggest(d.target, targets)} (a node, leg or service)",
                                    path=f"disruptions.{i}.target"))
        if d.kind == "capacity" and d.factor is None:
            problems.append(Problem("a capacity disruption needs `factor`: the share of "
                                    "capacity left, between 0 and 1 (exclusive)",
                                    path=f"disruptions.{i}.kind"))
        if d.kind == "closure" and d.factor is not None:
            problems.append(Problem("`factor` applies only to `kind: capacity` (a closure "
                                    "stops everything)", path=f"disruptions.{i}.factor"))
        if d.kind == "capacity" and d.target in legs and legs[d.target].trains_per_day is None:
            problems.append(Problem(f"leg {d.target!r} has no trains_per_day, so a capacity "
                                    "cut has nothing to reduce; give the leg trains_per_day",
                                    path=f"disruptions.{i}.target"))
    return problems


def check_routes(scenario: Scenario) -> list[Problem]:
    """Each flow's route is linked in order by legs or services; units fit."""
    problems: list[Problem] = []
    nodes = scenario.nodes
    link_map = links(scenario)
    legs = {(leg.from_, leg.to): leg for leg in scenario.legs}
    services = {(s.from_, s.to): (n, s) for n, s in scenario.services.items()}
    for i, flow in enumerate(scenario.flows):
        route = flow.route
        for j, node_id in enumerate(route):
            field = "from" if j == 0 else ("to" if j == len(route) - 1 else f"via.{j - 1}")
            if node_id not in nodes:
                problems.append(Problem(f"unknown node {node_id!r}{suggest(node_id, nodes)}",
                                        path=f"flows.{i}.{field}"))
        if len(set(route)) != len(route):
            problems.append(Problem(f"route {' -> '.join(route)} visits a node twice",
                                    path=f"flows.{i}.via"))
        for j, (a, b) in enumerate(zip(route, route[1:])):
            path = f"flows.{i}.via.{j}" if j < len(flow.via) else f"flows.{i}.to"
            if a in nodes and b in nodes and (a, b) not in link_map:
                onward = sorted(t for (f, t) in link_map if f == a)
                problems.append(Problem(
                    f"route of flow {flow.id!r} has no leg or service from {a!r} to {b!r} "
                    f"(from {a!r} there are links to: {', '.join(onward) or 'nothing'})",
                    path=path))
            if (a, b) in legs and flow.teu_per_unit > legs[(a, b)].max_train_teu:
                problems.append(Problem(
                    f"a unit of flow {flow.id!r} takes {flow.teu_per_unit:g} TEU but trains on "
                    f"leg {legs[(a, b)].key!r} carry at most {legs[(a, b)].max_train_teu} TEU",
                    path=f"flows.{i}.teu_per_unit"))
            if (a, b) in services and flow.teu_per_unit > services[(a, b)][1].capacity_teu:
                name, svc = services[(a, b)]
                problems.append(Problem(
                    f"a unit of flow {flow.id!r} takes {flow.teu_per_unit:g} TEU but vessels of "
                    f"service {name!r} carry {svc.capacity_teu:g} TEU",
                    path=f"flows.{i}.teu_per_unit"))
        dates = [r.from_ for r in flow.rates]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            problems.append(Problem("rates must be in increasing date order",
                                    path=f"flows.{i}.rates"))
    return problems


def check_gauges(scenario: Scenario) -> list[Problem]:
    """Where a route goes from one rail leg straight onto another, the track gauges
    (``gauge_mm``, where both legs give one) either match or the node between them is a
    ``gauge_change`` from the first gauge to the second."""
    problems: list[Problem] = []
    legs = {(leg.from_, leg.to): leg for leg in scenario.legs}
    seen: set[tuple[str, str, str]] = set()
    for i, flow in enumerate(scenario.flows):
        route = flow.route
        for j in range(1, len(route) - 1):
            a, b, c = route[j - 1], route[j], route[j + 1]
            before, after = legs.get((a, b)), legs.get((b, c))
            node = scenario.nodes.get(b)
            if (before is None or after is None or node is None or (a, b, c) in seen
                    or before.gauge_mm is None or after.gauge_mm is None):
                continue
            seen.add((a, b, c))
            change = node.gauge_change
            wanted = (change.from_mm, change.to_mm) if change is not None else None
            found = (before.gauge_mm, after.gauge_mm)
            if found[0] == found[1] or found == wanted:
                continue
            if change is None:
                msg = (f"flow {flow.id!r} changes gauge at {b!r} ({found[0]} mm on leg "
                       f"{before.key!r}, {found[1]} mm on leg {after.key!r}) but node {b!r} "
                       f"has no gauge_change (give it gauge_change: {{from_mm: {found[0]}, "
                       f"to_mm: {found[1]}}} or make the gauges match)")
            else:
                msg = (f"flow {flow.id!r} arrives at {b!r} on {found[0]} mm and leaves on "
                       f"{found[1]} mm, but its gauge_change is {wanted[0]} -> {wanted[1]} mm")
            problems.append(Problem(msg, path=f"flows.{i}.via.{j - 1}"))
    return problems


def check_times(scenario: Scenario) -> list[Problem]:
    """Warm-up shorter than horizon; disruptions inside the simulated window."""
    problems: list[Problem] = []
    if scenario.warmup_days >= scenario.horizon_days:
        problems.append(Problem(f"warmup_days ({scenario.warmup_days}) must be shorter than "
                                f"horizon_days ({scenario.horizon_days})", path="warmup_days"))
    for i, d in enumerate(scenario.disruptions):
        start_h = scenario.hours_since_start(d.start)
        if start_h >= scenario.horizon_days * 24 or start_h + d.days * 24 <= (
                -scenario.warmup_days * 24):
            problems.append(Problem(f"disruption from {d.start} for {d.days} days lies outside "
                                    "the simulated period", path=f"disruptions.{i}.start",
                                    severity="warning"))
    return problems


def check_load(scenario: Scenario) -> list[Problem]:
    """Warnings where peak offered load exceeds a leg's, service's or node's capacity."""
    problems: list[Problem] = []
    demand = link_demand(scenario)
    for i, leg in enumerate(scenario.legs):
        teu, ids = demand.get((leg.from_, leg.to), (0.0, []))
        if leg.trains_per_day is not None and teu / leg.max_train_teu > leg.trains_per_day:
            problems.append(Problem(
                f"flows {', '.join(ids)} need {teu / leg.max_train_teu:.2f} trains/day at peak "
                f"({teu:.1f} TEU/day in full trains of {leg.max_train_teu} TEU) but leg "
                f"{leg.key!r} allows {leg.trains_per_day:g} trains/day",
                path=f"legs.{i}.trains_per_day", severity="warning"))
    for name, svc in scenario.services.items():
        teu, ids = demand.get((svc.from_, svc.to), (0.0, []))
        offered = service_teu_per_day(svc)
        if teu > offered:
            problems.append(Problem(
                f"flows {', '.join(ids)} need {teu:.1f} TEU slots/day at peak but service "
                f"{name!r} offers about {offered:.1f} ({svc.vessels} vessels x "
                f"{svc.capacity_teu:g} TEU per {round_trip_h(svc):.1f} h round trip, less "
                f"{closed_fraction(svc):.0%} weather closures)",
                path=f"services.{name}.vessels", severity="warning"))
    for node_id, (trains, ids) in node_trains_per_day(scenario).items():
        node = scenario.nodes.get(node_id)
        dwell = node.dwell_h.mean() if node is not None else 0.0
        if node is None or dwell <= 0:
            continue
        capacity = node.tracks * 24.0 / dwell
        if trains > capacity:
            problems.append(Problem(
                f"flows {', '.join(ids)} bring {trains:.2f} trains/day at peak but node "
                f"{node_id!r} handles about {capacity:.2f} ({node.tracks} tracks, mean dwell "
                f"{dwell:.1f} h)", path=f"nodes.{node_id}.tracks", severity="warning"))
    return problems


def check_calibration(scenario: Scenario) -> list[Problem]:
    """Calibration bounds are ordered and name paths that exist."""
    from .errors import ScenarioError
    from .overrides import resolve

    problems: list[Problem] = []
    if not scenario.calibration:
        return problems
    data = scenario.model_dump(mode="json", by_alias=True)
    for path, (lo, hi) in scenario.calibration.free.items():
        if not lo < hi:
            problems.append(Problem(f"bounds [{lo}, {hi}] must have low < high",
                                    path=f"calibration.free.{path}"))
        try:
            resolve(data, path)
        except ScenarioError as exc:
            problems.append(Problem(f"free parameter: {exc.problems[0].message}",
                                    path="calibration.free"))
    return problems


def check_scenario(scenario: Scenario, strict: bool = False) -> list[Problem]:
    """Every semantic error and warning; with ``strict``, warnings become errors."""
    problems = [*check_references(scenario), *check_routes(scenario), *check_gauges(scenario),
                *check_times(scenario), *check_load(scenario), *check_calibration(scenario),
                *check_economics(scenario), *check_markets(scenario)]
    if strict:
        problems = [Problem(p.message, p.file, p.line, p.column, p.path, "error")
                    for p in problems]
    return problems


def check_semantics(scenario: Scenario) -> list[Problem]:
    """Same as :func:`check_scenario` (kept for callers of the earlier name)."""
    return check_scenario(scenario)
