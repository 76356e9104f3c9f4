"""The state of one simulation run, shared by the processes (built by ``model.build``).

The network's places are objects: a ``Station`` per node (handling tracks, berths, dwell),
a ``Line`` per rail leg (headway-based slots) and a ``Fleet`` per sea service (its
vessels' parameters, closures and cuts). ``World`` holds them with the consignment
arrays and the consolidation queues.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from ..network import Network, Segment
from ..scenario.classes import REGULAR
from ..scenario.models import Scenario
from ..units import KM_PER_NM
from .closures import Closures, Cuts
from .primitives import Slots
from .queues import CargoQueue
from .records import Recorder


@dataclass
class Station:
    """A node's handling tracks (trains processed at once), berths (vessels loaded or
    unloaded at once) and dwell samplers: ``dwell`` for block trains (and for regular
    ones where the node gives them no dwell of their own), ``regular_dwell`` for regular
    trains where it does."""

    node_id: str
    code: int  # label code of node_id (Recorder.code)
    tracks: Slots
    berths: Slots
    dwell: object  # Sampler
    category: int  # delay category for time spent here (index into CATEGORIES)
    closures: Closures
    cuts: Cuts | None = None  # capacity cuts: processing takes 1 / factor as long
    waiting: int = 0  # trains queued for a track
    regular_dwell: object | None = None  # Sampler of regular trains' own dwell, if any

    def dwell_of(self, service: int):
        """The dwell sampler of trains of class ``service`` (``classes.BLOCK`` or
        ``classes.REGULAR``)."""
        if service == REGULAR and self.regular_dwell is not None:
            return self.regular_dwell
        return self.dwell

    def passes_through(self, service: int) -> bool:
        """Trains of class ``service`` pass without stopping: no handling time at all."""
        return self.dwell_of(service).fixed == 0.0

    def handling_h(self, now: float, service: int) -> float:
        """Hours to handle one train of class ``service`` starting at ``now`` (slower
        during a cut)."""
        dwell = self.dwell_of(service)()
        return dwell / self.cuts.factor_at(now) if self.cuts else dwell


@dataclass
class Track:
    """The capacity of a rail leg's line: one per direction on double track (trains
    follow each other at the headway), one shared by both directions on single track,
    where a train also waits until the trains running the other way have left the line
    (a meet/pass model at the level of the leg)."""

    headway_h: float
    closures: Closures
    cuts: Cuts | None = None  # capacity cuts: factor x trains_per_day
    single: bool = False
    next_free: float = -float("inf")
    clear_at: list[float] = field(default_factory=lambda: [-float("inf")] * 2)

    def headway_at(self, t: float) -> float:
        """Hours between departures for a train leaving at ``t``."""
        return self.headway_h / self.cuts.factor_at(t) if self.cuts else self.headway_h

    def reserve(self, now: float, direction: int, run_h: float) -> float:
        """Book the line for a train ready at ``now`` that runs ``direction`` (0 as the
        leg is written, 1 against it) for ``run_h`` hours: after the previous train's
        headway, outside closures and, on single track, once the line is clear of
        trains the other way. Returns its departure time."""
        t = max(now, self.next_free)
        if self.single:
            t = max(t, self.clear_at[1 - direction])
        depart = self.closures.next_open(t)
        self.next_free = depart + self.headway_at(depart)
        if self.single:
            self.clear_at[direction] = max(self.clear_at[direction], depart + run_h)
        return depart


@dataclass
class Line:
    """One direction of a rail leg: its running time (``speed`` for block trains, and for
    regular ones unless the leg gives them ``regular_speed``) and the track it books."""

    key: str  # the leg's key (both directions record under it)
    code: int  # label code of key (Recorder.code)
    distance_km: float
    speed: object  # Sampler
    track: Track
    direction: int = 0  # 0 as the leg is written, 1 against it
    regular_speed: object | None = None  # Sampler of regular trains' own speed, if any

    @property
    def closures(self) -> Closures:
        return self.track.closures

    def reserve(self, now: float, service: int) -> tuple[float, float]:
        """Draw the running time of a train of class ``service`` and book its slot;
        return (departure, run hours)."""
        speed = self.regular_speed if service == REGULAR and self.regular_speed else \
            self.speed
        run_h = self.distance_km / max(speed(), 1.0)
        return self.track.reserve(now, self.direction, run_h), run_h


@dataclass
class Fleet:
    """The vessels of one sea service, shuttling from ``origin`` to ``dest``: their
    capacity, speeds, handling rates, closures (weather and scheduled) and cuts."""

    name: str
    code: int  # label code of name (Recorder.code)
    origin: Station
    dest: Station
    vessels: int
    capacity_teu: float
    load_teu_per_h: float
    unload_teu_per_h: float
    distance_km: float
    depart: object  # the scenario's DepartPolicy, crossing from origin
    depart_return: object  # ... and crossing back from dest
    speed_kn: object  # Sampler
    anchorage_h: object  # Sampler
    closures: Closures
    cuts: Cuts | None = None  # capacity cuts: vessels load factor x capacity_teu
    loaded: int = 0  # vessels at sea or unloading with cargo

    def capacity_at(self, t: float) -> float:
        """TEU a vessel may load at ``t`` (less during a cut)."""
        return self.capacity_teu * self.cuts.factor_at(t) if self.cuts else self.capacity_teu

    def sail_h(self) -> float:
        """Hours to cross at a drawn speed (at least 0.5 kn)."""
        return self.distance_km / (max(self.speed_kn(), 0.5) * KM_PER_NM)


@dataclass
class World:
    env: simpy.Environment
    scenario: Scenario
    network: Network
    rec: Recorder
    stations: dict[str, Station]
    lines: dict[tuple[str, str], Line]
    fleets: dict[str, Fleet]
    # consignments
    flow_of: np.ndarray  # flow index per consignment
    teu_of: np.ndarray
    tons_of: np.ndarray
    flow_segments: list[list[Segment]]
    qid_table: np.ndarray  # [flow, segment] -> index into queue_list; -1 past the last
    queue_list: list[CargoQueue] = field(default_factory=list)
    end_h: float = 0.0
    pools: list = field(default_factory=list)  # StockPool per fleet (scenario order)
    feeders: list = field(default_factory=list)  # Feeder per (fleet, origin depot)
    decks: list = field(default_factory=list)  # (service, way, DeckQueue) with background
    # queue index -> (StockPool, TEU per wagon, wagons the largest unit needs, whether
    # all cargo of the queue rides the fleet) where trains formed there need platforms
    platforms: dict = field(default_factory=dict)

    def add_queue(self, q: CargoQueue) -> int:
        """Register a consolidation queue; return its index in ``queue_list``."""
        q.qid = len(self.queue_list)
        self.queue_list.append(q)
        return q.qid

    def route(self, path: tuple[str, ...], service: int) -> tuple:
        """A train's way along ``path``: the station at its start (``None`` if trains of
        class ``service`` pass it without stopping), per leg the line it runs and the
        station it stops at next (``None``: passes through), and the last node."""
        stops = [None if st.passes_through(service) else st
                 for st in (self.stations[n] for n in path)]
        legs = tuple((self.lines[(a, b)], stop)
                     for a, b, stop in zip(path, path[1:], stops[1:]))
        return stops[0], legs, path[-1]

    def first_qids(self, ids: np.ndarray) -> np.ndarray:
        """The index of each consignment's first queue."""
        return self.qid_table[self.flow_of[ids], 0]

    def schedule_into(self, qid: int, times: np.ndarray, ids: np.ndarray,
                      in_order: bool = False) -> None:
        """Schedule consignments to be created at ``times`` (sorted if ``in_order``)
        into queue ``qid`` and let whoever waits there look again."""
        q = self.queue_list[qid]
        q.schedule(times, ids, in_order)
        q.notify(self.env.now)

    def put_first(self, ids: np.ndarray, now: float) -> None:
        """Consignments join their first queues now."""
        for q, sel in self._first_queues(ids):
            q.put(ids[sel], now)

    def _first_queues(self, ids: np.ndarray):
        qids = self.first_qids(ids)
        for qid in np.unique(qids).tolist():
            yield self.queue_list[qid], qids == qid

    def forward(self, ids: np.ndarray, source: CargoQueue) -> None:
        """Consignments just unloaded at the end of the segment they took from queue
        ``source``: free the units of those whose fleet stops here, deliver those at
        their destination, queue the rest for their next segment (grouped by queue)."""
        if len(ids) == 0:
            return
        now = self.env.now
        nxt, frees = source.next_qid, source.frees
        if source.frees_all >= 0:  # every unit here frees one of this fleet
            self.pools[source.frees_all].free(source.free_node, len(ids))
            frees = None
        flows = self.flow_of[ids] if frees is not None or nxt is None else None
        if frees is not None:
            pool_of = frees[flows]
            for p in source.free_pools:  # ascending
                k = int(np.count_nonzero(pool_of == p))
                if k:
                    self.pools[p].free(source.free_node, k)
        qids = None
        if nxt is None:  # flows through ``source`` go different ways: does this batch?
            qids = source.next_by_flow[flows]
            if (qids == qids[0]).all():
                nxt = int(qids[0])
        if nxt is not None:  # all one way
            if nxt < 0:
                self.rec.delivered_h[ids] = now
            else:
                self.queue_list[nxt].put(ids, now)
            return
        done = qids < 0
        if done.any():
            self.rec.delivered_h[ids[done]] = now
            keep = ~done
            ids, qids = ids[keep], qids[keep]
        for qid in source.next_qids:  # ascending
            sel = qids == qid
            if sel.any():
                self.queue_list[qid].put(ids[sel], now)
