"""Regression tests for engine bugs found by the property tests (tests/test_properties.py)."""

import multiprocessing as mp

from corridor_sim.engine import simulate
from corridor_sim.experiment import run_single
from corridor_sim.scenario import Scenario

from .factories import node
from .invariants import check_conservation, check_fifo, check_priority, check_rides


def oversize_unit_scenario() -> Scenario:
    """Units of 3 TEU on a line whose longest train is 1 TEU."""
    return Scenario.model_validate({
        "name": "oversize", "start_date": "2023-01-01", "horizon_days": 10,
        "nodes": {"a": node("terminal"), "b": node("terminal")},
        "legs": [{"from": "a", "to": "b", "distance_km": 100, "speed_kmh": 50,
                  "max_train_teu": 1}],
        "flows": [{"id": "f", "from": "a", "to": "b", "teu_per_unit": 3,
                   "tons_per_year": 20000}],
    })


def _run_in_child(queue) -> None:  # pragma: no cover - runs in a subprocess
    tables, _ = run_single(oversize_unit_scenario())
    queue.put(int(tables["consignments"]["delivered_h"].notna().sum()))


def test_unit_larger_than_train_travels_alone_instead_of_hanging():
    # Before the fix, forming a train from a queue whose first unit is larger than the
    # train looped forever without advancing the clock. Run it in a child process so a
    # regression fails the test instead of hanging the suite.
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_run_in_child, args=(queue,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        child.join()
        raise AssertionError("simulation did not finish: oversize units block the queue")
    assert child.exitcode == 0
    assert queue.get(timeout=5) > 0
    sc = oversize_unit_scenario()
    run = simulate(sc)
    tables, _ = run_single(sc)
    check_conservation(sc, tables)
    check_rides(sc, run, tables)
    assert run.rec.column("b_units").max() == 1  # each oversize unit rides alone


def shared_queue_scenario() -> Scenario:
    """Queue n1 -> n2 is fed both by local arrivals (pre-drawn, admitted lazily) and by
    cargo unloaded from vessels; trains are small so many leave from a long queue."""
    return Scenario.model_validate({
        "name": "fifo", "start_date": "2023-01-01", "horizon_days": 30, "seed": 3,
        "nodes": {"n0": node("port"), "n1": node("port", dwell_h=5),
                  "n2": node("terminal")},
        "legs": [{"from": "n1", "to": "n2", "distance_km": 300, "speed_kmh": 30,
                  "max_train_teu": 10, "trains_per_day": 6}],
        "services": {"s": {"from": "n0", "to": "n1", "distance_km": 250, "vessels": 2,
                           "capacity_teu": 40, "speed_kn": 8}},
        "flows": [{"id": "local", "from": "n1", "to": "n2", "tons_per_year": 150000},
                  {"id": "sea", "from": "n0", "to": "n2", "via": ["n1"],
                   "tons_per_year": 100000}],
    })


def test_trains_leave_in_joining_order_when_a_queue_has_two_feeds():
    # Before the fix, cargo unloaded into a queue went ahead of local arrivals that had
    # joined earlier but were not yet admitted, so a later train carried them.
    check_fifo(simulate(shared_queue_scenario()))


def deck_priority_scenario(seed: int) -> Scenario:
    """A 5-TEU vessel shared by 3-TEU priority units, 0.5-TEU boxes and 1.5-slot trucks."""
    return Scenario.model_validate({
        "name": "deck_priority", "start_date": "2023-01-01", "horizon_days": 20,
        "seed": seed, "nodes": {"a": node("port"), "b": node("port", lon=1)},
        "services": {"s": {"from": "a", "to": "b", "distance_km": 50, "vessels": 1,
                           "capacity_teu": 5, "speed_kn": 10, "load_teu_per_h": 5,
                           "unload_teu_per_h": 5,
                           "depart": {"when_full": 1.0, "max_wait_h": 4},
                           "background": [{"id": "trucks", "direction": "outbound",
                                           "units_per_day": 3, "teu_per_unit": 1.5}]}},
        "flows": [{"id": "block", "from": "a", "to": "b", "unit": "teu", "teu_per_unit": 3,
                   "tons_per_unit": 15, "tons_per_year": 20000, "priority": True},
                  {"id": "boxes", "from": "a", "to": "b", "unit": "teu",
                   "teu_per_unit": 0.5, "tons_per_unit": 5, "tons_per_year": 20000}],
    })


def test_other_cargo_does_not_board_ahead_of_priority_cargo_left_on_a_shared_deck():
    # With background traffic waiting, a vessel boarded the other cargo in the deck left
    # even when a priority unit had not fitted, so boxes overtook the block (a random
    # corridor found it: "batch 5 left priority cargo behind").
    for seed in (1, 2, 3):
        sc = deck_priority_scenario(seed)
        run = simulate(sc)
        check_priority(run)
        check_rides(sc, run, run_single(sc)[0])


def test_the_clock_stays_a_python_float(monkeypatch):
    """Times given to SimPy are Python floats: a numpy scalar in its heap makes the clock
    a numpy float64 from that event on, and every sum, comparison and record made with
    it several times slower (a feeder's wake-up once did this for most of a run)."""
    import simpy

    from .factories import baseline

    kinds: set[type] = set()
    step = simpy.Environment.step

    def watched(env):
        kinds.add(type(env.now))
        return step(env)

    monkeypatch.setattr(simpy.Environment, "step", watched)
    simulate(baseline(horizon_days=60), 0)
    assert kinds == {float}, kinds
