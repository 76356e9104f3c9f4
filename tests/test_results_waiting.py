"""The TEU-waiting series in resources.parquet, checked on a case worked out by hand."""

import numpy as np

from corridor_sim.experiment import run_single
from corridor_sim.scenario import Scenario


def _one_unit_an_hour(train_teu: int) -> Scenario:
    return Scenario.model_validate({
        "name": "clock", "start_date": "2023-01-01", "horizon_days": 20, "warmup_days": 1,
        "nodes": {
            "a": {"kind": "terminal", "country": "CN", "lon": 0, "lat": 0,
                  "depart": {"when_full": 1.0, "max_wait_h": 1000}},
            "b": {"kind": "terminal", "country": "KZ", "lon": 1, "lat": 0},
        },
        "legs": [{"from": "a", "to": "b", "distance_km": 50, "speed_kmh": 50,
                  "max_train_teu": train_teu}],
        "flows": [{"id": "f", "from": "a", "to": "b", "tons_per_unit": 10,
                   "tons_per_year": 8760 * 10, "arrivals": "schedule"}],
    })


def test_origin_queue_saw_tooth():
    # one TEU an hour, a train leaves with every tenth: the queue climbs 1, 2, ... 9 and
    # empties when the tenth arrives, so it holds 4.5 TEU on average and never 10.
    tables, _ = run_single(_one_unit_an_hour(10))
    r = tables["resources"]
    w = r[(r["resource"] == "a") & (r["metric"] == "teu_waiting")].sort_values("t_h")
    t, v = w["t_h"].to_numpy(), w["value"].to_numpy()
    assert v.min() == 0 and v.max() == 9
    inside = (t >= 0) & (t < 19 * 24)
    t, v = t[inside], v[inside]
    mean = np.sum(v[:-1] * np.diff(t)) / (t[-1] - t[0])
    assert abs(mean - 4.5) < 0.1
    assert r[(r["resource"] == "b") & (r["metric"] == "teu_waiting")].empty  # destination
