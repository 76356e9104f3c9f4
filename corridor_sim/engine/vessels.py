"""Sea services: each vessel of a fleet berths at the origin port, loads when its
departure rule lets it leave, sails, unloads at the destination, and returns empty."""

from __future__ import annotations

import numpy as np

from .closures import wait_until_open
from .departure import make_rule, wait_for_departure
from .queues import CargoQueue
from .records import CAT as C
from .records import LABEL as A
from .records import VESSELS_LOADED, Clock
from .world import Fleet, World


def sail_vessel(world: World, fleet: Fleet, q: CargoQueue):
    """One vessel of ``fleet`` shuttling, loaded, from its origin to its destination
    port with cargo from queue ``q``."""
    env, rec = world.env, world.rec
    origin, dest = fleet.origin, fleet.dest
    rule = make_rule(fleet.depart, fleet.capacity_teu, clock="vehicle")
    while True:
        berth = origin.berths.request()
        yield berth
        # the fill level follows the capacity when the vessel berthed, the load the
        # capacity when it leaves (a capacity cut may start or end in between)
        rule.ready(env.now, fleet.capacity_at(env.now))
        yield from wait_for_departure(env, q, rule)
        ids, teu = q.take(fleet.capacity_at(env.now))
        rule.left(env.now)
        tons = float(np.add.reduce(world.tons_of[ids]))
        bid = rec.new_batch("vessel", q.key, env.now, ids, teu, tons)
        fleet.loaded += 1
        rec.sample(fleet.code, VESSELS_LOADED, env.now, fleet.loaded)
        clock = Clock(rec, bid, env.now)
        yield env.timeout(teu / fleet.load_teu_per_h)
        clock.mark(env.now, origin.code, A["load"], C["transshipment"])
        if (yield from wait_until_open(env, fleet.closures)):
            clock.mark(env.now, fleet.code, A["weather"], C["disruption"])
        origin.berths.release(berth)
        yield env.timeout(fleet.sail_h())
        clock.mark(env.now, fleet.code, A["sail"], C["moving"])
        wait = fleet.anchorage_h()
        if wait > 0:
            yield env.timeout(wait)
            clock.mark(env.now, dest.code, A["anchorage"], C["waiting"])
        berth_d = dest.berths.request()
        yield berth_d
        clock.mark(env.now, dest.code, A["berth"], C["waiting"])
        yield env.timeout(teu / fleet.unload_teu_per_h)
        clock.mark(env.now, dest.code, A["unload"], C["transshipment"])
        dest.berths.release(berth_d)
        rec.b_end[bid] = env.now
        fleet.loaded -= 1
        rec.sample(fleet.code, VESSELS_LOADED, env.now, fleet.loaded)
        world.forward(ids, q)
        yield from wait_until_open(env, fleet.closures)
        yield env.timeout(fleet.sail_h())

