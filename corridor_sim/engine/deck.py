"""What waits to board a sea service at one port: the cargo queue the model follows
consignment by consignment, and the service's background traffic (trucks, tank wagons)
that only takes deck space.

``DeckQueue`` answers the departure rules' questions (``count``, ``total_teu``,
``first_joined`` ...) for both together, so a vessel fills up with either. Background
units are pre-drawn arrival times with the deck slots each takes. At a sailing, priority
cargo (block trains with booked ferry slots) boards first, then background units
(booked business, oldest first), then the other cargo in what deck is left; standby
background boards after all cargo and is not counted by the departure rules (a vessel
never waits for it; where only standby traffic crosses one way, ``standby_only``, the
vessel loads what waits and leaves). Background units waiting longer than ``patience``
hours are turned away (when the queue is next looked at). Each unit's fate is kept:
when it boarded, or that it was turned away.
"""

from __future__ import annotations

import numpy as np

from .queues import INF, CargoQueue


class DeckQueue:
    """Cargo queue ``cargo`` plus background units arriving at ``times`` (hours, sorted)
    taking ``teu`` deck slots each."""

    def __init__(self, cargo: CargoQueue, times: np.ndarray, teu: np.ndarray,
                 standby: bool = False, patience: float = INF, standby_only: bool = False):
        self.cargo = cargo
        self.key = cargo.key
        self.t = times
        self.slots = teu
        self.cum = np.concatenate([[0.0], np.cumsum(teu)])  # deck slots of units before i
        self.boarded = 0  # units that have sailed or were turned away
        self.arrived = 0  # units arrived so far (admitted)
        self.standby, self.patience = standby, patience
        self.left_h = np.full(len(times), np.nan)  # when each unit boarded
        self.turned_away = np.zeros(len(times), dtype=bool)
        self.now = 0.0  # when the queue was last looked at (``admit``)
        self.standby_only = standby_only  # no cargo ever crosses this way, only standby

    # -- the queue interface the departure rules read -------------------------------
    def admit(self, now: float) -> None:
        self.now = now
        self.cargo.admit(now)
        if self.arrived < len(self.t) and self.t[self.arrived] <= now:
            self.arrived = int(self.t.searchsorted(now, side="right"))
        if self.patience < INF and self.arrived > self.boarded \
                and self.t[self.boarded] < now - self.patience:
            gone = min(int(self.t.searchsorted(now - self.patience, side="left")),
                       self.arrived)
            self.turned_away[self.boarded:gone] = True
            self.boarded = gone

    @property
    def background_teu(self) -> float:
        """Deck slots of background units waiting now."""
        return float(self.cum[self.arrived] - self.cum[self.boarded])

    # Standby background is not counted here: it fills what a sailing leaves and never
    # makes a vessel wait for it.
    @property
    def count(self) -> int:
        own = 0 if self.standby else self.arrived - self.boarded
        return self.cargo.count + own

    @property
    def total_teu(self) -> float:
        return self.cargo.total_teu + (0.0 if self.standby else self.background_teu)

    @property
    def has_scheduled(self) -> bool:
        return self.cargo.has_scheduled or (not self.standby and self.arrived < len(self.t))

    def first_joined(self) -> float:
        own = float(self.t[self.boarded]) if self.arrived > self.boarded \
            and not self.standby else INF
        return min(self.cargo.first_joined(), own)

    def next_scheduled(self) -> float:
        own = float(self.t[self.arrived]) if self.arrived < len(self.t) \
            and not self.standby else INF
        return min(self.cargo.next_scheduled(), own)

    def time_reaching(self, teu: float) -> float:
        """When waiting deck slots first reach ``teu``, counting background arrivals to
        come (cargo arriving later by train or vessel cannot be foreseen)."""
        need = teu - self.total_teu
        if need <= 1e-9:
            return -INF
        if self.standby:
            return INF
        j = int(self.cum.searchsorted(self.cum[self.arrived] + need - 1e-9, side="left"))
        return float(self.t[j - 1]) if j < len(self.cum) else INF

    def wait_event(self, env, rule, view=None, until: float = INF):
        return self.cargo.wait_event(env, rule, view, until)

    def unwatch(self, rule) -> None:
        self.cargo.unwatch(rule)

    # -- boarding -----------------------------------------------------------------
    def take(self, capacity_teu: float) -> tuple[np.ndarray, float, float]:
        """Board up to ``capacity_teu``: priority cargo (booked block-train slots) first,
        then background units (oldest first), then the other cargo; return the cargo's
        ids, its TEU and the background's TEU. A priority unit that does not fit ends the
        cargo's loading (as in :meth:`CargoQueue.take`): no other cargo boards ahead of it."""
        if self.arrived == self.boarded:  # no background waiting: as a plain queue
            ids, teu = self.cargo.take(capacity_teu)
            return ids, teu, 0.0
        if self.standby:  # all cargo first, background in the deck it leaves
            ids, teu = self.cargo.take(capacity_teu)
            return ids, teu, self._board(capacity_teu - teu)
        first, room = np.empty(0, dtype=np.int64), capacity_teu
        if self.cargo.hot:
            first, teu = self.cargo.take(room, which="priority")
            room -= teu
        background = self._board(room)
        room -= background
        if self.cargo.hot:  # priority cargo left behind: the other cargo waits too
            ids, teu = np.empty(0, dtype=np.int64), 0.0
        else:
            ids, teu = self.cargo.take(room, oversize=False, which="other")
        if len(first):
            ids = np.concatenate([first, ids]) if len(ids) else first
        return ids, capacity_teu - room + teu - background, background

    def _board(self, room: float) -> float:
        """Board waiting background units, oldest first, while they fit in ``room``;
        return their deck slots."""
        limit = self.cum[self.boarded] + room + 1e-9
        last = int(self.cum.searchsorted(limit, side="right")) - 1
        last = min(max(last, self.boarded), self.arrived)
        slots = float(self.cum[last] - self.cum[self.boarded])
        if last > self.boarded:
            self.left_h[self.boarded:last] = self.now
        self.boarded = last
        return slots
