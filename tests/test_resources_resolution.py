"""The resources series at hourly or daily resolution: time-weighted means per bin, so
means over whole bins are those of the exact series and peaks never exceed them."""

import numpy as np
import pandas as pd
import pytest

from corridor_sim import kpis
from corridor_sim.engine import simulate
from corridor_sim.resource_series import binned_series, resources_table
from corridor_sim.scenario import load_scenario

from .factories import BASELINE

SHORT = {"horizon_days": 45, "warmup_days": 10}


@pytest.fixture(scope="module")
def exact():
    return resources_table(simulate(load_scenario(BASELINE, SHORT), 0))


@pytest.mark.parametrize("resolution, step_h", [("hour", 1.0), ("day", 24.0)])
def test_binned_series_keep_means_and_bound_peaks(exact, resolution, step_h):
    sc = load_scenario(BASELINE, {**SHORT, "outputs.resources_resolution": resolution})
    binned = resources_table(simulate(sc, 0))
    assert len(binned) < len(exact)
    assert list(binned.columns) == list(exact.columns)
    assert (np.round(binned["t_h"] / step_h) * step_h == binned["t_h"]).all()
    end = SHORT["horizon_days"] * 24.0
    a, b = (kpis.step_stats(x, 0.0, end).set_index(["resource", "metric"])
            for x in (exact, binned))
    assert a.index.equals(b.index)
    np.testing.assert_allclose(b["mean"], a["mean"], rtol=1e-9, atol=1e-9)
    assert (b["max"] <= a["max"] + 1e-9).all()
    daily = [kpis.resource_series(x, "teu_waiting", end) for x in (exact, binned)]
    np.testing.assert_allclose(daily[1].to_numpy(), daily[0].to_numpy(), rtol=1e-9,
                               atol=1e-9)


def test_binned_series_of_a_known_step():
    steps = pd.DataFrame({"resource": "a", "metric": "m", "t_h": [0.5, 2.0],
                          "value": [2.0, 4.0]})
    out = binned_series(steps, 1.0, 4.0)
    assert out["t_h"].tolist() == [0.0, 1.0, 2.0]  # the bin of 3 h repeats 4: dropped
    assert out["value"].tolist() == [1.0, 2.0, 4.0]
