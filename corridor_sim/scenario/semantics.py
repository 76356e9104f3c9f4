"""Checks that need the whole scenario: references resolve, routes are connected, units
fit trains and vessels, track gauges meet at gauge changes, and offered load against
capacity (warnings).

Pure functions: a scenario in, a list of :class:`Problem` out (paths, no positions;
the loader adds file positions).
"""

from __future__ import annotations

import datetime as dt
import warnings

from .capacity import (
    closed_fraction,
    far_port_wait_h,
    link_demand,
    node_trains_per_day,
    round_trip_h,
    service_teu_per_day,
)
from .cost_checks import check_economics, check_markets
from .errors import Problem, ScenarioError, ScenarioWarning
from .fleet_checks import check_fleets
from .links import directed_links
from .models import Scenario
from .overrides import resolve
from .schema_paths import suggest


def links(scenario: Scenario) -> dict[tuple[str, str], str]:
    """Map (from, to) -> 'leg:<key>' or 'service:<name>' (with ' (reverse)' when a route
    rides it against its written direction) for every pair a route may step along."""
    return {pair: link.label for pair, link in directed_links(scenario).items()}


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
    for i, pair in enumerate(scenario.report.legs_of_interest):
        for j, name in enumerate(pair):
            ref(name, f"report.legs_of_interest.{i}.{j}")
    return problems


def check_routes(scenario: Scenario) -> list[Problem]:
    """Each flow's route is linked in order by legs or services; units fit."""
    problems: list[Problem] = []
    nodes = scenario.nodes
    link_map = directed_links(scenario)
    legs = {pair: lk.leg for pair, lk in link_map.items() if lk.kind == "rail"}
    services = {pair: (lk.name, lk.service) for pair, lk in link_map.items()
                if lk.kind == "sea"}
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
                    f"route of flow {flow.id!r} has no leg or service between {a!r} and "
                    f"{b!r} in either direction (from {a!r} there are links to: "
                    f"{', '.join(onward) or 'nothing'})", path=path))
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
    legs = {pair: lk.leg for pair, lk in directed_links(scenario).items() if lk.kind == "rail"}
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
            if found[0] == found[1] or (change is not None and change.allows(*found)):
                continue
            if change is None:
                msg = (f"flow {flow.id!r} changes gauge at {b!r} ({found[0]} mm on leg "
                       f"{before.key!r}, {found[1]} mm on leg {after.key!r}) but node {b!r} "
                       f"has no gauge_change (give it gauge_change: {{from_mm: {found[0]}, "
                       f"to_mm: {found[1]}}} or make the gauges match)")
            else:
                ways = "one way only" if change.one_way else "either way"
                msg = (f"flow {flow.id!r} arrives at {b!r} on {found[0]} mm and leaves on "
                       f"{found[1]} mm, but its gauge_change is {wanted[0]} -> {wanted[1]} mm "
                       f"({ways})")
            problems.append(Problem(msg, path=f"flows.{i}.via.{j - 1}"))
    return problems


def outside_horizon(scenario: Scenario) -> list[Problem]:
    """A warning for every disruption that lies wholly outside the simulated period (warm-up
    included), so that it has no effect on the run."""
    problems: list[Problem] = []
    first = scenario.start_date - dt.timedelta(days=scenario.warmup_days)
    last = scenario.start_date + dt.timedelta(days=scenario.horizon_days)
    for i, d in enumerate(scenario.disruptions):
        start_h = scenario.hours_since_start(d.start)
        if start_h >= scenario.horizon_days * 24 or start_h + d.days * 24 <= (
                -scenario.warmup_days * 24):
            name = f" {d.id!r}" if getattr(d, "id", None) else ""
            problems.append(Problem(
                f"disruption{name} of {d.target} from {d.start:%Y-%m-%d} for {d.days:g} days lies "
                f"outside the simulated period ({first} to {last}) and has no effect",
                path=f"disruptions.{i}.start", severity="warning"))
    return problems


MAX_TONS_PER_TEU = 40.0
"""Heaviest load per TEU slot accepted: a 20-ft container may weigh at most 30.48 t gross
(ISO 668), and a 4-axle 1520 mm wagon of about two TEU slots carries about 70 t."""


def check_units(scenario: Scenario) -> list[Problem]:
    """A consignment's tons fit the TEU slots it takes (:data:`MAX_TONS_PER_TEU`)."""
    problems: list[Problem] = []
    for i, flow in enumerate(scenario.flows):
        per_teu = flow.tons_per_unit / flow.teu_per_unit
        if per_teu > MAX_TONS_PER_TEU:
            problems.append(Problem(
                f"flow {flow.id!r}: {flow.tons_per_unit:g} t per {flow.unit} on "
                f"{flow.teu_per_unit:g} TEU slot(s) is {per_teu:,.3g} t per TEU; no container "
                f"or wagon carries more than about {MAX_TONS_PER_TEU:g} t per TEU slot "
                "(tons_per_unit is tonnes per unit, not per year)",
                path=f"flows.{i}.tons_per_unit"))
    return problems


def check_times(scenario: Scenario) -> list[Problem]:
    """Warm-up shorter than horizon; disruptions inside the simulated window."""
    problems: list[Problem] = []
    if scenario.warmup_days >= scenario.horizon_days:
        problems.append(Problem(f"warmup_days ({scenario.warmup_days}) must be shorter than "
                                f"horizon_days ({scenario.horizon_days})", path="warmup_days"))
    return problems + outside_horizon(scenario)


def check_load(scenario: Scenario) -> list[Problem]:
    """Warnings where peak offered load exceeds a leg's, service's or node's capacity;
    errors where background traffic cannot fit a service's deck."""
    problems: list[Problem] = []
    demand = link_demand(scenario)
    link_map = directed_links(scenario)

    def offered(a: str, b: str, name: str) -> tuple[float, list[str]]:
        """Demand on (a, b) if that direction rides link ``name``."""
        lk = link_map.get((a, b))
        return demand.get((a, b), (0.0, [])) if lk is not None and lk.name == name \
            else (0.0, [])

    for i, leg in enumerate(scenario.legs):
        ways = [offered(leg.from_, leg.to, leg.key), offered(leg.to, leg.from_, leg.key)]
        if leg.track == "single":  # both directions share the line
            ways = [(ways[0][0] + ways[1][0], ways[0][1] + ways[1][1])]
        for teu, ids in ways:
            if leg.trains_per_day is not None and teu / leg.max_train_teu > leg.trains_per_day:
                problems.append(Problem(
                    f"flows {', '.join(ids)} need {teu / leg.max_train_teu:.2f} trains/day at "
                    f"peak ({teu:.1f} TEU/day in full trains of {leg.max_train_teu} TEU) but "
                    f"{leg.track}-track leg {leg.key!r} allows {leg.trains_per_day:g} "
                    f"trains/day{' in both directions together' if leg.track == 'single' else ''}",
                    path=f"legs.{i}.trains_per_day", severity="warning"))
    for name, svc in scenario.services.items():
        ways = (("outbound", svc.from_, svc.to), ("return", svc.to, svc.from_))
        # standby traffic takes only the deck cargo leaves: it never overloads a service
        load = {way: (offered(a, b, name), background_peak(svc, way, standby=False))
                for way, a, b in ways}
        back = load["return"][0][0] + load["return"][1] > 0  # vessels load both ways
        for way, _, _ in ways:
            (teu, ids), trucks = load[way]
            other = load["return" if way == "outbound" else "outbound"]
            wait = far_port_wait_h(svc, way, other[0][0] + other[1]) if back else 0.0
            if trucks > 0:
                ids = [*ids, f"background traffic ({trucks:.1f} slots/day)"]
            _check_service_load(problems, name, svc, teu + trucks, ids, back, wait)
        problems += check_background(name, svc)
    for node_id, (trains, hours, ids) in node_trains_per_day(scenario).items():
        node = scenario.nodes.get(node_id)
        if node is None or hours <= 0:
            continue
        dwell = hours / trains  # mean over the trains of both service classes
        capacity = node.tracks * 24.0 / dwell
        if trains > capacity:
            problems.append(Problem(
                f"flows {', '.join(ids)} bring {trains:.2f} trains/day at peak but node "
                f"{node_id!r} handles about {capacity:.2f} ({node.tracks} tracks, mean dwell "
                f"{dwell:.1f} h)", path=f"nodes.{node_id}.tracks", severity="warning"))
    return problems


def background_peak(svc, way: str, standby: bool = True) -> float:
    """Deck slots a day a service's background traffic takes one way at its peak month
    (without ``standby``: only the traffic that boards ahead of cargo)."""
    return sum(bg.units_per_day * (max(bg.seasonality.values()) if bg.seasonality else 1.0)
               * bg.teu_per_unit for bg in svc.background
               if bg.direction == way and (standby or bg.boards == "booked"))


def check_background(name: str, svc) -> list[Problem]:
    """Background traffic must fit the deck: each unit on one vessel, and each
    direction's peak demand within what the fleet carries a day (errors)."""
    problems: list[Problem] = []
    capacity = service_teu_per_day(svc)
    for i, bg in enumerate(svc.background):
        if bg.teu_per_unit > svc.capacity_teu:
            problems.append(Problem(
                f"a {bg.unit} of background traffic {bg.id!r} takes {bg.teu_per_unit:g} "
                f"deck slots but vessels of service {name!r} have {svc.capacity_teu:g}",
                path=f"services.{name}.background.{i}.teu_per_unit"))
    for way in ("outbound", "return"):
        first, rules = None, None
        for i, bg in enumerate(svc.background):
            path = f"services.{name}.background.{i}"
            if bg.direction != way:
                continue
            first = first or f"{path}.units_per_day"
            if rules is None:
                rules = (bg.boards, bg.max_wait_h)
            elif (bg.boards, bg.max_wait_h) != rules:
                problems.append(Problem(
                    f"background traffic {bg.id!r} of service {name!r} ({way}) boards "
                    f"{bg.boards!r} with max_wait_h {bg.max_wait_h} but the first entry that "
                    f"way boards {rules[0]!r} with max_wait_h {rules[1]}: entries of one "
                    f"direction share boards and max_wait_h", path=f"{path}.boards"))
        peak = background_peak(svc, way)
        if peak > capacity and (rules is None or rules[1] is None):  # else turned away
            problems.append(Problem(
                f"background traffic of service {name!r} ({way}) needs {peak:.1f} deck "
                f"slots a day at peak but the service carries about {capacity:.1f} a day "
                f"({_fleet_text(svc)}): lower units_per_day, add vessels or set "
                f"max_wait_h (units that wait longer are turned away)", path=first))
    return problems


def _check_service_load(problems: list[Problem], name: str, svc, teu: float,
                        ids: list[str], loaded_back: bool = False,
                        wait_h: float = 0.0) -> None:
    """Warn if flows offer a service more TEU per day, in one direction, than it carries
    (with ``wait_h`` hours a round trip at the far port waiting for cargo back)."""
    capacity = service_teu_per_day(svc, loaded_back, wait_h)
    if teu > capacity:
        problems.append(Problem(
            f"flows {', '.join(ids)} need {teu:.1f} TEU slots/day at peak but service "
            f"{name!r} offers about {capacity:.1f} "
            f"({_fleet_text(svc, loaded_back, wait_h)})",
            path=f"services.{name}.vessels", severity="warning"))


def _fleet_text(svc, loaded_back: bool = False, wait_h: float = 0.0) -> str:
    """How a service's daily capacity comes about, for messages."""
    waiting = f", waiting {wait_h:.0f} h for cargo back" if wait_h > 0 else ""
    return (f"{svc.vessels} vessels x {svc.capacity_teu:g} TEU per "
            f"{round_trip_h(svc, loaded_back, wait_h):.1f} h round trip"
            f"{', loading both ways' if loaded_back else ''}{waiting}, less "
            f"{closed_fraction(svc):.0%} weather closures")


def check_calibration(scenario: Scenario) -> list[Problem]:
    """Calibration bounds are ordered and name paths that exist."""
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
    linked = [*check_references(scenario), *check_routes(scenario)]
    broken = any(p.severity == "error" for p in linked)  # fleets need connected routes
    problems = [*linked, *check_gauges(scenario),
                *check_units(scenario), *check_times(scenario), *check_load(scenario),
                *check_calibration(scenario),
                *check_economics(scenario), *check_markets(scenario),
                *([] if broken else check_fleets(scenario))]
    if strict:
        problems = [Problem(p.message, p.file, p.line, p.column, p.path, "error")
                    for p in problems]
    return problems


def check_semantics(scenario: Scenario) -> list[Problem]:
    """Same as :func:`check_scenario` (kept for callers of the earlier name)."""
    return check_scenario(scenario)


def warn_outside_horizon(scenario: Scenario) -> None:
    """Issue a :class:`ScenarioWarning` for each disruption that lies wholly outside the
    simulated period of ``scenario`` (it would silently have no effect)."""
    for p in outside_horizon(scenario):
        warnings.warn(f"{p.path}: {p.message}", ScenarioWarning, stacklevel=3)
