"""Trains: formed from a queue at a node, run along their path of legs and nodes, and
broken up at its end."""

from __future__ import annotations

import math

import numpy as np

from .closures import wait_until_open
from .departure import DepartureRule, wait_for_departure
from .queues import CargoQueue
from .records import CAT, LABEL, TRACKS_BUSY, TRAINS_QUEUED, Clock
from .world import Station, World

QUEUE, PROCESS, SLOT, RUN = LABEL["queue"], LABEL["process"], LABEL["slot"], LABEL["run"]
WAITING, MOVING = CAT["waiting"], CAT["moving"]


def form_trains(world: World, q: CargoQueue, path: tuple[str, ...], capacity_teu: float,
                rule: DepartureRule, handle_at_start: bool):
    """Form trains of up to ``capacity_teu`` from queue ``q`` for ``path`` whenever
    ``rule`` lets one leave, and start each on its run."""
    env, rec, tons_of = world.env, world.rec, world.tons_of
    way = world.route(path, q.service)
    stock = world.platforms.get(q.qid)  # (see World.platforms) if trains formed here
    # carry cargo on platforms
    while True:
        yield from wait_for_departure(env, q, rule)
        room, held, wagons = capacity_teu, 0.0, None
        if stock is not None:
            room, held = yield from _platforms_at_hand(world, q, stock, capacity_teu)
        ids, teu = q.take(room)
        now = env.now
        rule.left(now)
        if len(ids):
            if stock is not None:
                wagons = _take_platforms(world, stock, path[0], ids, teu)
            tons = float(np.add.reduce(tons_of[ids]))
            bid = rec.new_batch("train", q.key, now, ids, teu, tons, held_h=held)
            env.process(run_train(world, bid, way, ids, handle_at_start, q, wagons))


def _platforms_at_hand(world: World, q: CargoQueue, stock, capacity_teu: float):
    """Hold a train that may leave until platforms are idle at its node (enough for the
    largest unit); return the TEU it may load (what the idle platforms carry, at most
    its capacity) and the hours it was held."""
    env, (pool, per_wagon, least, _) = world.env, stock
    ready = env.now
    while pool.available(q.node) < least:
        yield pool.wait(q.node)
        q.admit(env.now)
    return min(capacity_teu, pool.available(q.node) * per_wagon), env.now - ready


def _take_platforms(world: World, stock, node: str, ids: np.ndarray, teu: float) -> tuple:
    """Take the platforms a train of ``ids`` (``teu`` in all) needs at ``node``: one per
    ``per_wagon`` TEU of the cargo of the fleet's flows."""
    pool, per_wagon, _, only = stock
    if not only:
        uses = pool.flow_uses[world.flow_of[ids]]
        teu = float(np.add.reduce(world.teu_of[ids][uses]))
    n = math.ceil(teu / per_wagon - 1e-9)
    pool.take(node, n)
    return pool, n


def visit(world: World, clock: Clock, st: Station, service: int):
    """Take a free track at station ``st`` or queue for one, wait out closures, then be
    handled as a train of class ``service`` (a station it passes through is not
    visited). A train that finds a track free takes it without an event and is not
    counted as queued."""
    env, sample, tracks, code = world.env, world.rec.sample, st.tracks, st.code
    if not tracks.take_free():  # queue for a track
        req = tracks.request()
        st.waiting += 1
        sample(code, TRAINS_QUEUED, env.now, st.waiting)
        yield req
        st.waiting -= 1
        sample(code, TRAINS_QUEUED, env.now, st.waiting)
    now = env.now
    sample(code, TRACKS_BUSY, now, tracks.count)
    if not st.closures.empty:
        yield from wait_until_open(env, st.closures)
        now = env.now
    clock.mark(now, code, QUEUE, st.category, st.closures)
    yield env.timeout(st.handling_h(now, service))
    now = env.now
    clock.mark(now, code, PROCESS, st.category)
    tracks.release()
    sample(code, TRACKS_BUSY, now, tracks.count)


def run_train(world: World, bid: int, way: tuple, ids: np.ndarray, handle_at_start: bool,
              source: CargoQueue, wagons: tuple | None = None):
    """Run train ``bid``, formed from queue ``source``, along ``way`` (``World.route``
    of its path) and hand its consignments on at the end; free its platforms
    (``wagons``: pool and count) there. The train is of its queue's service class."""
    env = world.env
    clock = Clock(world.rec, bid, env.now)
    service = source.service
    first, legs, last = way
    if handle_at_start and first is not None:
        yield from visit(world, clock, first, service)
    for line, stop in legs:
        now = env.now
        depart, run_h = line.reserve(now, service)
        if depart > now:
            yield env.timeout(depart - now)
            clock.mark(env.now, line.code, SLOT, WAITING, line.closures)
        yield env.timeout(run_h)
        clock.mark(env.now, line.code, RUN, MOVING)
        if stop is not None:
            yield from visit(world, clock, stop, service)
    world.rec.b_end[bid] = env.now
    if wagons is not None:
        wagons[0].free(last, wagons[1])
    world.forward(ids, source)
