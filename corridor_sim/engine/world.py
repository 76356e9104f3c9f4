"""The state of one simulation run, shared by the processes (built by ``model.build``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from ..network import Network, Segment
from ..scenario.models import Scenario
from .closures import Closures, Cuts
from .primitives import Slots
from .queues import CargoQueue
from .records import Recorder


@dataclass
class Station:
    """A node's handling tracks (trains processed at once) and its dwell sampler."""

    node_id: str
    code: int  # label code of node_id (Recorder.code)
    tracks: Slots
    dwell: object  # Sampler
    category: int  # delay category for time spent here (index into CATEGORIES)
    closures: Closures
    cuts: Cuts | None = None  # capacity cuts: processing takes 1 / factor as long
    waiting: int = 0


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


@dataclass
class World:
    env: simpy.Environment
    scenario: Scenario
    network: Network
    rec: Recorder
    stations: dict[str, Station]
    lines: dict[tuple[str, str], Line]
    service_closures: dict[str, Closures]
    service_cuts: dict[str, Cuts]  # capacity cuts: vessels load factor x capacity_teu
    berths: dict[str, Slots]
    # consignments
    flow_of: np.ndarray  # flow index per consignment
    teu_of: np.ndarray
    tons_of: np.ndarray
    flow_segments: list[list[Segment]]
    qid_table: np.ndarray  # [flow, segment] -> index into queue_list; -1 past the last
    queue_list: list[CargoQueue] = field(default_factory=list)
    service_busy: dict[str, int] = field(default_factory=dict)  # loaded vessels at sea
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
