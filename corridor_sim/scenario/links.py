"""Which leg or service joins two nodes, in which direction.

Legs and services are written in one direction (``from`` -> ``to``) but serve both: a flow
may ride a leg or a sea service against its written direction. A link written explicitly
in a direction wins over riding another one in reverse; where a leg and a service join the
same two nodes, the service wins (as it always has for routes).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Leg, Scenario, Service


@dataclass(frozen=True)
class Link:
    """One direction of a leg (``kind`` 'rail') or of a sea service ('sea')."""

    kind: str
    name: str  # the leg's key or the service's name
    reverse: bool  # ridden against its written direction
    leg: Leg | None = None
    service: Service | None = None

    @property
    def label(self) -> str:
        """'leg:<key>' or 'service:<name>', with ' (reverse)' when ridden backwards."""
        text = f"leg:{self.name}" if self.kind == "rail" else f"service:{self.name}"
        return text + (" (reverse)" if self.reverse else "")


def directed_links(scenario: Scenario) -> dict[tuple[str, str], Link]:
    """Every (from, to) pair a route may step along, with the link that serves it."""
    out: dict[tuple[str, str], Link] = {}
    for reverse in (True, False):  # explicit directions last, so they win
        for leg in scenario.legs:
            a, b = (leg.to, leg.from_) if reverse else (leg.from_, leg.to)
            out[(a, b)] = Link("rail", leg.key, reverse, leg=leg)
        for name, svc in scenario.services.items():
            a, b = (svc.to, svc.from_) if reverse else (svc.from_, svc.to)
            out[(a, b)] = Link("sea", name, reverse, service=svc)
    return out


def flow_direction(scenario: Scenario, flow) -> str:
    """'westbound' if the flow's destination lies west of its origin, else 'eastbound'
    (by the nodes' longitudes; the corridor runs east-west)."""
    nodes = scenario.nodes
    return "westbound" if nodes[flow.to].lon < nodes[flow.from_].lon else "eastbound"


def break_nodes(scenario: Scenario) -> set[str]:
    """Nodes where trains are broken up: transshipment nodes, gauge changes, ports, the
    ports of sea services and every flow's destination."""
    destinations = {f.to for f in scenario.flows}
    sea_ends = {n for svc in scenario.services.values() for n in (svc.from_, svc.to)}
    return {n for n, spec in scenario.nodes.items()
            if spec.breaks_trains or n in destinations or n in sea_ends}
