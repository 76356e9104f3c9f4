"""Where every undelivered consignment is when a run ends: waiting in a queue, or on
board a train or vessel load that has not ended.

Read from a built ``World`` after ``env.run``: each queue of ``world.queue_list`` holds its
waiting consignments in FIFO chunks (``chunks``, and ``hot`` for priority cargo) and, at
origins, the pre-drawn arrivals not yet admitted (``sched_ids[k:]``); a batch whose
``b_end`` is still NaN is under way with its manifest on board.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class EndState:
    """Whereabouts at the end of a run. Queue ``i`` is ``queue_list[i]``: it waits at node
    ``queue_node[i]`` for segment ``queue_segment[i]``. ``queued_ids``/``queued_at``: each
    waiting consignment and its queue index (``scheduled`` marks arrivals not yet admitted
    to the queue). ``on_board_ids``/``on_board_batch``: each consignment on a batch that
    has not ended, and that batch's id."""

    queue_node: list[str]
    queue_segment: list[str]
    queued_ids: np.ndarray
    queued_at: np.ndarray
    scheduled: np.ndarray
    on_board_ids: np.ndarray
    on_board_batch: np.ndarray
    # consignments (among the queued, scheduled ones) still waiting for a container or
    # wagon at their origin
    awaiting_unit: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))


def _cat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype)


def _fifo_ids(fifo) -> list[np.ndarray]:
    return [np.asarray(chunk[0], dtype=np.int64) for chunk in fifo]


def end_state(world) -> EndState:
    """The :class:`EndState` of ``world`` (call after the run)."""
    ids, at, sched = [], [], []
    for qid, q in enumerate(world.queue_list):
        for part in _fifo_ids(q.chunks) + _fifo_ids(q.hot):
            ids.append(part)
            at.append(np.full(len(part), qid, dtype=np.int64))
            sched.append(np.zeros(len(part), dtype=bool))
        later = np.asarray(q.sched_ids[q.k:], dtype=np.int64)
        ids.append(later)
        at.append(np.full(len(later), qid, dtype=np.int64))
        sched.append(np.ones(len(later), dtype=bool))
    pending = []
    for feeder in world.feeders:  # created or to come, still without a container/wagon
        waiting = np.asarray(feeder.pending(), dtype=np.int64)
        pending.append(waiting)
        ids.append(waiting)
        at.append(world.qid_table[world.flow_of[waiting], 0].astype(np.int64))
        sched.append(np.ones(len(waiting), dtype=bool))
    rec = world.rec
    on_board_ids, on_board_batch = rec.manifest_of(np.flatnonzero(np.isnan(rec.column("b_end"))))
    return EndState(
        queue_node=[q.node for q in world.queue_list],
        queue_segment=[q.key for q in world.queue_list],
        queued_ids=_cat(ids, np.int64), queued_at=_cat(at, np.int64),
        scheduled=_cat(sched, bool),
        on_board_ids=on_board_ids, on_board_batch=on_board_batch,
        awaiting_unit=_cat(pending, np.int64))
