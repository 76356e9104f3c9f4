"""Route choice during the run, with expectations learned from recent deliveries (markets
with ``expected: learned``).

A learned market's creation times and the uniform number each consignment draws its route
with are drawn up front (:func:`.demand.market_units`: the same streams as a market with
fixed expectations, so both modes share their random numbers). The route is chosen day by
day: at the start of each day (hours ``t0 + 24 k``) one process computes, for each
simulated alternative, the expected transit from what has been delivered so far, draws
the route of every consignment created that day (logit shares,
:mod:`corridor_sim.economics.choice`) and schedules those that chose a simulated flow into
that flow's origin queue (:meth:`.queues.CargoQueue.schedule`). Abstract routes keep their
transit distribution; their consignments never enter the simulation.

Expected transit of a simulated alternative at time t (days), from the flow's
consignments (:func:`learned_transit_days`)::

    base(t) = mean transit of those delivered in [t - W, t]
              (the prior, ``expected_transit_days``, if none was)
    late(t) = ages t - created of those created before t, not delivered by t,
              and older than base(t)
    E(t)    = mean of the delivered transits and late(t) together
              (the prior if both are empty)

with W = ``learn_window_days``. A consignment still on its way after the recent mean counts
as if it were delivered now, its age being a lower bound of its transit: cargo stuck on a
closed or jammed route makes the route look worse while it is stuck, before the late
deliveries arrive (which then keep it looking worse for up to W days). In steady operation
such consignments are few and barely older than the mean, so E(t) is the mean transit.

Scheduling wakes a train or vessel waiting for cargo at that queue, so fill-or-wait rules
see the new arrivals at once; a timetable rule that has already planned its next slot
from cargo known before keeps that slot (it never moves a slot earlier).

Consignment ids: the run's arrays hold, after every other consignment, one reserved slot
per market consignment. Slots are handed out in the order of choice (so a flow's market
consignments are numbered in creation order); the unused ones are cut off after the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..economics.choice import alternative_terms, logit_shares, pick
from .demand import market_units

PERIOD_H = 24.0  # consignments created in a period choose with what is known at its start


def learned_transit_days(created: np.ndarray, delivered: np.ndarray, now: float,
                         window_h: float, prior_days: float) -> float:
    """Expected transit (days) at ``now`` of a route whose consignments were created at
    ``created`` and delivered at ``delivered`` (hours; NaN: not yet), as in the module
    docstring: recent deliveries, plus consignments overdue against their mean."""
    recent = (delivered >= now - window_h) & (delivered <= now)
    done = delivered[recent] - created[recent]
    base_h = float(done.mean()) if len(done) else prior_days * 24.0
    age = now - created[np.isnan(delivered) & (created < now)]
    late = age[age > base_h]
    n = len(done) + len(late)
    if n == 0:
        return prior_days
    return float(done.sum() + late.sum()) / n / 24.0


@dataclass
class LearnedMarket:
    """A market choosing during the run: its consignments' creation times and uniform
    numbers, the money, prior days and availability of each alternative for each of them
    (alternatives x consignments), its simulated alternatives as (alternative index,
    flow index), and the choices made so far (-1: not yet)."""

    mid: str
    market: object
    times: np.ndarray
    u: np.ndarray
    money: np.ndarray
    days: np.ndarray
    ok: np.ndarray
    flows: list[tuple[int, int]]
    chosen: np.ndarray
    trace: list[tuple[float, list[float]]] = field(default_factory=list)


def plan(scenario, t0_h: float, t1_h: float, streams) -> list[LearnedMarket]:
    """The learned markets of ``scenario`` with their draws for [t0_h, t1_h). A market
    with only abstract alternatives has nothing to learn: it is left out (it chooses as
    with fixed expectations and costs no simulation event)."""
    index = {f.id: i for i, f in enumerate(scenario.flows)}
    out = []
    for mid, m in scenario.markets.items():
        if m.expected != "learned" or not any(a.flow for a in m.alternatives):
            continue
        times, u = market_units(scenario, mid, t0_h, t1_h, streams)
        money, days, ok = alternative_terms(scenario, m, times)
        flows = [(k, index[a.flow]) for k, a in enumerate(m.alternatives) if a.flow]
        out.append(LearnedMarket(mid, m, times, u, money, days, ok, flows,
                                 np.full(len(times), -1, dtype=np.int64)))
    return out


@dataclass
class Slots:
    """Reserved consignment ids ``first, first + 1, ...``, handed out in order."""

    first: int
    size: int
    used: int = 0

    def take(self, n: int) -> np.ndarray:
        ids = np.arange(self.first + self.used, self.first + self.used + n, dtype=np.int64)
        self.used += n
        assert self.used <= self.size, "more market consignments than reserved"
        return ids

    @property
    def end(self) -> int:
        """One past the last id handed out: the run's number of consignments."""
        return self.first + self.used


def reserve(markets: list[LearnedMarket], created: np.ndarray, flow_of: np.ndarray,
            teu_of: np.ndarray, tons_of: np.ndarray):
    """The consignment arrays with a slot per learned-market consignment appended
    (created NaN, flow -1 until chosen), and the :class:`Slots` that hands them out."""
    n = sum(len(m.times) for m in markets)
    slots = Slots(len(created), n)
    if not n:
        return created, flow_of, teu_of, tons_of, slots
    return (np.concatenate([created, np.full(n, np.nan)]),
            np.concatenate([flow_of, np.full(n, -1, dtype=flow_of.dtype)]),
            np.concatenate([teu_of, np.zeros(n)]), np.concatenate([tons_of, np.zeros(n)]),
            slots)


class Learner:
    """Chooses the routes of learned markets' consignments period by period in a run
    (start it with :meth:`process`; the choices are in each market's ``chosen``)."""

    def __init__(self, world, markets: list[LearnedMarket], created: np.ndarray,
                 slots: Slots, t0_h: float):
        self.world, self.markets, self.created, self.slots = world, markets, created, slots
        self.t0 = t0_h
        flow_of = world.flow_of[:slots.first]
        fis = {fi for m in markets for _, fi in m.flows}
        self.ids = {fi: np.flatnonzero(flow_of == fi).astype(np.int64) for fi in fis}
        self.lo = dict.fromkeys(fis, 0)  # ids before lo were delivered before any window
        self.priority = np.array([f.priority for f in world.scenario.flows], dtype=bool)
        self.priority_of = next((q.priority_of for q in world.queue_list
                                 if q.priority_of is not None), None)

    def process(self):
        """The SimPy process: a choice round at the start of every period."""
        env = self.world.env
        a = self.t0
        while a < self.world.end_h:
            if a > env.now:
                yield env.timeout(a - env.now)
            for m in self.markets:
                self._choose(m, a, a + PERIOD_H)
            a += PERIOD_H

    def expected_days(self, fi: int, now: float, window_h: float, prior: float) -> float:
        """The learned expected transit (days) of flow ``fi`` at ``now``."""
        ids = self.ids[fi]
        delivered = self.world.rec.delivered_h
        lo = self.lo[fi]
        while lo < len(ids) and delivered[ids[lo]] < now - window_h:
            lo += 1  # delivered before the window: never counts again
        self.lo[fi] = lo
        ids = ids[lo:]
        return learned_transit_days(self.created[ids], delivered[ids], now, window_h, prior)

    def _choose(self, m: LearnedMarket, a: float, b: float) -> None:
        i, j = np.searchsorted(m.times, [a, b])
        if i == j:
            return
        mk = m.market
        days = m.days[:, i:j].copy()
        learned = []
        for k, fi in m.flows:
            alt = mk.alternatives[k]
            e = self.expected_days(fi, a, mk.learn_window_days * 24.0,
                                   alt.expected_transit_days)
            days[k] = e
            learned.append(e)
        m.trace.append((a, learned))
        gc = m.money[:, i:j] + mk.value_of_time_usd_per_teu_day * days
        chosen = pick(logit_shares(gc, m.ok[:, i:j], mk.scale_usd_per_teu), m.u[i:j])
        m.chosen[i:j] = chosen
        w = self.world
        for k, fi in m.flows:
            sel = chosen == k
            n = int(sel.sum())
            if not n:
                continue
            ids = self.slots.take(n)
            times = m.times[i:j][sel]
            flow = w.scenario.flows[fi]
            self.created[ids] = times
            w.flow_of[ids] = fi
            w.teu_of[ids] = flow.teu_per_unit
            w.tons_of[ids] = flow.tons_per_unit
            if self.priority_of is not None:
                self.priority_of[ids] = self.priority[fi]
            self.ids[fi] = np.concatenate([self.ids[fi], ids])
            w.schedule_into(int(w.qid_table[fi, 0]), times, ids)

    def choices(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per learned market: creation times and the index of the alternative chosen."""
        return {m.mid: (m.times, m.chosen) for m in self.markets}

    def expectations(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per learned market and simulated flow (``"<market>:<flow>"``): the start of
        each choice round (hours) and the expected transit (days) it used."""
        out = {}
        for m in self.markets:
            t = np.array([a for a, _ in m.trace])
            for col, (k, _) in enumerate(m.flows):
                days = np.array([e[col] for _, e in m.trace])
                out[f"{m.mid}:{m.market.alternatives[k].flow}"] = (t, days)
        return out
