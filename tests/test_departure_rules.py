"""Departure rules (corridor_sim/engine/departure.py): unit checks on a queue, and the
rule added on top of the timetable (leave at a slot only when the batch is filled)."""

from __future__ import annotations

import numpy as np
import pytest

from corridor_sim.engine import simulate
from corridor_sim.engine.departure import FilledTimetable, FillOrMaxWait, Timetable, make_rule
from corridor_sim.engine.queues import INF, CargoQueue
from corridor_sim.scenario import Scenario

from .factories import node, refusal


def _queue(teu_each: float = 1.0, n: int = 100) -> CargoQueue:
    return CargoQueue("k", "a", np.full(n, teu_each))


def test_fill_or_max_wait_leaves_when_full_or_after_the_wait():
    q = _queue()
    rule = FillOrMaxWait(when_full=0.5, max_wait_h=10, capacity_teu=20)
    assert rule.next_look(q, 0.0) == INF  # nothing waits, nothing scheduled
    q.put(np.arange(3), 1.0)
    assert rule.next_look(q, 1.0) == pytest.approx(11.0)  # 10 h after the first joined
    assert rule.next_look(q, 11.0) is None
    q.put(np.arange(3, 10), 2.0)
    assert rule.next_look(q, 2.0) is None  # 10 TEU = half of 20


def test_fill_or_max_wait_looks_ahead_to_scheduled_arrivals():
    q = _queue()
    q.schedule(np.array([5.0, 6.0, 7.0]), np.arange(3))
    rule = FillOrMaxWait(when_full=1.0, max_wait_h=100, capacity_teu=2)
    assert rule.next_look(q, 0.0) == pytest.approx(6.0)  # the 2nd unit fills the train


def test_cargo_wakes_a_waiting_train_only_when_its_rule_would_answer_sooner():
    """A former waiting until its deadline is not woken by cargo that leaves the rule's
    answer unchanged, and is woken by cargo that fills the train; a waiter that gave no
    deadline is woken by any cargo."""
    import simpy

    env = simpy.Environment()
    q = _queue()
    rule = FillOrMaxWait(when_full=0.5, max_wait_h=10, capacity_teu=20)
    q.put(np.arange(3), 0.0)
    until = rule.next_look(q, 0.0)  # 10 h after the first unit joined
    wake = q.wait_event(env, rule, q, until)
    q.put(np.arange(3, 6), 1.0)  # 6 TEU: still the same deadline
    assert not wake.triggered
    q.put(np.arange(6, 10), 2.0)  # 10 TEU: the train may leave now
    assert wake.triggered
    other = FillOrMaxWait(when_full=1.0, max_wait_h=100, capacity_teu=100)
    wake = q.wait_event(env, other)  # no deadline given: woken by any cargo
    q.put(np.arange(10, 11), 3.0)
    assert wake.triggered


def test_vehicle_clock_counts_from_berthing_not_from_cargo():
    q = _queue()
    q.put(np.arange(2), 0.0)
    rule = FillOrMaxWait(when_full=1.0, max_wait_h=10, capacity_teu=20, clock="vehicle")
    rule.ready(50.0, 20)
    assert rule.next_look(q, 50.0) == pytest.approx(60.0)
    assert rule.next_look(q, 60.0) is None


def test_timetable_takes_the_first_slot_after_cargo_and_never_the_same_slot_twice():
    q = _queue()
    rule = Timetable(interval_h=12, offset_h=5)
    assert rule.next_look(q, 0.0) == INF
    q.put(np.arange(2), 6.0)
    assert rule.next_look(q, 6.0) == pytest.approx(17.0)
    assert rule.next_look(q, 17.0) is None
    rule.left(17.0)
    q.take(10)
    q.put(np.arange(2, 4), 17.0)  # cargo joins at the slot just used
    assert rule.next_look(q, 17.0) == pytest.approx(29.0)


def test_filled_timetable_skips_slots_with_too_little_cargo():
    q = _queue()
    rule = FilledTimetable(interval_h=24, offset_h=0, min_fill=0.8, capacity_teu=10)
    q.put(np.arange(3), 1.0)
    assert rule.next_look(q, 1.0) == INF  # 3 of the 8 TEU needed, none scheduled
    q.schedule(np.array([30.0, 40.0, 50.0, 60.0, 70.0]), np.arange(3, 8))
    assert rule.next_look(q, 1.0) == pytest.approx(72.0)  # the 8th TEU comes at 70 h
    q.admit(72.0)  # wait_for_departure admits arrivals before asking the rule
    assert rule.next_look(q, 72.0) is None


def test_make_rule_follows_the_scenario_policy():
    policy = load_scenario_policy({"timetable_h": 24, "timetable_min_fill": 0.8})
    assert isinstance(make_rule(policy, 10), FilledTimetable)
    assert isinstance(make_rule(load_scenario_policy({"timetable_h": 24}), 10), Timetable)
    assert isinstance(make_rule(load_scenario_policy({"when_full": 0.5}), 10), FillOrMaxWait)


def load_scenario_policy(depart: dict):
    return _scenario(depart).nodes["a"].depart


def _scenario(depart: dict, tons_per_year: float = 60_000) -> Scenario:
    """Poisson TEU at ``a`` -> trains of 40 TEU -> ``b``, formed by ``depart``."""
    return Scenario.model_validate({
        "name": "slots", "start_date": "2023-01-01", "horizon_days": 120, "warmup_days": 5,
        "seed": 3,
        "nodes": {"a": node("terminal", depart=depart), "b": node("terminal")},
        "legs": [{"from": "a", "to": "b", "distance_km": 100, "speed_kmh": 50,
                  "max_train_teu": 40}],
        "flows": [{"id": "f", "from": "a", "to": "b", "tons_per_unit": 20,
                   "tons_per_year": tons_per_year}],
    })


def _trains(depart: dict) -> tuple[np.ndarray, np.ndarray]:
    rec = simulate(_scenario(depart)).rec
    return rec.column("b_formed"), rec.column("b_teu")


def test_filled_timetable_runs_no_train_below_its_fill_and_only_at_slots():
    # 60,000 t/yr of 20 t units is about 8 TEU a day: a daily slot rarely sees 32 TEU
    plain_t, plain_teu = _trains({"timetable_h": 24, "timetable_offset_h": 6})
    filled_t, filled_teu = _trains({"timetable_h": 24, "timetable_offset_h": 6,
                                    "timetable_min_fill": 0.8})
    assert (plain_teu < 32).mean() > 0.5  # the plain timetable runs trains half empty
    assert len(filled_teu) > 10
    assert filled_teu.min() >= 32 - 1e-9
    assert np.allclose((filled_t - 6) % 24, 0, atol=1e-6)
    assert len(filled_teu) < len(plain_teu)
    # nothing is lost: every TEU that left on the plain timetable leaves on the filled
    # one too, minus what still waits at the end (less than one slot's worth of trains)
    assert plain_teu.sum() - filled_teu.sum() < 3 * 40


def test_min_fill_without_a_timetable_is_refused(tmp_path):
    text = refusal(
        tmp_path / "s.yaml",
        "name: s\nstart_date: 2023-01-01\nhorizon_days: 10\n"
        "nodes:\n  a: {kind: terminal, country: XX, lon: 0, lat: 0,\n"
        "      depart: {timetable_min_fill: 0.8}}\n"
        "  b: {kind: terminal, country: XX, lon: 1, lat: 0}\n"
        "legs:\n  - {from: a, to: b, distance_km: 100, speed_kmh: 50}\n"
        "flows:\n  - {id: f, from: a, to: b, tons_per_year: 1000}\n")
    assert "timetable_min_fill" in text and "timetable_h" in text and ":6:" in text
