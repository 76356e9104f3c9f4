"""Checks of a scenario's fleets, and where on a flow's route its fleets' units are taken
and freed (pure functions over the scenario; see :mod:`corridor_sim.scenario.fleets`)."""

from __future__ import annotations

from .errors import Problem
from .fleets import Fleet
from .links import break_nodes, directed_links


def leg_gauges(scenario) -> dict[tuple[str, str], int | None]:
    """The track gauge of every rail step (either direction) a route may take."""
    return {pair: lk.leg.gauge_mm for pair, lk in directed_links(scenario).items()
            if lk.kind == "rail"}


def release_index(scenario, flow, fleet: Fleet) -> int:
    """Index in ``flow.route`` of the node where a unit of ``fleet`` that travels with
    the flow's cargo is freed: the destination, or for a wagon fleet the first node after
    which the route continues on rail of another gauge."""
    route = flow.route
    if fleet.kind == "wagon" and fleet.gauge_mm is not None:
        gauges = leg_gauges(scenario)
        for j in range(1, len(route) - 1):
            g = gauges.get((route[j], route[j + 1]))
            if g is not None and g != fleet.gauge_mm:
                return j
    return len(route) - 1


def first_rail_gauge(scenario, flow) -> int | None:
    """The gauge of the first rail step of the flow's route (None if it has none or the
    leg gives no gauge)."""
    gauges = leg_gauges(scenario)
    for pair in zip(flow.route, flow.route[1:]):
        if pair in gauges:
            return gauges[pair]
    return None


def region(scenario, fleet: Fleet, gauges: dict | None = None) -> set[str]:
    """The nodes a platform fleet serves: those joined to one of its depots by rail of
    its gauge (two regions of the same gauge, such as China's and Turkiye's standard
    gauge, are told apart by where the fleet's depots are). ``gauges``: the scenario's
    ``leg_gauges``, if the caller has them."""
    gauges = leg_gauges(scenario) if gauges is None else gauges
    links: dict[str, set[str]] = {}
    for (a, b), g in gauges.items():
        if g == fleet.gauge_mm:
            links.setdefault(a, set()).add(b)
    seen = set(fleet.depots)
    todo = list(seen)
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def platform_starts(scenario, flow, fleet: Fleet, gauges: dict | None = None) -> list[str]:
    """The nodes where trains carrying ``flow`` on the gauge of platform ``fleet`` are
    formed inside the fleet's region: the origin and every node where trains are broken
    up or cargo lands from a ship, followed by a rail step of that gauge. ``gauges``:
    the scenario's ``leg_gauges``, if the caller has them."""
    gauges = leg_gauges(scenario) if gauges is None else gauges
    breaks = break_nodes(scenario)
    served = region(scenario, fleet, gauges)
    route = flow.route
    starts = []
    for j in range(len(route) - 1):
        step = (route[j], route[j + 1])
        formed = j == 0 or route[j] in breaks or (route[j - 1], route[j]) not in gauges
        if formed and gauges.get(step) == fleet.gauge_mm and route[j] in served:
            starts.append(route[j])
    return starts


def check_fleets(scenario) -> list[Problem]:
    """Fleets name known flows and nodes, their depots hold the whole fleet, a flow uses
    at most one fleet that travels with its cargo and one platform fleet per gauge,
    wagons run on the gauge they are built for, and each flow can get a unit where it
    needs one."""
    problems: list[Problem] = []
    flows = {f.id: f for f in scenario.flows}
    learned = {a.flow: mid for mid, m in scenario.markets.items() if m.expected == "learned"
               for a in m.alternatives if a.flow is not None}
    carried: dict[str, str] = {}
    platforms: dict[tuple[str, str], str] = {}
    for name, fleet in scenario.fleets.items():
        at = f"fleets.{name}"
        for node in fleet.depots:
            if node not in scenario.nodes:
                problems.append(Problem(f"unknown depot node {node!r}", path=f"{at}.depots"))
        if fleet.size < 1:
            problems.append(Problem("a fleet needs at least one unit: its depots hold none",
                                    path=f"{at}.depots"))
        elif sum(fleet.depots.values()) != fleet.size:
            problems.append(Problem(
                f"the depots hold {sum(fleet.depots.values())} units but size is "
                f"{fleet.size}: the counts at the depots must add up to the size",
                path=f"{at}.depots"))
        if fleet.kind != "container" and fleet.gauge_mm is None:
            problems.append(Problem(f"a {fleet.kind} fleet needs gauge_mm (the track "
                                    f"gauge its wagons run on)", path=f"{at}.gauge_mm"))
        if fleet.kind == "container" and fleet.gauge_mm is not None:
            problems.append(Problem("containers run on any gauge: leave gauge_mm out",
                                    path=f"{at}.gauge_mm"))
        for k, fid in enumerate(fleet.flows):
            where = f"{at}.flows.{k}"
            flow = flows.get(fid)
            if flow is None:
                problems.append(Problem(f"unknown flow {fid!r}", path=where))
                continue
            if fleet.travels_with_cargo:
                if fid in learned:
                    problems.append(Problem(
                        f"flow {fid!r} is chosen during the run by market "
                        f"{learned[fid]!r} (expected: learned), whose consignments cannot "
                        f"wait for a {fleet.kind}: leave the flow out of the fleet or give "
                        f"the market expected: anticipated", path=where))
                if fid in carried:
                    problems.append(Problem(
                        f"flow {fid!r} already uses fleet {carried[fid]!r}: a consignment "
                        f"travels with one container or wagon", path=where))
                carried[fid] = name
                problems += _check_carried(scenario, flow, fleet, where)
            else:
                starts = platform_starts(scenario, flow, fleet)
                for node in starts:
                    if (fid, node) in platforms:
                        problems.append(Problem(
                            f"trains of flow {fid!r} formed at {node!r} already take "
                            f"platforms of fleet {platforms[(fid, node)]!r}", path=where))
                    platforms[(fid, node)] = name
                # (a flow that never runs in the fleet's region takes none of its
                # platforms: what-ifs reroute flows of the baseline's fleets)
                for node in starts:
                    if fleet.repositioning == "return" and node not in fleet.depots:
                        problems.append(Problem(
                            f"trains of flow {fid!r} are formed at {node!r} on "
                            f"{fleet.gauge_mm} mm track, which is not a depot of this fleet "
                            f"(depots: {', '.join(fleet.depots)}): they run without its "
                            f"platforms (add a depot there to count them)", path=where,
                            severity="warning"))
    return problems


def _check_carried(scenario, flow, fleet: Fleet, where: str) -> list[Problem]:
    problems: list[Problem] = []
    if fleet.kind == "wagon":
        if flow.unit != "wagon":
            problems.append(Problem(f"flow {flow.id!r} ships {flow.unit} units: a wagon "
                                    f"fleet serves flows of unit: wagon", path=where))
        gauge = first_rail_gauge(scenario, flow)
        if gauge is not None and gauge != fleet.gauge_mm:
            problems.append(Problem(
                f"flow {flow.id!r} leaves {flow.from_!r} on {gauge} mm track; wagons of "
                f"{fleet.gauge_mm} mm cannot run there", path=where))
    elif flow.unit != "teu":
        problems.append(Problem(f"flow {flow.id!r} ships wagons: a container fleet serves "
                                f"flows of unit: teu", path=where))
    if fleet.repositioning == "return" and flow.from_ not in fleet.depots:
        problems.append(Problem(
            f"flow {flow.id!r} loads at {flow.from_!r}, which is not a depot of this fleet "
            f"(depots: {', '.join(fleet.depots)}): no unit would ever wait there for it",
            path=where))
    return problems
