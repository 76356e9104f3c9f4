"""Sea services: the vessels of a fleet shuttle between its two ports, loading at each
port the cargo and background traffic waiting for the crossing (under the service's
departure rule) and crossing empty where nothing ever waits that way."""

from __future__ import annotations

import numpy as np

from .closures import wait_until_open
from .deck import DeckQueue
from .departure import make_rule, wait_for_departure
from .records import CAT, LABEL, VESSELS_LOADED, Clock
from .world import Fleet, World

LOAD, WEATHER, SAIL, ANCHORAGE, BERTH, UNLOAD = (
    LABEL[a] for a in ("load", "weather", "sail", "anchorage", "berth", "unload"))
TRANSSHIPMENT, DISRUPTION, MOVING, WAITING = (
    CAT[c] for c in ("transshipment", "disruption", "moving", "waiting"))


def sail_vessel(world: World, fleet: Fleet, outbound: DeckQueue | None,
                inbound: DeckQueue | None):
    """One vessel of ``fleet``, starting at its ``origin`` port. ``outbound`` holds what
    waits there to cross to ``dest``, ``inbound`` what waits at ``dest`` to cross back
    (``None`` where neither cargo nor background traffic crosses that way: the vessel
    then crosses empty without calling). Anchorage (``anchorage_h``) applies on
    reaching ``dest``."""
    env = world.env
    ports = (fleet.origin, fleet.dest)
    queues = (outbound, inbound)
    # a vessel of a two-way service leaves empty when its wait is up, to load on the
    # other side; one that only ever loads on one side waits there for cargo (standby
    # traffic alone does not make a side one to wait for)
    two_way = all(d is not None and not d.standby_only for d in (outbound, inbound))
    rules = tuple(make_rule(policy, fleet.capacity_teu, clock="vehicle", leave_empty=two_way)
                  for policy in (fleet.depart, fleet.depart_return))
    here = 0
    while True:
        q = queues[here]
        if q is None:
            yield from wait_until_open(env, fleet.closures)
            yield env.timeout(fleet.sail_h())
        else:
            yield from _loaded_crossing(world, fleet, q, rules[here], ports[here],
                                        ports[1 - here], anchor=here == 0)
        here = 1 - here


def _loaded_crossing(world: World, fleet: Fleet, q: DeckQueue, rule, port, other,
                     anchor: bool):
    """Berth at ``port``, load from ``q`` when ``rule`` lets the vessel leave, sail to
    ``other`` (waiting out closures before sailing and, if ``anchor``, at anchor there),
    unload, and hand the cargo on."""
    env, rec = world.env, world.rec
    if not port.berths.take_free():
        yield port.berths.request()
    # the fill level follows the capacity when the vessel berthed, the load the
    # capacity when it leaves (a capacity cut may start or end in between)
    now = env.now
    rule.ready(now, fleet.capacity_at(now))
    if q.standby_only:  # nothing to wait for: load what waits and go
        q.admit(now)
    else:
        yield from wait_for_departure(env, q, rule)
        now = env.now
    ids, teu, background = q.take(fleet.capacity_at(now))
    rule.left(now)
    tons = float(np.add.reduce(world.tons_of[ids]))
    bid = rec.new_batch("vessel", q.key, now, ids, teu, tons, background)
    fleet.loaded += 1
    rec.sample(fleet.code, VESSELS_LOADED, now, fleet.loaded)
    clock = Clock(rec, bid, now)
    deck = teu + background
    yield env.timeout(deck / fleet.load_teu_per_h)
    clock.mark(env.now, port.code, LOAD, TRANSSHIPMENT)
    if not fleet.closures.empty and (yield from wait_until_open(env, fleet.closures)):
        clock.mark(env.now, fleet.code, WEATHER, DISRUPTION)
    port.berths.release()
    yield env.timeout(fleet.sail_h())
    clock.mark(env.now, fleet.code, SAIL, MOVING)
    wait = fleet.anchorage_h() if anchor else 0.0
    if wait > 0:
        yield env.timeout(wait)
        clock.mark(env.now, other.code, ANCHORAGE, WAITING)
    if not other.berths.take_free():
        yield other.berths.request()
    clock.mark(env.now, other.code, BERTH, WAITING)
    yield env.timeout(deck / fleet.unload_teu_per_h)
    now = env.now
    clock.mark(now, other.code, UNLOAD, TRANSSHIPMENT)
    other.berths.release()
    rec.b_end[bid] = now
    fleet.loaded -= 1
    rec.sample(fleet.code, VESSELS_LOADED, now, fleet.loaded)
    world.forward(ids, q.cargo)
