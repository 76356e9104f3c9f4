"""Scheduling arrivals into a queue merges them in time order, those scheduled earlier
first among equal times (the order a stable sort of old + new gives)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor_sim.engine.queues import CargoQueue

times = st.lists(st.integers(0, 20).map(float), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(times, st.booleans()), min_size=1, max_size=5),
       st.integers(-1, 10))
def test_schedule_merges_like_a_stable_sort(batches, now):
    teu_of = np.arange(1000, dtype=float) % 3 + 1  # unequal TEU per id
    q = CargoQueue("k", "a", teu_of)
    pending: list[tuple[float, int]] = []  # what the queue should still have scheduled
    next_id = 0
    for batch, in_order in batches:
        t = sorted(batch) if in_order else batch
        ids = list(range(next_id, next_id + len(t)))
        next_id += len(t)
        q.schedule(np.array(t, dtype=float), np.array(ids, dtype=np.int64))
        pending = sorted(pending + list(zip(t, ids)), key=lambda x: x[0])  # stable
        assert q.sched_t[q.k:].tolist() == [x[0] for x in pending]
        assert q.sched_ids[q.k:].tolist() == [x[1] for x in pending]
        want = np.cumsum([teu_of[i] for _, i in pending])
        assert np.allclose(q.sched_cum[q.k + 1:] - q.sched_cum[q.k], want)
        q.admit(float(now))  # arrivals due by now join the queue
        pending = [x for x in pending if x[0] > now]
        assert q.count == next_id - len(pending)
