"""Direction: more demand must mean longer waits for the Caspian crossing."""

import numpy as np

from corridor_sim.experiment import run_single
from corridor_sim.scenario import with_overrides

from .factories import baseline


def _caspian_wait_per_unit(tables) -> float:
    mov = tables["movements"]
    m = mov[(mov["activity"] == "await_vessel") & (mov["end_h"] >= 0)]
    return float(m["unit_hours"].sum() / max(m["units"].sum(), 1))


def _median_vessel_wait(tables) -> float:
    cons = tables["consignments"]
    d = cons[cons["delivered_h"] >= 0]
    return float(np.median(d["waiting_h"]))


def test_doubling_demand_lengthens_caspian_waits():
    base = baseline(horizon_days=120, warmup_days=20)
    low, _ = run_single(base)
    high, _ = run_single(with_overrides(base, {"demand.scale": 2.0}))
    assert _median_vessel_wait(high) > _median_vessel_wait(low)
    assert _caspian_wait_per_unit(high) > _caspian_wait_per_unit(low)
