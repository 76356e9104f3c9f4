"""Departure and arrival of each consignment (``departed_h``, ``arrived_h``) and the
``trip_p50_days`` KPI: the trip leaves out loading at the origin and unloading at the end."""

from __future__ import annotations

import numpy as np

from corridor_sim.experiment import run_single
from corridor_sim.scenario import Scenario

from .factories import node


def fixed_line(sea: bool = False) -> Scenario:
    """Full blocks loaded 6 h at a, run 100 km at 50 km/h to b (2 h), unloaded 4 h there;
    with ``sea``, a ship then carries them on from port b to port c (load, sail, unload)."""
    nodes = {"a": node("terminal", dwell_h=6, tracks=50),
             "b": node("port" if sea else "terminal", dwell_h=4, tracks=50, berths=9)}
    data = {"name": "trip", "start_date": "2023-01-01", "horizon_days": 40,
            "warmup_days": 5, "seed": 3, "nodes": nodes,
            "legs": [{"from": "a", "to": "b", "distance_km": 100, "speed_kmh": 50,
                      "max_train_teu": 10}],
            "flows": [{"id": "f", "from": "a", "to": "c" if sea else "b",
                       "via": ["b"] if sea else [], "tons_per_year": 50_000,
                       "block_units": 10}]}
    if sea:
        nodes["c"] = node("port", berths=9)
        data["services"] = {"s": {"from": "b", "to": "c", "distance_km": 185.2, "vessels": 40,
                                  "capacity_teu": 10, "speed_kn": 10, "load_teu_per_h": 5,
                                  "unload_teu_per_h": 2, "depart": {"when_full": 1.0}}}
    return Scenario.model_validate(data)


def _delivered(tables):
    c = tables["consignments"]
    return c[c["delivered_h"] >= 0]


def test_trip_is_the_run_between_loading_and_unloading():
    tables, _ = run_single(fixed_line())
    d = _delivered(tables)
    assert len(d) > 100
    assert np.allclose(d["departed_h"] - d["created_h"], 6.0)  # loaded at a
    assert np.allclose(d["arrived_h"] - d["departed_h"], 2.0)  # 100 km at 50 km/h
    assert np.allclose(d["delivered_h"] - d["arrived_h"], 4.0)  # unloaded at b
    k = tables["kpis"]
    trip = k.loc[(k["kpi"] == "trip_p50_days") & (k["group"] == "a->b"), "value"].item()
    assert trip == 2.0 / 24


def test_a_trip_ending_by_sea_arrives_when_the_ship_does():
    tables, _ = run_single(fixed_line(sea=True))
    d = _delivered(tables)
    assert len(d) > 100
    assert np.allclose(d["departed_h"] - d["created_h"], 6.0)
    # the ship waits at b for the train's 10 TEU (after 4 h at b), loads 2 h, sails 10 h;
    # unloading 5 h at c is after the arrival
    assert np.allclose(d["arrived_h"] - d["departed_h"], 2.0 + 4.0 + 2.0 + 10.0)
    assert np.allclose(d["delivered_h"] - d["arrived_h"], 5.0)
