"""Wire a scenario's fleets into a built world: a ``StockPool`` per fleet, the train
queues that need platforms, the queues whose segment ends where units are freed, and
the origin arrivals that wait for a container or wagon (``Feeder``)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from ..scenario.fleet_checks import leg_gauges, platform_starts, release_index
from .stock import Feeder, StockPool
from .world import World


def build_pools(world: World) -> None:
    """A pool per fleet of the scenario, with the queues that take and free its units."""
    sc = world.scenario
    if not sc.fleets:
        return
    index = {f.id: i for i, f in enumerate(sc.flows)}
    distance_km = _distances(world.network.graph)
    for name, spec in sc.fleets.items():
        uses = np.zeros(len(sc.flows), dtype=bool)
        uses[[index[f] for f in spec.flows]] = True
        pool = StockPool(world.env, name, spec, distance_km, uses)
        world.pools.append(pool)
        if spec.travels_with_cargo:
            _frees(world, len(world.pools) - 1, pool)
        else:
            _platform_queues(world, pool)
    for q in world.queue_list:  # queues all of whose cargo frees a unit of one fleet
        if q.frees is not None and len(q.free_pools) == 1:
            here = q.next_by_flow > -2  # the flows that pass through q
            if (q.frees[here] == q.free_pools[0]).all():
                q.frees_all = q.free_pools[0]


def _distances(graph):
    """Shortest network distance (km) between two nodes, computed once per pair."""
    cache: dict[tuple[str, str], float] = {}

    def distance_km(a: str, b: str) -> float:
        km = cache.get((a, b))
        if km is None:
            km = cache[(a, b)] = nx.shortest_path_length(graph, a, b, weight="distance_km")
        return km

    return distance_km


def _frees(world: World, p: int, pool: StockPool) -> None:
    """Mark the queue whose segment ends where each flow's unit is freed."""
    sc, nflows = world.scenario, len(world.scenario.flows)
    for fi in np.flatnonzero(pool.flow_uses).tolist():
        flow = sc.flows[fi]
        node = flow.route[release_index(sc, flow, pool.spec)]
        for si, seg in enumerate(world.flow_segments[fi]):
            if seg.end == node:
                q = world.queue_list[world.qid_table[fi, si]]
                if q.frees is None:
                    q.frees = np.full(nflows, -1, dtype=np.int64)
                q.frees[fi], q.free_node = p, node
                if p not in q.free_pools:
                    q.free_pools = sorted([*q.free_pools, p])
                break


def _platform_queues(world: World, pool: StockPool) -> None:
    """Trains formed where a flow of the fleet starts a ride on its gauge need platforms."""
    sc, spec = world.scenario, pool.spec
    biggest = max(sc.flows[fi].teu_per_unit for fi in np.flatnonzero(pool.flow_uses))
    least = max(1, math.ceil(biggest / spec.teu_per_wagon - 1e-9))
    gauges = leg_gauges(sc)
    for fi in np.flatnonzero(pool.flow_uses).tolist():
        starts = set(platform_starts(sc, sc.flows[fi], spec, gauges))
        if spec.repositioning == "return":  # trains formed away from the depots run
            starts &= set(spec.depots)  # without the fleet (a scenario warning says so)
        for si, seg in enumerate(world.flow_segments[fi]):
            if seg.kind == "rail" and seg.start in starts:
                qid = int(world.qid_table[fi, si])
                if qid not in world.platforms:  # (does all cargo formed into trains
                    # here ride the fleet's platforms?)
                    only = bool(pool.flow_uses[(world.qid_table == qid).any(axis=1)].all())
                    world.platforms[qid] = (pool, spec.teu_per_wagon, least, only)


def schedule_origins(world: World, created: np.ndarray) -> None:
    """Schedule each flow's pre-drawn arrivals into its first queue. Cargo that travels
    with a container or wagon gets it at its origin: where the depot holds a unit for
    every arrival (or boxes are hired one way) the arrivals are scheduled as they are
    without fleets; otherwise a ``Feeder`` admits them as units are at hand."""
    sc, pools = world.scenario, world.pools
    carried = {fi: p for p, pool in enumerate(pools) if pool.spec.travels_with_cargo
               for fi in np.flatnonzero(pool.flow_uses).tolist()}
    ids_of = [np.flatnonzero(world.flow_of == fi) for fi in range(len(sc.flows))]
    groups: dict[tuple[int, str], list[int]] = {}
    for fi, p in carried.items():
        groups.setdefault((p, sc.flows[fi].from_), []).append(fi)
    ample = {(p, node): pools[p].available(node) >= sum(len(ids_of[f]) for f in fis)
             for (p, node), fis in groups.items()}
    for fi, ids in enumerate(ids_of):
        p = carried.get(fi)
        key = None if p is None else (p, sc.flows[fi].from_)
        if key is None or ample[key]:
            world.queue_list[world.qid_table[fi, 0]].schedule(created[ids], ids)
            if key is not None:
                pools[p].take_at(key[1], created[ids])
    for (p, node), fis in groups.items():
        if ample[(p, node)]:
            continue
        ids = np.concatenate([ids_of[f] for f in fis])
        feeder = Feeder(world, pools[p], node, created[ids], ids)
        world.feeders.append(feeder)
        world.env.process(feeder.run())
