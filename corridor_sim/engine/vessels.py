"""Sea services: each vessel loads at the origin port, sails, unloads, and returns empty."""

from __future__ import annotations

import numpy as np

from .policy import next_slot
from .primitives import first_of
from .queues import CargoQueue
from .records import CAT as C
from .records import LABEL as A
from .records import VESSELS_LOADED, Clock
from .world import World

KM_PER_NM = 1.852
EPS = 1e-7


def _wait_for_cargo(world: World, q: CargoQueue, policy, capacity_teu: float, since: float):
    """Hold the vessel at its berth until its departure rule says go (cargo on board)."""
    env = world.env
    fill = policy.when_full * capacity_teu
    last_slot = None
    while True:
        q.admit(env.now)
        if policy.timetable_h:
            slot = next_slot(policy, env.now, last_slot)
            if slot > env.now:
                yield env.timeout(slot - env.now)
            last_slot = slot
            q.admit(env.now)
            if q.count:
                return
            continue
        if q.count and q.total_teu >= fill - EPS:
            return
        deadline = since + policy.max_wait_h
        if q.count and env.now >= deadline - EPS:
            return
        wake = q.wait_event(env)
        if env.now < deadline:
            yield first_of(env, env.timeout(deadline - env.now), wake)
        else:
            yield wake


def vessel(world: World, name: str, q: CargoQueue, speed, anchorage):
    """One vessel of service ``name`` shuttling from its origin to its destination port."""
    env, rec = world.env, world.rec
    svc = world.scenario.services[name]
    closures = world.service_closures[name]
    cuts = world.service_cuts.get(name)
    origin, dest = svc.from_, svc.to
    c_origin, c_dest, c_name = rec.code(origin), rec.code(dest), rec.code(name)
    while True:
        berth = world.berths[origin].request()
        yield berth
        capacity = svc.capacity_teu * cuts.factor_at(env.now) if cuts else svc.capacity_teu
        yield from _wait_for_cargo(world, q, svc.depart, capacity, env.now)
        if cuts:
            capacity = svc.capacity_teu * cuts.factor_at(env.now)
        ids, teu = q.take(capacity)
        tons = float(np.add.reduce(world.tons_of[ids]))
        bid = rec.new_batch("vessel", q.key, env.now, ids, teu, tons)
        world.service_busy[name] += 1
        rec.sample(c_name, VESSELS_LOADED, env.now, world.service_busy[name])
        clock = Clock(rec, bid, env.now)
        yield env.timeout(teu / svc.load_teu_per_h)
        clock.mark(env.now, c_origin, A["load"], C["transshipment"])
        reopen = closures.next_open(env.now)
        if reopen > env.now:
            yield env.timeout(reopen - env.now)
            clock.mark(env.now, c_name, A["weather"], C["disruption"])
        world.berths[origin].release(berth)
        yield env.timeout(svc.distance_km / (max(speed(), 0.5) * KM_PER_NM))
        clock.mark(env.now, c_name, A["sail"], C["moving"])
        wait = anchorage()
        if wait > 0:
            yield env.timeout(wait)
            clock.mark(env.now, c_dest, A["anchorage"], C["waiting"])
        berth_d = world.berths[dest].request()
        yield berth_d
        clock.mark(env.now, c_dest, A["berth"], C["waiting"])
        yield env.timeout(teu / svc.unload_teu_per_h)
        clock.mark(env.now, c_dest, A["unload"], C["transshipment"])
        world.berths[dest].release(berth_d)
        rec.b_end[bid] = env.now
        world.service_busy[name] -= 1
        rec.sample(c_name, VESSELS_LOADED, env.now, world.service_busy[name])
        world.forward(ids, q)
        reopen = closures.next_open(env.now)
        if reopen > env.now:
            yield env.timeout(reopen - env.now)
        yield env.timeout(svc.distance_km / (max(speed(), 0.5) * KM_PER_NM))
