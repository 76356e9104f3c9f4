"""Append-only event records kept in typed arrays (``array.array``), read out as numpy.

Records are per batch (a train or a vessel load) and per consignment only where a
consignment's own timing matters (creation, the batch it rides, delivery). Every column
is a compact typed array (8 bytes per float, labels stored as small integer codes into
``Recorder.labels``); the stage rows and resource samples are appended to Python lists
and moved into numpy arrays every ``FLUSH_ROWS`` rows, so a ten-year run keeps few
Python objects per record.

Manifests are stored batch by batch: the consignments of batch ``b`` are the
``b_units[b]`` entries of ``m_ids`` that follow those of batch ``b - 1``. When each
consignment joined the queue its batch formed from is not stored but derived by a join:
its creation time for its first batch, the end of its previous batch for the others.
"""

from __future__ import annotations

from array import array

import numpy as np

from ..categories import CATEGORY_INDEX

CAT = CATEGORY_INDEX  # delay category name -> the code stored in ``st_cat``
# labels every run uses get fixed codes (a place's code comes from ``Recorder.code``)
METRICS = ("trains_queued", "tracks_busy", "vessels_loaded")
ACTIVITIES = ("queue", "process", "slot", "run", "closed", "load", "weather", "sail",
              "anchorage", "berth", "unload")
LABEL = {name: i for i, name in enumerate(METRICS + ACTIVITIES)}
TRAINS_QUEUED, TRACKS_BUSY, VESSELS_LOADED = (LABEL[m] for m in METRICS)
CLOSED, DISRUPTION = LABEL["closed"], CAT["disruption"]


# Columns kept as Python lists while the run appends to them, then flushed into numpy
# arrays: appending to a list costs a fraction of appending to an ``array.array``, which
# parses every value it is given (these columns take most of a run's appends). Name ->
# dtype; stage rows: batch, place and activity (label codes), delay category (index
# into CATEGORIES), start and end hours; resource samples: resource and metric (label
# codes), time (hours) and value.
BUFFERED = {"st_batch": np.int64, "st_place": np.int32, "st_activity": np.int32,
            "st_cat": np.int8, "st_t0": np.float64, "st_t1": np.float64,
            "r_name": np.int32, "r_metric": np.int32, "r_t": np.float64,
            "r_value": np.float64}
FLUSH_ROWS = 4096  # a few hundred kB of Python objects at most


class Recorder:
    """Collects stage rows, manifests and resource samples during one run.

    Times are hours since the scenario's ``start_date``; TEU and tons per batch.
    """

    def __init__(self, n_consignments: int):
        self.codes: dict[str, int] = dict(LABEL)  # label -> code
        self.labels: list[str] = list(LABEL)  # code -> label
        # stage rows (one per batch per activity) and resource samples: the columns
        # appended most, kept as plain lists (see BUFFERED)
        for name in BUFFERED:
            setattr(self, name, [])
        self._flushed: dict[str, list[np.ndarray]] = {name: [] for name in BUFFERED}
        # batches
        self.b_kind = array("i")  # label code
        self.b_segment = array("i")  # label code
        self.b_formed = array("d")
        self.b_end = array("d")  # NaN until the batch is unloaded
        self.b_teu = array("d")
        self.b_tons = array("d")
        self.b_units = array("q")
        self.b_background_teu = array("d")  # deck slots of background traffic (vessels)
        self.b_held = array("d")  # hours a formed train was held for rolling stock
        # manifests, batch after batch (see module docstring)
        self.m_ids = array("i" if n_consignments < 2**31 else "q")
        self._id_dtype = np.dtype(np.int32 if self.m_ids.typecode == "i" else np.int64)
        self.delivered_h = np.full(n_consignments, np.nan)
        # when a consignment that waited for its container or wagon got it and joined
        # its first queue (NaN: it joined when created)
        self.ready_h = np.full(n_consignments, np.nan)

    def code(self, label: str) -> int:
        """The integer code of ``label`` (assigned on first use)."""
        c = self.codes.get(label)
        if c is None:
            c = self.codes[label] = len(self.labels)
            self.labels.append(label)
        return c

    @property
    def n_batches(self) -> int:
        return len(self.b_kind)

    def new_batch(self, kind: str, segment: str, formed: float, ids: np.ndarray,
                  teu: float, tons: float, background_teu: float = 0.0,
                  held_h: float = 0.0) -> int:
        """Open a batch formed at ``formed`` (hours) carrying consignments ``ids`` (and,
        on a vessel, ``background_teu`` deck slots of background traffic; a train that
        was ready ``held_h`` hours before ``formed`` but waited for wagons); return its
        id."""
        bid = len(self.b_kind)
        self.b_kind.append(self.code(kind))
        self.b_segment.append(self.code(segment))
        self.b_formed.append(formed)
        self.b_end.append(np.nan)
        self.b_teu.append(teu)
        self.b_tons.append(tons)
        self.b_units.append(len(ids))
        self.b_background_teu.append(background_teu)
        self.b_held.append(held_h)
        self.m_ids.frombytes(ids.astype(self._id_dtype).tobytes())
        if len(self.st_t0) >= FLUSH_ROWS or len(self.r_t) >= FLUSH_ROWS:
            self.flush()
        return bid

    def flush(self) -> None:
        """Move the rows of the list columns into typed arrays (done every
        ``FLUSH_ROWS`` rows, so a long run keeps few Python objects)."""
        for name, dtype in BUFFERED.items():
            rows = getattr(self, name)
            if rows:
                self._flushed[name].append(np.array(rows, dtype=dtype))
                rows.clear()

    def __getstate__(self) -> dict:
        self.flush()
        return self.__dict__

    def stage(self, bid: int, place: int, activity: int, category: int,
              t0: float, t1: float) -> None:
        """Batch ``bid`` spent ``[t0, t1)`` hours on ``activity`` at ``place`` (label
        codes; ``category`` indexes CATEGORIES)."""
        if t1 <= t0:
            return
        self.st_batch.append(bid)
        self.st_place.append(place)
        self.st_activity.append(activity)
        self.st_cat.append(category)
        self.st_t0.append(t0)
        self.st_t1.append(t1)

    def sample(self, name: int, metric: int, t: float, value: float) -> None:
        """Resource ``name`` had ``metric`` (label codes) equal to ``value`` from time
        ``t`` (hours)."""
        self.r_name.append(name)
        self.r_metric.append(metric)
        self.r_t.append(t)
        self.r_value.append(value)

    # -- read-out (after the run) -------------------------------------------------------
    def column(self, name: str) -> np.ndarray:
        """A copy of record column ``name`` (e.g. ``"st_t0"``) as a numpy array."""
        if name in BUFFERED:
            dtype = BUFFERED[name]
            return np.concatenate([*self._flushed[name],
                                   np.array(getattr(self, name), dtype=dtype)])
        col = getattr(self, name)
        dtype = {"q": np.int64, "i": np.int32, "b": np.int8, "d": np.float64}[col.typecode]
        return np.frombuffer(col, dtype=dtype).copy() if len(col) else np.empty(0, dtype)

    def label_column(self, name: str) -> np.ndarray:
        """Record column ``name`` of label codes, decoded to an object array of strings."""
        return np.asarray(self.labels, dtype=object)[self.column(name)] if self.labels \
            else np.empty(0, dtype=object)

    def manifest_batches(self) -> np.ndarray:
        """The batch id of each manifest entry (aligned with ``m_ids``)."""
        return np.repeat(np.arange(self.n_batches, dtype=np.int64), self.column("b_units"))

    def manifest_of(self, batches: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The consignments of ``batches`` (ascending batch ids) and the batch of each,
        read from the manifests without copying them whole."""
        all_units = self.column("b_units")
        units, ends = all_units[batches], np.cumsum(all_units)[batches]
        m = np.frombuffer(self.m_ids, dtype=self._id_dtype) if len(self.m_ids) else \
            np.empty(0, self._id_dtype)
        parts = [m[e - u:e] for e, u in zip(ends.tolist(), units.tolist())]
        ids = np.concatenate(parts).astype(np.int64) if parts else np.empty(0, np.int64)
        return ids, np.repeat(batches.astype(np.int64), units)

    def manifest_joined(self, created_h: np.ndarray) -> np.ndarray:
        """When each manifest entry's consignment joined the queue its batch formed from
        (hours): its creation (or, if it waited for a container or wagon, when it got
        one) for its first batch, else the end of its previous batch.
        (A consignment boards its next batch only after the previous one ended, so its
        entries appear in ``m_ids`` in the order it rode them.)"""
        ids = self.column("m_ids")
        order = np.argsort(ids, kind="stable")
        sid = ids[order]
        batch = self.manifest_batches()[order]
        first = np.ones(len(sid), dtype=bool)
        first[1:] = sid[1:] != sid[:-1]
        prev_end = np.empty(len(sid))
        prev_end[1:] = self.column("b_end")[batch[:-1]]
        joined = np.empty(len(sid))
        start = np.where(np.isnan(self.ready_h), created_h, self.ready_h)
        joined[order] = np.where(first, start[sid], prev_end)
        return joined


class Clock:
    """Tracks a batch's time cursor so that consecutive stages leave no gaps."""

    __slots__ = ("bid", "rec", "t")

    def __init__(self, rec: Recorder, bid: int, t: float):
        self.rec, self.bid, self.t = rec, bid, t

    def mark(self, now: float, place: int, activity: int, category: int,
             closures=None) -> None:
        """Record [cursor, now) under ``category`` (label codes and a CATEGORIES index,
        see ``Recorder.stage``); the part inside ``closures`` is recorded as disruption
        instead."""
        t = self.t
        self.t = now
        if closures is not None and not closures.empty:
            lost = closures.overlap(t, now)
            if lost > 0:
                self.rec.stage(self.bid, place, CLOSED, DISRUPTION, t, t + lost)
                self.rec.stage(self.bid, place, activity, category, t + lost, now)
                return
        self.rec.stage(self.bid, place, activity, category, t, now)
