"""Train formation at a node and a train's run along its path of legs and nodes."""

from __future__ import annotations

import numpy as np

from .policy import next_slot
from .primitives import first_of
from .queues import INF, CargoQueue
from .records import CAT, LABEL, TRACKS_BUSY, TRAINS_QUEUED, Clock
from .world import World

EPS = 1e-7
QUEUE, PROCESS, SLOT, RUN = LABEL["queue"], LABEL["process"], LABEL["slot"], LABEL["run"]
WAITING, MOVING = CAT["waiting"], CAT["moving"]


def former(world: World, q: CargoQueue, path: tuple[str, ...], capacity_teu: float,
           policy, handle_at_start: bool):
    """Form trains from queue ``q`` for ``path``: leave when full (``when_full`` of
    capacity) or ``max_wait_h`` after the first waiting unit joined, or on a timetable."""
    env = world.env
    fill = policy.when_full * capacity_teu
    last_slot = None

    def dispatch() -> None:
        ids, teu = q.take(capacity_teu)
        if len(ids):
            tons = float(np.add.reduce(world.tons_of[ids]))
            bid = world.rec.new_batch("train", q.key, env.now, ids, teu, tons)
            env.process(train_run(world, bid, path, ids, handle_at_start, q))

    while True:
        q.admit(env.now)
        if policy.timetable_h:
            if q.count == 0 and not q.has_scheduled:
                yield q.wait_event(env)
                continue
            slot = next_slot(policy, max(env.now, q.first_joined() if q.count else
                                         q.next_scheduled()), last_slot)
            if slot > env.now:
                yield env.timeout(slot - env.now)
            last_slot = slot
            q.admit(env.now)
            dispatch()
            continue
        while q.count and q.total_teu >= fill - EPS:
            dispatch()
        first = q.first_joined() if q.count else q.next_scheduled()
        t_next = min(q.time_reaching(fill), first + policy.max_wait_h)
        wake = q.wait_event(env)
        if t_next < INF:
            yield first_of(env, env.timeout(max(0.0, t_next - env.now)), wake)
        else:
            yield wake
        q.admit(env.now)
        if q.count and env.now >= q.first_joined() + policy.max_wait_h - EPS:
            dispatch()


def visit(world: World, clock: Clock, node_id: str):
    """Queue for a track at ``node_id``, wait out closures, then dwell."""
    st = world.stations[node_id]
    if st.dwell.fixed == 0.0:
        return
    env, sample, tracks, code = world.env, world.rec.sample, st.tracks, st.code
    req = tracks.request()
    st.waiting += 1
    sample(code, TRAINS_QUEUED, env.now, st.waiting)
    yield req
    now = env.now
    st.waiting -= 1
    sample(code, TRAINS_QUEUED, now, st.waiting)
    sample(code, TRACKS_BUSY, now, tracks.count)
    reopen = st.closures.next_open(now)
    if reopen > now:
        yield env.timeout(reopen - now)
        now = env.now
    clock.mark(now, code, QUEUE, st.category, st.closures)
    dwell = st.dwell()
    yield env.timeout(dwell / st.cuts.factor_at(now) if st.cuts else dwell)
    now = env.now
    clock.mark(now, code, PROCESS, st.category)
    tracks.release(req)
    sample(code, TRACKS_BUSY, now, tracks.count)


def train_run(world: World, bid: int, path: tuple[str, ...], ids: np.ndarray,
              handle_at_start: bool, source: CargoQueue):
    """Run a train formed from queue ``source`` from ``path[0]`` to ``path[-1]`` and
    unload it there."""
    env = world.env
    clock = Clock(world.rec, bid, env.now)
    if handle_at_start:
        yield from visit(world, clock, path[0])
    lines = world.lines
    for a, b in zip(path, path[1:]):
        line = lines[(a, b)]
        now = env.now
        depart = line.closures.next_open(max(now, line.next_free))
        line.next_free = depart + line.headway_at(depart)
        if depart > now:
            yield env.timeout(depart - now)
            clock.mark(env.now, line.code, SLOT, WAITING, line.closures)
        yield env.timeout(line.distance_km / max(line.speed(), 1.0))
        clock.mark(env.now, line.code, RUN, MOVING)
        yield from visit(world, clock, b)
    world.rec.b_end[bid] = env.now
    world.forward(ids, source)
