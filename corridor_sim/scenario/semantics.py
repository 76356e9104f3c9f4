"""Checks that need the whole scenario: references resolve, routes are connected,
and offered load against capacity (warnings)."""

from __future__ import annotations

import difflib

from .errors import Problem
from .models import Scenario


def _suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def links(scenario: Scenario) -> dict[tuple[str, str], str]:
    """Map (from, to) -> 'leg:<key>' or 'service:<name>' for every link."""
    out: dict[tuple[str, str], str] = {}
    for leg in scenario.legs:
        out[(leg.from_, leg.to)] = f"leg:{leg.key}"
    for name, svc in scenario.services.items():
        out[(svc.from_, svc.to)] = f"service:{name}"
    return out


def check_semantics(scenario: Scenario) -> list[Problem]:
    """Errors and warnings about references, routes and capacity."""
    problems: list[Problem] = []
    nodes = scenario.nodes

    def ref(name: str, path: str) -> None:
        if name not in nodes:
            problems.append(Problem(f"unknown node {name!r}{_suggest(name, nodes)}", path=path))

    for i, leg in enumerate(scenario.legs):
        ref(leg.from_, f"legs.{i}.from")
        ref(leg.to, f"legs.{i}.to")
        if leg.from_ == leg.to:
            problems.append(Problem("a leg must join two different nodes", path=f"legs.{i}"))
    for name, svc in scenario.services.items():
        ref(svc.from_, f"services.{name}.from")
        ref(svc.to, f"services.{name}.to")
        for end, node_id in (("from", svc.from_), ("to", svc.to)):
            if node_id in nodes and nodes[node_id].kind != "port":
                problems.append(Problem(f"service {end} node {node_id!r} is a "
                                        f"{nodes[node_id].kind}, expected a port",
                                        path=f"services.{name}.{end}"))
    keys = [leg.key for leg in scenario.legs]
    dupes = {k for k in keys if keys.count(k) > 1}
    for k in sorted(dupes):
        problems.append(Problem(f"two legs share the id {k!r}; give them distinct ids",
                                path="legs"))
    ids = [f.id for f in scenario.flows]
    for i, fid in enumerate(ids):
        if ids.index(fid) != i:
            problems.append(Problem(f"duplicate flow id {fid!r}", path=f"flows.{i}.id"))

    link_map = links(scenario)
    for i, flow in enumerate(scenario.flows):
        route = flow.route
        for j, node_id in enumerate(route):
            field = "from" if j == 0 else ("to" if j == len(route) - 1 else f"via.{j - 1}")
            ref(node_id, f"flows.{i}.{field}")
        if len(set(route)) != len(route):
            problems.append(Problem("route visits a node twice", path=f"flows.{i}.via"))
        for a, b in zip(route, route[1:]):
            if a in nodes and b in nodes and (a, b) not in link_map:
                problems.append(Problem(
                    f"route of flow {flow.id!r} has no leg or service from {a!r} to {b!r}",
                    path=f"flows.{i}"))

    targets = set(nodes) | set(scenario.services) | set(keys)
    for i, d in enumerate(scenario.disruptions):
        if d.target not in targets:
            problems.append(Problem(f"unknown disruption target {d.target!r}"
                                    f"{_suggest(d.target, targets)} (a node, leg or service)",
                                    path=f"disruptions.{i}.target"))
    if scenario.calibration:
        for path, (lo, hi) in scenario.calibration.free.items():
            if not lo < hi:
                problems.append(Problem(f"bounds [{lo}, {hi}] must have low < high",
                                        path=f"calibration.free.{path}"))
    return problems
