"""The pre-run size estimate against what runs actually create."""

import math
import re

from corridor_sim.budget import Budget, estimate, expected_consignments, refusal
from corridor_sim.experiment import run_single
from corridor_sim.scenario import Scenario

from .factories import baseline


def test_estimate_matches_the_baseline_within_sampling_noise():
    sc = baseline(horizon_days=60, warmup_days=10)
    tables, _ = run_single(sc)
    n = len(tables["consignments"])
    expected = expected_consignments(sc)
    # Poisson counts: 4 standard deviations, plus 1 % for partial days and blocks
    assert abs(n - expected) < 4 * math.sqrt(expected) + 0.01 * expected


def test_estimate_follows_rates_seasonality_and_scale():
    node = {"kind": "terminal", "country": "XX", "lon": 0, "lat": 0}
    sc = Scenario.model_validate({
        "name": "season", "start_date": "2023-01-01", "horizon_days": 120, "seed": 5,
        "demand": {"scale": 1.5},
        "nodes": {"a": node, "b": node},
        "legs": [{"from": "a", "to": "b", "distance_km": 10, "speed_kmh": 50}],
        "flows": [{"id": "f", "from": "a", "to": "b", "tons_per_unit": 10,
                   "tons_per_year": 365_000, "arrivals": "schedule",
                   "seasonality": {"feb": 0.0, "mar": 2.0},
                   "rates": [{"from": "2023-04-01", "tons_per_year": 0}]}],
    })
    # 1.5 x 100 units/day: 31 days of January, none in February, double in March,
    # nothing from April on
    assert expected_consignments(sc) == (31 + 2 * 31) * 150
    n = len(run_single(sc)[0]["consignments"])
    assert abs(n - expected_consignments(sc)) <= 2


def test_refusal_messages():
    small = Budget(1e3, 1e6, 30)
    assert refusal(small, 1e6, 1e9) is None
    assert "limit of 100" in refusal(small, 100, 1e9)
    assert "memory available" in refusal(small, 1e6, 1e5)
    assert refusal(Budget(math.inf, math.inf, 30), 0, 1e5) is None  # 0 disables
    huge = refusal(estimate(baseline(**{"demand.scale": 1e300})), 1e6)
    assert re.search(r"about \d\.\d+e\+\d+ consignments", huge)  # short, not 300 digits
