"""Append-only event records kept as flat Python lists, turned into arrays at the end.

Records are per batch (a train or a vessel load) and per consignment only where a
consignment's own timing matters (creation, the batch it rides, delivery).
"""

from __future__ import annotations

import numpy as np

CATEGORIES = ("moving", "consolidation", "border", "transshipment", "waiting", "disruption")
CAT = {name: i for i, name in enumerate(CATEGORIES)}


class Recorder:
    """Collects stage rows, manifests and resource samples during one run."""

    def __init__(self, n_consignments: int):
        # stage rows: one per batch per activity
        self.st_batch: list[int] = []
        self.st_place: list[str] = []
        self.st_activity: list[str] = []
        self.st_cat: list[int] = []
        self.st_t0: list[float] = []
        self.st_t1: list[float] = []
        # batches
        self.b_kind: list[str] = []
        self.b_segment: list[str] = []
        self.b_formed: list[float] = []
        self.b_end: list[float] = []
        self.b_teu: list[float] = []
        self.b_tons: list[float] = []
        self.b_units: list[int] = []
        # manifests: chunks of (batch id, consignment ids, joined times)
        self.m_batch: list[np.ndarray] = []
        self.m_ids: list[np.ndarray] = []
        self.m_joined: list[np.ndarray] = []
        # resources: long-format samples
        self.r_name: list[str] = []
        self.r_metric: list[str] = []
        self.r_t: list[float] = []
        self.r_value: list[float] = []
        self.delivered_h = np.full(n_consignments, np.nan)

    def new_batch(self, kind: str, segment: str, formed: float, ids: np.ndarray,
                  joined: np.ndarray, teu: float, tons: float) -> int:
        bid = len(self.b_kind)
        self.b_kind.append(kind)
        self.b_segment.append(segment)
        self.b_formed.append(formed)
        self.b_end.append(np.nan)
        self.b_teu.append(teu)
        self.b_tons.append(tons)
        self.b_units.append(len(ids))
        self.m_batch.append(np.full(len(ids), bid, dtype=np.int64))
        self.m_ids.append(ids)
        self.m_joined.append(joined)
        return bid

    def stage(self, bid: int, place: str, activity: str, category: str,
              t0: float, t1: float) -> None:
        if t1 <= t0:
            return
        self.st_batch.append(bid)
        self.st_place.append(place)
        self.st_activity.append(activity)
        self.st_cat.append(CAT[category])
        self.st_t0.append(t0)
        self.st_t1.append(t1)

    def sample(self, name: str, metric: str, t: float, value: float) -> None:
        self.r_name.append(name)
        self.r_metric.append(metric)
        self.r_t.append(t)
        self.r_value.append(value)


class Clock:
    """Tracks a batch's time cursor so that consecutive stages leave no gaps."""

    __slots__ = ("rec", "bid", "t")

    def __init__(self, rec: Recorder, bid: int, t: float):
        self.rec, self.bid, self.t = rec, bid, t

    def mark(self, now: float, place: str, activity: str, category: str,
             closures=None) -> None:
        """Record [cursor, now) under ``category``; the part inside ``closures`` is
        recorded as disruption instead."""
        if closures:
            lost = closures.overlap(self.t, now)
            if lost > 0:
                self.rec.stage(self.bid, place, "closed", "disruption", self.t, self.t + lost)
                self.rec.stage(self.bid, place, activity, category, self.t + lost, now)
                self.t = now
                return
        self.rec.stage(self.bid, place, activity, category, self.t, now)
        self.t = now
