"""The resources series at hourly or daily resolution: time-weighted means per bin, so
means over whole bins are those of the exact series and peaks never exceed them."""

import numpy as np
import pandas as pd
import pytest

from corridor_sim import kpis
from corridor_sim.engine import simulate
from corridor_sim.fleet_tables import fleet_series
from corridor_sim.resource_series import binned_series, resources_table, teu_waiting_table
from corridor_sim.scenario import load_scenario

from .factories import BASELINE, ROOT

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


@pytest.mark.parametrize("step_h", [1.0, 24.0])
def test_series_binned_as_derived_equal_the_exact_series_binned(step_h):
    """The TEU waiting and the fleets' series are binned while they are derived (a long
    run's exact series are never built): the same rows as binning the exact series."""
    run = simulate(load_scenario(ROOT / "scenarios" / "wagon_shortage.yaml", SHORT), 0)
    for series in (teu_waiting_table, fleet_series):
        exact = series(run)
        assert len(exact) and exact["resource"].nunique() > 1
        binned = series(run, step_h).sort_values(["resource", "metric"], kind="stable",
                                                  ignore_index=True)
        pd.testing.assert_frame_equal(binned, binned_series(exact, step_h, run.end_h))
