"""The built network: nodes, links and each flow's route cut into train/vessel segments.

A *segment* is the stretch one batch carries a consignment: a train from the node where it
is formed to the next node where trains are broken up (a transshipment node, a gauge
change, a port, or some flow's destination), or one sea crossing by a service.
Consignments waiting at the same node for the same segment share trains.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .scenario.links import break_nodes, directed_links
from .scenario.models import Leg, Scenario, Service


@dataclass(frozen=True)
class Segment:
    """One ride: ``kind`` 'rail' (path of nodes) or 'sea' (service name; ``reverse`` when
    it crosses from the service's ``to`` port back to its ``from`` port)."""

    kind: str
    path: tuple[str, ...]
    service: str | None = None
    reverse: bool = False

    @property
    def start(self) -> str:
        return self.path[0]

    @property
    def end(self) -> str:
        return self.path[-1]

    @property
    def key(self) -> str:
        if self.kind == "sea":
            return f"sea:{self.service}" + (RETURN if self.reverse else "")
        return "rail:" + ">".join(self.path)


RETURN = ":return"  # the suffix of a sea segment's key for the crossing back


def segment_parts(key: str) -> tuple[str, list[str]]:
    """Split a segment key (:attr:`Segment.key`) into its kind and its nodes (rail) or
    ``[service name]`` (sea; ``[service name, 'return']`` for the crossing back)."""
    kind, _, rest = key.partition(":")
    return kind, rest.split(">") if kind == "rail" else rest.split(":")


def segment_path(key: str, scenario: Scenario) -> list[str]:
    """The nodes a batch of segment ``key`` passes, in travel order (a sea segment: its
    two ports, from the service's ``to`` port on the crossing back)."""
    kind, parts = segment_parts(key)
    if kind == "rail":
        return parts
    svc = scenario.services[parts[0]]
    ends = [svc.from_, svc.to]
    return ends[::-1] if parts[1:] == ["return"] else ends


class Network:
    """Graph of the scenario (a networkx DiGraph) plus route segmentation."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.graph = nx.DiGraph()
        for node_id, node in scenario.nodes.items():
            self.graph.add_node(node_id, spec=node)
        # every (from, to) step a route may take, with the leg or service that serves it
        # (legs and services serve both directions; scenario/links.py)
        self.links = directed_links(scenario)
        self.legs: dict[tuple[str, str], Leg] = {}
        self.services: dict[tuple[str, str], tuple[str, Service]] = {}
        for (a, b), link in self.links.items():
            if link.kind == "rail":
                self.legs[(a, b)] = link.leg
                dist = link.leg.distance_km
            else:
                self.services[(a, b)] = (link.name, link.service)
                dist = link.service.distance_km
            self.graph.add_edge(a, b, kind=link.kind, key=link.name, reverse=link.reverse,
                                distance_km=dist)
        self.break_nodes = break_nodes(scenario)
        self.segments = {f.id: self._segments(f.route) for f in scenario.flows}

    def _segments(self, route: list[str]) -> list[Segment]:
        segments: list[Segment] = []
        start = 0
        for i in range(1, len(route)):
            a, b = route[i - 1], route[i]
            if (a, b) in self.services:
                if i - 1 > start:
                    segments.append(Segment("rail", tuple(route[start:i])))
                segments.append(Segment("sea", (a, b), self.services[(a, b)][0],
                                        self.links[(a, b)].reverse))
                start = i
            elif route[i] in self.break_nodes or i == len(route) - 1:
                segments.append(Segment("rail", tuple(route[start:i + 1])))
                start = i
        return segments

    def train_capacity_teu(self, path: tuple[str, ...]) -> int:
        """Longest train (TEU slots) allowed on every leg of ``path``."""
        return min(self.legs[(a, b)].max_train_teu for a, b in zip(path, path[1:]))

    def route_distance_km(self, route: list[str]) -> float:
        return sum(self.graph.edges[a, b]["distance_km"] for a, b in zip(route, route[1:]))
