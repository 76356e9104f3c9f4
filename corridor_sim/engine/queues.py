"""Consolidation queues: consignments waiting at a node for the next train or vessel.

A queue holds FIFO chunks of consignments (ids, joined times, TEU each) and, at origins,
a pre-drawn array of future arrivals that join it when their time comes, so the model
needs no event per consignment.

Rail queues hold one service class each (the model gives block and regular cargo bound
for the same segment a queue each, so a train is of one class: ``service``). Where block
cargo (``service: block`` or ``priority: true``) shares a queue with regular cargo, as it
does waiting for a vessel, it waits in a FIFO of its own and boards ahead of the others;
each FIFO keeps its order.
"""

from __future__ import annotations

from collections import deque

import numpy as np

INF = float("inf")


class CargoQueue:
    """FIFO of consignments for one outbound segment at one node."""

    def __init__(self, key: str, node: str, teu_of: np.ndarray,
                 priority_of: np.ndarray | None = None):
        self.key = key
        self.node = node
        self.qid = -1  # index in the world's queue list (World.add_queue)
        self.teu_of = teu_of  # TEU slots per consignment id (shared array)
        # [ids, joined, cumulative TEU]; joined may be one float
        self.chunks: deque[list] = deque()
        # priority cargo's own FIFO, used only if ``priority_of`` (bool per consignment id)
        # is given, i.e. priority and other cargo share this queue
        self.priority_of = priority_of
        self.hot: deque[list] = deque()
        self.service = 0  # the class of the trains formed here (classes.BLOCK / REGULAR)
        self.total_teu = 0.0
        self.count = 0
        # processes waiting for cargo here: rule -> (view, until, event), see wait_event
        self.waiters: dict = {}
        self.sched_t = np.empty(0)
        self.sched_ids = np.empty(0, dtype=np.int64)
        self.sched_cum = np.zeros(1)  # cumulative TEU of scheduled arrivals (len n + 1)
        self.k = 0  # next scheduled arrival not yet admitted
        self.next_t = INF  # its time (hours)
        # routing after this queue (set by the model): next queue index per flow
        # (-1 delivered), and the single next queue if all flows here share it
        self.next_by_flow = np.empty(0, dtype=np.int64)
        self.next_qid: int | None = None
        self.next_qids: list[int] = []  # the distinct next queues, ascending
        # fleets whose units are freed where this queue's segment ends: the pool index
        # per flow (-1: none), or None if no flow here frees a unit there
        self.frees: np.ndarray | None = None
        self.free_pools: list[int] = []  # the distinct pool indices in ``frees``, ascending
        self.frees_all = -1  # the pool if every flow through this queue frees one of it
        self.free_node = ""

    # -- arrivals ---------------------------------------------------------------
    def schedule(self, times: np.ndarray, ids: np.ndarray, in_order: bool = False) -> None:
        """Add pre-drawn future arrivals (any order, or sorted by time if ``in_order``;
        merged and sorted by time, those scheduled before first among equal times)."""
        old_t, old_ids = self.sched_t[self.k:], self.sched_ids[self.k:]
        if not in_order and len(times) > 1 and (times[1:] < times[:-1]).any():
            t = np.concatenate([old_t, times])
            order = np.argsort(t, kind="stable")
            self.sched_t, self.sched_ids = t[order], np.concatenate([old_ids, ids])[order]
        elif len(old_t) == 0 or (len(times) and times[0] >= old_t[-1]):
            self.sched_t = np.concatenate([old_t, times])
            self.sched_ids = np.concatenate([old_ids, ids])
        else:  # both sorted: insert the new ones after the equal times already here
            # (new arrival i lands at its insertion point plus the i new ones before it)
            pos = old_t.searchsorted(times, side="right") + np.arange(len(times))
            old = np.ones(len(old_t) + len(times), dtype=bool)
            old[pos] = False
            self.sched_t, self.sched_ids = _merged(old, pos, old_t, times), \
                _merged(old, pos, old_ids, ids)
        cum = self.sched_cum = np.empty(len(self.sched_ids) + 1)
        cum[0] = 0.0
        self.teu_of[self.sched_ids].cumsum(out=cum[1:])
        self.k = 0
        self.next_t = float(self.sched_t[0]) if len(self.sched_t) else INF

    @property
    def has_scheduled(self) -> bool:
        return self.k < len(self.sched_t)

    def admit(self, now: float) -> None:
        """Move scheduled arrivals with time <= now into the queue."""
        if now < self.next_t:
            return
        j = int(self.sched_t.searchsorted(now, side="right"))
        if j > self.k:
            ids = self.sched_ids[self.k:j]
            self._push(ids, self.sched_t[self.k:j])
            self.k = j
            self.next_t = float(self.sched_t[j]) if j < len(self.sched_t) else INF

    def put(self, ids: np.ndarray, now: float) -> None:
        """Consignments unloaded here join the queue now; wakes a waiting consumer.
        Scheduled arrivals up to ``now`` are admitted first so the queue stays FIFO."""
        self.admit(now)
        self._push(ids, now)
        self.notify(now)

    def notify(self, now: float) -> None:
        """Cargo was put here or new arrivals were scheduled: wake each process waiting
        for cargo here, unless its departure rule, asked now, would only look again at
        the deadline it already waits for (see ``wait_event``)."""
        waiters = self.waiters
        if not waiters:
            return
        for rule, (view, until, ev) in list(waiters.items()):
            if not ev.triggered:  # (a waiter woken at its deadline has not asked again)
                if until < INF and _waits_on(rule, view, until, now):
                    continue
                ev.succeed()
            del waiters[rule]

    def wait_event(self, env, rule, view=None, until: float = INF):
        """An event of its own for the process that waits here under departure ``rule``,
        fired when cargo is next put here (or arrivals scheduled). A process that gives
        the queue its rule asks (``view``: this queue, or the deck it is part of) and the
        time ``until`` it looks again anyway is woken only if the rule, asked then,
        answers "leave now" or a time before ``until``: waking it would change nothing
        else."""
        ev = env.event()
        self.waiters[rule] = (view, until, ev)
        return ev

    def unwatch(self, rule) -> None:
        """``rule``'s process no longer waits here."""
        self.waiters.pop(rule, None)

    def _push(self, ids: np.ndarray, joined: np.ndarray | float) -> None:
        cum = self.teu_of[ids].cumsum()  # a chunk keeps its cumulative TEU for ``take``
        self.total_teu += float(cum[-1])
        self.count += len(ids)
        if self.priority_of is None:
            self.chunks.append([ids, joined, cum])
            return
        hot = self.priority_of[ids]
        if hot.all():
            self.hot.append([ids, joined, cum])
        elif not hot.any():
            self.chunks.append([ids, joined, cum])
        else:
            teu = self.teu_of[ids]
            for fifo, sel in ((self.hot, hot), (self.chunks, ~hot)):
                fifo.append([ids[sel], joined if isinstance(joined, float) else joined[sel],
                             teu[sel].cumsum()])

    # -- looking ahead -----------------------------------------------------------
    def first_joined(self) -> float:
        """When the unit waiting longest joined (hours; inf if none waits)."""
        return min(_head_joined(self.chunks), _head_joined(self.hot))

    def next_scheduled(self) -> float:
        return self.next_t

    def time_reaching(self, teu: float) -> float:
        """When waiting TEU (queue plus scheduled arrivals) first reaches ``teu``."""
        need = teu - self.total_teu
        if need <= 1e-9:
            return -INF
        target = self.sched_cum[self.k] + need - 1e-9
        j = int(self.sched_cum.searchsorted(target, side="left"))
        if j >= len(self.sched_cum):
            return INF
        return float(self.sched_t[j - 1])

    # -- departures --------------------------------------------------------------
    def take(self, capacity_teu: float, oversize: bool = True,
             which: str = "all") -> tuple[np.ndarray, float]:
        """Remove consignments FIFO up to ``capacity_teu`` (priority cargo first); return
        their ids and TEU. With ``oversize``, a unit larger than ``capacity_teu`` at the
        head of the queue travels alone (so it never blocks the queue); without, it
        waits (the room is what another load left). ``which``: ``"priority"`` or
        ``"other"`` takes from that class only."""
        ids_out: list[np.ndarray] = []
        room = capacity_teu
        if self.hot and which != "other":
            room = _take_fifo(self.hot, room, ids_out, oversize)
        if room > 1e-9 and which != "priority" and not (self.hot and ids_out):
            room = _take_fifo(self.chunks, room, ids_out, oversize)
        if not ids_out:
            return self.sched_ids[:0], 0.0
        ids = ids_out[0] if len(ids_out) == 1 else np.concatenate(ids_out)
        taken = capacity_teu - room
        self.total_teu -= taken
        self.count -= len(ids)
        if self.count == 0:
            self.total_teu = 0.0
        return ids, taken


def _waits_on(rule, view, until: float, now: float) -> bool:
    """Would ``rule``, asked now about ``view``, only look again at ``until`` or later?"""
    view.admit(now)
    t = rule.next_look(view, now)
    return t is not None and t >= until - 1e-7  # (departure.EPS: times this close are equal)


def _merged(old: np.ndarray, pos: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a`` at the ``old`` places and ``b`` at ``pos``."""
    out = np.empty(len(old), dtype=a.dtype if len(a) else b.dtype)
    out[old] = a
    out[pos] = b
    return out


def _head_joined(fifo: deque) -> float:
    if not fifo:
        return INF
    joined = fifo[0][1]
    return joined if isinstance(joined, float) else float(joined[0])


def _take_fifo(fifo: deque, room: float, ids_out: list, oversize: bool = True) -> float:
    """Move consignments from the head of ``fifo`` into ``ids_out`` while they fit in
    ``room`` TEU; return the room left. A unit larger than the whole batch travels alone
    when nothing else has been taken (it never blocks the queue)."""
    while fifo and room > 1e-9:
        ids, joined, cum = fifo[0]  # cum: the chunk's cumulative TEU
        n = int(cum.searchsorted(room + 1e-9, side="right"))
        if n == 0:
            if ids_out or not oversize:
                break
            n = 1
        taken = float(cum[n - 1])
        room -= taken
        if n == len(ids):
            ids_out.append(ids)
            fifo.popleft()
        else:
            ids_out.append(ids[:n])
            fifo[0] = [ids[n:], joined if isinstance(joined, float) else joined[n:],
                       cum[n:] - taken]
            break
    return room
