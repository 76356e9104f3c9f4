"""Priority cargo (flows with ``priority: true``) boards ahead of other cargo."""

from __future__ import annotations

import numpy as np

from corridor_sim.engine import simulate
from corridor_sim.engine.queues import CargoQueue
from corridor_sim.experiment import run_single
from corridor_sim.scenario import Scenario

from .factories import ferry_corridor
from .invariants import check_conservation, check_fifo, check_priority, check_rides


def test_queue_takes_priority_cargo_first_and_keeps_each_class_in_order():
    teu = np.ones(8)
    hot = np.array([False, True, False, True, False, True, False, False])
    q = CargoQueue("k", "n", teu, hot)
    q.put(np.array([0, 1, 2]), 1.0)
    q.put(np.array([3, 4]), 2.0)
    q.put(np.array([5, 6, 7]), 3.0)
    assert q.count == 8 and q.total_teu == 8.0
    assert q.first_joined() == 1.0
    ids, taken = q.take(4)
    assert ids.tolist() == [1, 3, 5, 0] and taken == 4.0
    ids, taken = q.take(3)
    assert ids.tolist() == [2, 4, 6] and taken == 3.0
    assert q.first_joined() == 3.0 and q.count == 1
    ids, _ = q.take(3)
    assert ids.tolist() == [7] and q.count == 0 and q.total_teu == 0.0


def test_priority_unit_that_does_not_fit_ends_the_loading():
    teu = np.array([1.0, 3.0, 1.0])
    q = CargoQueue("k", "n", teu, np.array([True, True, False]))
    q.put(np.array([0, 1, 2]), 0.0)
    ids, taken = q.take(3)
    assert ids.tolist() == [0] and taken == 1.0  # the 3-TEU unit waits; no queue jumping


def shared_ferry_scenario(priority: bool) -> Scenario:
    """Block trains and wagonload cargo share a scarce ferry and the train after it."""
    return ferry_corridor("prio", 11, 120, 10, 40, [
        {"id": "block", "from": "a", "to": "z", "via": ["p", "q"], "tons_per_year": 100_000,
         "block_units": 40, "priority": priority},
        {"id": "wagons", "from": "p", "to": "z", "via": ["q"], "tons_per_year": 250_000}])


def _median_transit(tables, flow: str) -> float:
    c = tables["consignments"]
    c = c[(c["flow"] == flow) & (c["delivered_h"] >= 0)]
    return float(c["transit_h"].median())


def test_priority_shortens_the_block_train_and_lengthens_the_others():
    plain, _ = run_single(shared_ferry_scenario(False))
    prio, _ = run_single(shared_ferry_scenario(True))
    assert _median_transit(prio, "block") < _median_transit(plain, "block")
    assert _median_transit(prio, "wagons") > _median_transit(plain, "wagons")


def test_priority_run_keeps_the_invariants():
    sc = shared_ferry_scenario(True)
    run = simulate(sc)
    tables, _ = run_single(sc)
    check_conservation(sc, tables)
    check_rides(sc, run, tables)
    check_fifo(run)
    check_priority(run)


def test_priority_check_catches_a_plain_fifo_run():
    # the same cargo without priority: somewhere a batch takes wagonload cargo ahead of a
    # block that had already joined, which check_priority must flag when told the block
    # has priority
    run = simulate(shared_ferry_scenario(False))
    run.scenario = shared_ferry_scenario(True)
    try:
        check_priority(run)
    except AssertionError:
        return
    raise AssertionError("check_priority accepted FIFO loading of priority cargo")
