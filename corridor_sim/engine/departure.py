"""Departure rules: when may the next train or vessel leave a queue of waiting cargo.

A rule is a small object with one question to answer, ``next_look(q, now)``: given the
queue (cargo waiting, and pre-drawn arrivals still to come) and the clock, may a batch
leave now (``None``), or at what time should the rule be asked again (``INF``: only once
cargo is put into the queue)? If its ``wakes_on_cargo`` is true, cargo put into the queue
before that time makes the rule look again at once. ``left(now)`` tells the rule that a
batch just left; ``ready(now, capacity_teu)`` that a vehicle of that capacity is ready to
load (a vessel has berthed).

``wait_for_departure`` is the one waiting loop trains and vessels share. It owns the
*admit-first* rule: arrivals due by now are admitted into the queue before the rule reads
its counts, so no rule can see a stale queue.

Adding a rule is one class here and one entry in ``make_rule`` (and its fields in the
scenario schema's ``DepartPolicy``); see docs/extending.md.
"""

from __future__ import annotations

import math
from typing import Protocol

from .primitives import fire_at
from .queues import INF, CargoQueue

EPS = 1e-7  # hours: times this close count as equal when a rule compares them


class DepartureRule(Protocol):
    """When may a batch leave? (See the module docstring.)"""

    wakes_on_cargo: bool

    def ready(self, now: float, capacity_teu: float) -> None: ...

    def next_look(self, q: CargoQueue, now: float) -> float | None: ...

    def left(self, now: float) -> None: ...


def wait_for_departure(env, q: CargoQueue, rule: DepartureRule):
    """Wait (a SimPy generator) until ``rule`` lets a batch leave queue ``q``."""
    while True:
        now = env.now
        q.admit(now)
        t = rule.next_look(q, now)
        if t is None:
            q.unwatch(rule)
            return
        if t == INF:
            yield q.wait_event(env, rule)
        elif rule.wakes_on_cargo:  # (cargo put before t wakes it only if the rule,
            # asked then, would leave or look again sooner; see CargoQueue.wait_event)
            until = max(t, now)
            yield fire_at(env, until - now, q.wait_event(env, rule, q, until))
        else:
            yield env.timeout(t - now)


class FillOrMaxWait:
    """Leave once ``when_full`` of the capacity is waiting, or ``max_wait_h`` hours after
    the clock started: when the first waiting unit joined (``clock="cargo"``, trains), or
    when the vehicle became ready to load (``clock="vehicle"``, a vessel at its berth).
    With ``leave_empty`` a vehicle leaves at the deadline even with nothing to load (a
    vessel of a two-way service goes where cargo waits); otherwise it waits for cargo."""

    wakes_on_cargo = True

    def __init__(self, when_full: float, max_wait_h: float, capacity_teu: float,
                 clock: str = "cargo", leave_empty: bool = False):
        self.leave_empty = leave_empty
        self.when_full = when_full
        self.fill = when_full * capacity_teu
        self.max_wait_h = max_wait_h
        self.by_cargo = clock == "cargo"
        self.since = -INF  # when the vehicle became ready (clock="vehicle")

    def ready(self, now: float, capacity_teu: float) -> None:
        self.since = now
        self.fill = self.when_full * capacity_teu

    def left(self, now: float) -> None:
        pass

    def next_look(self, q: CargoQueue, now: float) -> float | None:
        if q.count and q.total_teu >= self.fill - EPS:
            return None
        if self.by_cargo:
            deadline = (q.first_joined() if q.count else q.next_scheduled()) + self.max_wait_h
        else:
            deadline = self.since + self.max_wait_h
        if (q.count or self.leave_empty) and now >= deadline - EPS:
            return None
        if self.by_cargo or now < deadline:
            return min(q.time_reaching(self.fill), deadline)
        return q.next_scheduled()  # INF: only once cargo is put


class Timetable:
    """Leave only at timetable slots, ``offset_h + k * interval_h``: a batch takes the
    first slot at or after the moment cargo waits, strictly after the previous batch's
    slot; a slot with nothing to take passes unused (with ``leave_empty``, a vehicle
    takes the first slot whatever waits)."""

    wakes_on_cargo = False

    def __init__(self, interval_h: float, offset_h: float = 0.0, leave_empty: bool = False):
        self.interval_h, self.offset_h = interval_h, offset_h
        self.leave_empty = leave_empty
        self.last: float | None = None  # the slot the previous batch took
        self.planned: float | None = None  # the slot the next batch waits for

    def ready(self, now: float, capacity_teu: float) -> None:
        self.last = None

    def left(self, now: float) -> None:
        self.last, self.planned = self.planned, None

    def next_slot(self, t: float) -> float:
        """The first slot at or after ``t`` and strictly after the previous batch's."""
        k = math.ceil((t - self.offset_h) / self.interval_h - 1e-9)
        slot = self.offset_h + k * self.interval_h
        if self.last is not None and slot <= self.last + 1e-9:
            slot = self.last + self.interval_h
        return slot

    def enough(self, q: CargoQueue) -> bool:
        """Is there enough waiting to use a slot?"""
        return q.count > 0 or self.leave_empty

    def cargo_from(self, q: CargoQueue) -> float:
        """From when there is (or will be, by pre-drawn arrivals) enough waiting
        (``INF``: not before more cargo is put into the queue)."""
        if self.leave_empty:
            return -INF
        return q.first_joined() if q.count else q.next_scheduled()

    def next_look(self, q: CargoQueue, now: float) -> float | None:
        if self.planned is None:
            first = self.cargo_from(q)
            if first == INF:
                return INF
            self.planned = self.next_slot(max(now, first))
        if now < self.planned - EPS:
            return self.planned
        if self.enough(q):  # the slot has come
            return None
        self.last, self.planned = self.planned, None  # it passes unused
        return self.next_look(q, now)


class FilledTimetable(Timetable):
    """Leave at the first timetable slot at which at least ``min_fill`` of the capacity
    waits (a booked path that is not run half empty)."""

    def __init__(self, interval_h: float, offset_h: float, min_fill: float,
                 capacity_teu: float, leave_empty: bool = False):
        super().__init__(interval_h, offset_h, leave_empty)
        self.min_fill = min_fill
        self.fill = min_fill * capacity_teu

    def ready(self, now: float, capacity_teu: float) -> None:
        super().ready(now, capacity_teu)
        self.fill = self.min_fill * capacity_teu

    def enough(self, q: CargoQueue) -> bool:
        return (q.count > 0 and q.total_teu >= self.fill - EPS) or self.leave_empty

    def cargo_from(self, q: CargoQueue) -> float:
        return max(super().cargo_from(q), q.time_reaching(self.fill))


def make_rule(policy, capacity_teu: float, clock: str = "cargo",
              leave_empty: bool = False, block_teu: float | None = None) -> DepartureRule:
    """The departure rule a scenario's ``depart:`` block asks for, for a batch of
    ``capacity_teu``; ``clock`` says when a fill-or-wait rule's maximum wait starts;
    ``leave_empty``: a vehicle may leave with nothing to load when its wait is up;
    ``block_teu``: block trains, which leave once a whole block (TEU) waits even if the
    train is not filled to ``when_full``."""
    if policy.timetable_h and policy.timetable_min_fill is not None:
        return FilledTimetable(policy.timetable_h, policy.timetable_offset_h,
                               policy.timetable_min_fill, capacity_teu, leave_empty)
    if policy.timetable_h:
        return Timetable(policy.timetable_h, policy.timetable_offset_h, leave_empty)
    rule = FillOrMaxWait(policy.when_full, policy.max_wait_h, capacity_teu, clock, leave_empty)
    if block_teu is not None:
        rule.fill = min(rule.fill, block_teu)
    return rule
