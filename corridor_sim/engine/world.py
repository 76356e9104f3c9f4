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
from ..scenario.models import Scenario
from ..units import KM_PER_NM
from .closures import Closures, Cuts
from .primitives import Slots
from .queues import CargoQueue
from .records import Recorder


@dataclass
class Station:
    """A node's handling tracks (trains processed at once), berths (vessels loaded or
    unloaded at once) and dwell sampler."""

    node_id: str
    code: int  # label code of node_id (Recorder.code)
    tracks: Slots
    berths: Slots
    dwell: object  # Sampler
    category: int  # delay category for time spent here (index into CATEGORIES)
    closures: Closures
    cuts: Cuts | None = None  # capacity cuts: processing takes 1 / factor as long
    waiting: int = 0  # trains queued for a track

    @property
    def passes_through(self) -> bool:
        """Trains pass without stopping: no handling time at all."""
        return self.dwell.fixed == 0.0

    def handling_h(self, now: float) -> float:
        """Hours to handle one train starting at ``now`` (slower during a cut)."""
        dwell = self.dwell()
        return dwell / self.cuts.factor_at(now) if self.cuts else dwell


@dataclass
class Line:
    """A rail leg: headway-based line capacity and a speed sampler."""

    key: str
    code: int  # label code of key (Recorder.code)
    distance_km: float
    speed: object  # Sampler
    headway_h: float
    closures: Closures
    cuts: Cuts | None = None  # capacity cuts: factor x trains_per_day
    next_free: float = -float("inf")

    def headway_at(self, t: float) -> float:
        """Hours between departures for a train leaving at ``t``."""
        return self.headway_h / self.cuts.factor_at(t) if self.cuts else self.headway_h

    def reserve(self, now: float) -> float:
        """Book the first slot for a train ready at ``now`` (after the previous train's
        headway, outside closures); return its departure time."""
        depart = self.closures.next_open(max(now, self.next_free))
        self.next_free = depart + self.headway_at(depart)
        return depart

    def run_h(self) -> float:
        """Hours to run the leg at a drawn speed (at least 1 km/h)."""
        return self.distance_km / max(self.speed(), 1.0)


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
    depart: object  # the scenario's DepartPolicy
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

    def add_queue(self, q: CargoQueue) -> int:
        """Register a consolidation queue; return its index in ``queue_list``."""
        self.queue_list.append(q)
        return len(self.queue_list) - 1

    def forward(self, ids: np.ndarray, source: CargoQueue) -> None:
        """Consignments just unloaded at the end of the segment they took from queue
        ``source``: deliver those at their destination, queue the rest for their next
        segment (grouped by queue)."""
        if len(ids) == 0:
            return
        now = self.env.now
        nxt = source.next_qid
        if nxt is None:  # flows through ``source`` go different ways
            qids = source.next_by_flow[self.flow_of[ids]]
            first, last = int(qids.min()), int(qids.max())
        else:
            qids, first, last = None, nxt, nxt
        if first < 0:
            if last < 0:
                self.rec.delivered_h[ids] = now
                return
            done = qids < 0
            self.rec.delivered_h[ids[done]] = now
            ids, qids = ids[~done], qids[~done]
            first = int(qids.min())
        if first == last:
            self.queue_list[first].put(ids, now)
        else:
            for qid in source.next_qids:  # ascending
                sel = qids == qid
                if sel.any():
                    self.queue_list[qid].put(ids[sel], now)
