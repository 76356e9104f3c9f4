"""Scheduled capacity cuts (``kind: capacity`` disruptions) of legs, nodes and services."""

from __future__ import annotations

import numpy as np
import pytest

from corridor_sim.engine import simulate
from corridor_sim.experiment import run_single
from corridor_sim.scenario import Scenario, ScenarioError
from corridor_sim.scenario.semantics import check_scenario

from .factories import node
from .invariants import check_conservation, check_delay_sum

START, DAYS = "2023-02-01", 20  # the cut: hours 744 .. 1224 since start_date
T0, T1 = 31 * 24.0, (31 + DAYS) * 24.0


def corridor(cut: dict | None = None) -> dict:
    """Rail a -> b (border, fixed 5 h dwell) -> p (port), ferry p -> q, rail q -> z."""
    data = {
        "name": "cuts", "start_date": "2023-01-01", "horizon_days": 80, "warmup_days": 10,
        "seed": 5,
        "nodes": {"a": node("terminal"), "b": node("border", dwell_h=5, tracks=2),
                  "p": node("port", dwell_h=2), "q": node("port", dwell_h=2),
                  "z": node("terminal")},
        "legs": [{"from": "a", "to": "b", "distance_km": 100, "speed_kmh": 50,
                  "max_train_teu": 40, "trains_per_day": 6},
                 {"from": "b", "to": "p", "distance_km": 100, "speed_kmh": 50,
                  "max_train_teu": 40},
                 {"from": "q", "to": "z", "distance_km": 100, "speed_kmh": 50,
                  "max_train_teu": 40}],
        "services": {"s": {"from": "p", "to": "q", "distance_km": 200, "vessels": 3,
                           "capacity_teu": 100, "speed_kn": 10,
                           "depart": {"when_full": 1.0, "max_wait_h": 24}}},
        "flows": [{"id": "f", "from": "a", "to": "z", "via": ["b", "p", "q"],
                   "tons_per_year": 1_500_000}],
    }
    if cut:
        data["disruptions"] = [{"kind": "capacity", "start": START, "days": DAYS, **cut}]
    return data


def _stages(run, place: str, activity: str):
    rec = run.rec
    sel = (rec.label_column("st_place") == place) & (rec.label_column("st_activity") == activity)
    return rec.column("st_t0")[sel], rec.column("st_t1")[sel]


def test_leg_cut_lowers_the_trains_per_day_inside_the_window_only():
    cut = simulate(Scenario.model_validate(corridor({"target": "a-b", "factor": 0.5})))
    full = simulate(Scenario.model_validate(corridor()))
    starts, _ = _stages(cut, "a-b", "run")
    inside = ((starts >= T0) & (starts < T1)).sum()
    assert inside <= 0.5 * 6 * DAYS + 1  # 3 trains a day while the cut lasts
    gaps = np.diff(np.sort(starts[(starts >= T0 + 8) & (starts < T1)]))
    assert gaps.min() >= 8.0 - 1e-9  # headway 24 / (6 x 0.5) h
    assert ((starts >= T1) & (starts < T1 + 10 * 24)).sum() > 3 * 10  # back to 6 a day
    base_starts, _ = _stages(full, "a-b", "run")
    assert ((base_starts >= T0) & (base_starts < T1)).sum() > inside


def test_node_cut_slows_processing_inside_the_window():
    run = simulate(Scenario.model_validate(corridor({"target": "b", "factor": 0.5})))
    t0, t1 = _stages(run, "b", "process")
    dur = t1 - t0
    inside = (t0 >= T0) & (t0 < T1)
    assert inside.any() and np.allclose(dur[inside], 10.0)  # 5 h / 0.5
    assert np.allclose(dur[~inside], 5.0)


def test_service_cut_loads_vessels_lighter_inside_the_window():
    run = simulate(Scenario.model_validate(corridor({"target": "s", "factor": 0.6})))
    rec = run.rec
    vessel = rec.label_column("b_kind") == "vessel"
    formed, teu = rec.column("b_formed")[vessel], rec.column("b_teu")[vessel]
    inside = (formed >= T0) & (formed < T1)
    assert inside.any() and teu[inside].max() <= 60 + 1e-9
    assert teu[~inside].max() > 60  # full loads of 100 TEU outside the cut


@pytest.mark.parametrize("target", ["a-b", "b", "s"])
def test_a_cut_keeps_every_consignment_and_lengthens_transit(target):
    sc = Scenario.model_validate(corridor({"target": target, "factor": 0.3}))
    tables, _ = run_single(sc)
    check_conservation(sc, tables)
    check_delay_sum(tables)
    base, _ = run_single(Scenario.model_validate(corridor()))

    def mean_transit(t):
        c = t["consignments"]
        return c.loc[c["delivered_h"] >= 0, "transit_h"].mean()

    assert mean_transit(tables) > mean_transit(base)


@pytest.mark.parametrize("cut, path, fragment", [
    ({"target": "b"}, "disruptions.0.kind", "needs `factor`"),
    ({"target": "b-p", "factor": 0.5}, "disruptions.0.target", "has no trains_per_day"),
])
def test_capacity_cut_mistakes_are_reported(cut, path, fragment):
    problems = check_scenario(Scenario.model_validate(corridor(cut)))
    assert [(p.path, p.severity) for p in problems if fragment in p.message] == [(path, "error")]


def test_factor_on_a_closure_is_reported():
    data = corridor()
    data["disruptions"] = [{"target": "b", "start": START, "days": 3, "factor": 0.5}]
    problems = check_scenario(Scenario.model_validate(data))
    assert any(p.path == "disruptions.0.factor" for p in problems)


@pytest.mark.parametrize("factor", [0, 1, 1.5, -0.2])
def test_factor_must_lie_strictly_between_0_and_1(factor):
    with pytest.raises((ScenarioError, ValueError)):
        Scenario.model_validate(corridor({"target": "b", "factor": factor}))
