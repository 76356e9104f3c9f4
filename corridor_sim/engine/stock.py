"""Fleets of wagons, platforms and containers during a run (scenario/fleets.py says what
they are and how freed units are repositioned).

A ``StockPool`` counts one fleet's units: idle at each depot, in use (with cargo or in a
train) and empty on their way back to a depot. Every change is logged with its time
(``log_*``, read out after the run as the fleet's series); the live counters are what
the processes decide with. An empty trip is no SimPy event: it is kept with its arrival
time and settled (the units become idle at the depot, logged at their arrival) when the
depot is next asked for units, at the end of the run, or at its arrival if a process
waits at that depot for a unit.

Units that travel with their cargo are handed out by a ``Feeder`` per fleet and origin:
it admits the origin's pre-drawn arrivals into their first queue once a unit is at hand
(a consignment created while none is waits for one: ``Recorder.ready_h``). While the
depot holds enough units it books them for the arrivals of the next ``BOOK_AHEAD_H``
hours at once (all remaining arrivals if it holds that many), so an ample fleet costs no
event per consignment and leaves every queue exactly as it would be without the fleet.
"""

from __future__ import annotations

import heapq
from array import array

import numpy as np

INF = float("inf")
LOOKAHEAD_H = 24.0  # units are booked once their cargo is due within this many hours,
BOOK_AHEAD_H = 48.0  # ... for all cargo due within this many (one booking a day or so)


class Depot:
    __slots__ = ("alarm", "inbound", "node", "order", "start", "stock", "trips", "wake")

    def __init__(self, node: str, start: int, order: int):
        self.node, self.start, self.order = node, start, order
        self.stock = start  # idle units here (as of the last arrival settled)
        self.inbound = 0  # empty units on their way here
        self.trips: list[tuple[float, int, int]] = []  # heap: (arrival, seq, units)
        self.wake = None  # simpy event for whoever waits for a unit here
        self.alarm = INF  # the earliest wake-up scheduled for that waiter


class StockPool:
    """The units of one fleet (``spec``: scenario.fleets.Fleet) in one run.

    ``distance_km(a, b)``: the shortest network distance an empty unit travels from
    node ``a`` to node ``b``."""

    def __init__(self, env, name: str, spec, distance_km, flow_uses: np.ndarray):
        self.env, self.name, self.spec = env, name, spec
        self.one_way = spec.repositioning == "one_way"
        self.depots = {n: Depot(n, c, i) for i, (n, c) in enumerate(spec.depots.items())}
        self.distance_km = distance_km
        self.flow_uses = flow_uses  # bool per flow index: the flow uses this fleet
        self.in_use = 0
        self.takes = 0  # units handed out (loaded trips started)
        self.empty_t = array("d")  # each empty trip: when it left, units, km
        self.empty_units = array("q")
        self.empty_km = array("d")
        # the log: time, node (None: the fleet as a whole), idle / in-use / empty deltas
        self.log_t = array("d")
        self.log_node: list[str | None] = []
        self.log_idle = array("q")
        self.log_use = array("q")
        self.log_empty = array("q")
        self.booked: list[tuple[str | None, np.ndarray]] = []  # take_at: (node, times)
        for d in self.depots.values():
            self._log(env.now, d.node, d.start, 0, 0)

    # -- asking and taking ------------------------------------------------------------
    def available(self, node: str) -> float:
        """Idle units at ``node`` (unlimited when boxes are hired one way)."""
        if self.one_way:
            return INF
        d = self.depots.get(node)
        return self._settled(d).stock if d is not None else 0

    def take(self, node: str, n: int, t: float | None = None) -> None:
        """Hand out ``n`` units at ``node``, for cargo loaded at ``t`` (default now)."""
        t = self.env.now if t is None else t
        self.takes += n
        self.in_use += n
        if self.one_way:
            self._log(t, None, 0, n, 0)
            return
        self._settled(self.depots[node]).stock -= n
        self._log(t, node, -n, n, 0)

    def take_at(self, node: str, times: np.ndarray) -> None:
        """Hand out one unit at ``node`` for each cargo created at ``times`` (booked now,
        logged when each is created)."""
        n = len(times)
        if n == 0:
            return
        self.takes += n
        self.in_use += n
        if not self.one_way:
            self._settled(self.depots[node]).stock -= n
        self.booked.append((None if self.one_way else node, times))

    def wait(self, node: str):
        """An event that fires when a unit next becomes idle at ``node`` (freed there, or
        arriving empty)."""
        d = self.depots[node]
        if d.wake is None or d.wake.triggered:
            d.wake = self.env.event()
        if d.trips:
            self._alarm(d, d.trips[0][0])
        return d.wake

    # -- freeing and repositioning ---------------------------------------------------------
    def free(self, node: str, n: int) -> None:
        """``n`` units are freed at ``node`` now: they stay, or go back empty (module
        docstring of scenario/fleets.py)."""
        if n <= 0:
            return
        now = self.env.now
        self.in_use -= n
        if self.one_way:  # handed back to the lessor here
            self._log(now, None, 0, -n, 0)
            return
        while n > 0:
            target, k = self._destination(node, n)
            n -= k
            if target.node == node:
                target.stock += k
                self._log(now, node, k, -k, 0)
                self._wake(target)
                continue
            km = self.distance_km(node, target.node)
            self.empty_t.append(now)
            self.empty_units.append(k)
            self.empty_km.append(km)
            target.inbound += k
            self._log(now, None, 0, -k, k)
            # the trip is settled when the depot is next asked (no event of its own),
            # or at its arrival if someone waits there for a unit
            at = now + km / self.spec.empty_speed_kmh
            heapq.heappush(target.trips, (at, len(self.empty_t), k))
            if target.wake is not None and not target.wake.triggered:
                self._alarm(target, at)

    def _destination(self, node: str, n: int) -> tuple[Depot, int]:
        """Where (some of) ``n`` units freed at ``node`` go, and how many."""
        here = self.depots.get(node)
        if here is not None:
            gap = here.start - here.stock - here.inbound  # short of its start
            if gap > 0:
                return here, min(n, gap)
        short, share, short_gap = None, 0.0, 0  # the depot short of the largest share of
        for d in self.depots.values():  # its start (the first of equals, as written)
            gap = d.start - d.stock - d.inbound
            if gap > 0:
                s = gap / max(d.start, 1)
                if short is None or s > share:
                    short, share, short_gap = d, s, gap
        if short is not None:
            return short, min(n, short_gap)
        if here is not None:
            return here, n
        return max(self.depots.values(), key=lambda d: (d.start, -d.order)), n

    def _settled(self, d: Depot) -> Depot:
        """``d`` with the empty units that have arrived there by now made idle."""
        if d.trips and d.trips[0][0] <= self.env.now:
            self._settle(d, self.env.now)
        return d

    def _settle(self, d: Depot, until: float, strict: bool = False) -> None:
        """Units on their way to ``d`` that arrived by ``until`` (before, if
        ``strict``) are idle there, each logged at its arrival."""
        trips = d.trips
        while trips and (trips[0][0] < until or (not strict and trips[0][0] == until)):
            at, _, k = heapq.heappop(trips)
            d.inbound -= k
            d.stock += k
            self._log(at, d.node, k, 0, -k)

    def settle(self, until: float) -> None:
        """Settle the empty trips that arrived before ``until`` (the end of a run)."""
        for d in self.depots.values():
            self._settle(d, until, strict=True)

    def _alarm(self, d: Depot, at: float) -> None:
        """Wake whoever waits at ``d`` at ``at``, when a unit arrives there."""
        if at >= d.alarm:
            return
        d.alarm = at
        ring = self.env.timeout(max(0.0, at - self.env.now))
        ring.callbacks.append(lambda _e: self._ring(d, at))

    def _ring(self, d: Depot, at: float) -> None:
        if d.alarm == at:
            d.alarm = INF
        self._settle(d, self.env.now)
        self._wake(d)

    @staticmethod
    def _wake(d: Depot) -> None:
        if d.wake is not None and not d.wake.triggered:
            d.wake.succeed()
        d.wake = None

    def log(self, nodes: bool = True
            ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
        """The log as arrays, in no particular order: time, node (object; None for the
        fleet as a whole; the array is None itself when not asked for with ``nodes``),
        and the idle, in-use and empty deltas of each change. Units booked ahead
        (``take_at``) give a row per unit at its cargo's creation."""
        # the bookings: one row per unit, each booking's node repeated over its units
        at = [a for a, _ in self.booked]
        count = np.array([len(times) for _, times in self.booked], dtype=np.int64)
        t = np.concatenate([np.frombuffer(self.log_t, dtype=np.float64),
                            *(times for _, times in self.booked)])
        node = None
        if nodes:
            node = np.concatenate([np.asarray(self.log_node, dtype=object),
                                   np.repeat(np.array(at, dtype=object), count)])
        idle = np.concatenate([np.frombuffer(self.log_idle, dtype=np.int64),
                               np.repeat(np.array([0 if a is None else -1 for a in at],
                                                  dtype=np.int64), count)])
        use = np.concatenate([np.frombuffer(self.log_use, dtype=np.int64),
                              np.ones(int(count.sum()), dtype=np.int64)])
        empty = np.zeros(len(t), dtype=np.int64)
        empty[:len(self.log_empty)] = np.frombuffer(self.log_empty, dtype=np.int64)
        return t, node, idle, use, empty

    def _log(self, t: float, node: str | None, idle: int, use: int, empty: int) -> None:
        self.log_t.append(t)
        self.log_node.append(node)
        self.log_idle.append(idle)
        self.log_use.append(use)
        self.log_empty.append(empty)


class Feeder:
    """Admits the pre-drawn arrivals of flows whose cargo travels with a unit of ``pool``
    from depot ``node`` into their first queues as units are at hand."""

    def __init__(self, world, pool: StockPool, node: str, times: np.ndarray,
                 ids: np.ndarray):
        order = np.argsort(times, kind="stable")
        self.world, self.pool, self.node = world, pool, node
        self.times = times[order]
        # consignment ids as 4-byte integers where they fit (a ten-year run: ~3 MiB less)
        self.ids = ids[order].astype(np.int32 if len(ids) == 0 or ids.max() < 2**31
                                     else np.int64)
        qids = world.first_qids(self.ids)  # the first queue of each
        self.queues = np.unique(qids).tolist()  # ascending
        # (kept only if they differ)
        self.qids = qids.astype(np.int32) if len(self.queues) > 1 else None
        self.i = 0  # arrivals before this index have their unit

    def pending(self) -> np.ndarray:
        """Consignments created or still to be created that have no unit yet."""
        return self.ids[self.i:]

    def ample(self) -> bool:
        return self.pool.available(self.node) >= len(self.times) - self.i

    def book_all(self) -> None:
        """Book a unit for every remaining arrival (none created yet) and schedule them
        all."""
        self._book(len(self.times))

    def run(self):
        """The feeder's process (only needed when the depot cannot book everything)."""
        env, pool, node, times = self.world.env, self.pool, self.node, self.times
        n = len(times)
        while self.i < n:
            now = env.now
            due = int(times.searchsorted(now, side="right"))
            if due > self.i:  # created, waiting for a unit
                k = int(min(due - self.i, pool.available(node)))
                if k:
                    self._admit_now(k)
                if self.i < due:
                    yield pool.wait(node)
                    continue
            if self.ample():  # a unit for every arrival still to come
                self.book_all()
                return
            # (beyond the look-ahead, so that waking at an arrival's time minus
            # LOOKAHEAD_H always books it despite rounding, and a day's cargo at once)
            ahead = int(times.searchsorted(now + BOOK_AHEAD_H, side="right"))
            k = int(min(ahead - self.i, pool.available(node)))
            if k:
                self._book(self.i + k)
            if self.i < n:  # sleep until the next arrival is due (no unit left to
                # book for it) or comes within the look-ahead
                wake = float(times[self.i]) - (0.0 if self.i < ahead else LOOKAHEAD_H)
                yield env.timeout(max(0.0, wake - now))

    def _book(self, j: int) -> None:
        """Book units for arrivals ``i..j`` (not yet created) and schedule them."""
        sl = slice(self.i, j)
        times, ids = self.times[sl], self.ids[sl]
        self.pool.take_at(self.node, times)
        if len(self.queues) == 1:
            if len(ids):
                self.world.schedule_into(self.queues[0], times, ids, in_order=True)
        else:
            qids = self.qids[sl]
            for qid in self.queues:
                sel = qids == qid
                if sel.any():
                    self.world.schedule_into(qid, times[sel], ids[sel], in_order=True)
        self.i = j

    def _admit_now(self, k: int) -> None:
        """The next ``k`` arrivals, already created, get their unit now."""
        now = self.world.env.now
        sl = slice(self.i, self.i + k)
        ids = self.ids[sl]
        self.pool.take(self.node, k)
        self.world.rec.ready_h[ids] = now
        self.world.put_first(ids, now)
        self.i += k
