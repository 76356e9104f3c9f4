"""KPI results shared inside ``kpis.shared_results()`` (as the ``run`` command writes a
run's report, figures and summary): computed once per tables, the same values as
computed alone, and never shared outside the block."""

from __future__ import annotations

import pandas as pd

from corridor_sim import kpis
from corridor_sim.experiment import run_single
from corridor_sim.kpis.memo import shared
from corridor_sim.scenario import load_scenario

from .factories import BASELINE


def test_shared_only_inside_the_block_and_per_arguments():
    calls = []

    @shared
    def f(df: pd.DataFrame, start_h: float = 0.0) -> pd.DataFrame:
        calls.append(start_h)
        return df.assign(x=start_h)

    a, b = pd.DataFrame({"v": [1, 2]}), pd.DataFrame({"v": [1, 2]})
    f(a)
    f(a)
    assert len(calls) == 2  # outside a block: computed every time
    with kpis.shared_results():
        first = f(a)
        assert f(a) is first and f(a, 0.0) is first and f(a, start_h=0.0) is first
        assert f(a, 1.0) is not first and f(b) is not first  # other arguments, other tables
        with kpis.shared_results():  # a nested block shares the outer one's results
            assert f(a) is first
    assert len(calls) == 5
    assert f(a) is not first  # the block is over


def test_shared_results_equal_those_computed_alone():
    sc = load_scenario(BASELINE, {"horizon_days": 40, "warmup_days": 5})
    tables, _ = run_single(sc)
    alone = kpis.transit_by_class(tables["consignments"], sc)
    with kpis.shared_results():
        inside = kpis.transit_by_class(tables["consignments"], sc)
        assert kpis.transit_by_class(tables["consignments"], sc) is inside
        legs = kpis.legs_table(tables["consignments"], tables["itinerary"],
                               kpis.legs_of_interest(sc))
        util = kpis.utilisation_table(tables, sc)
    pd.testing.assert_frame_equal(alone, inside, check_exact=True)
    pd.testing.assert_frame_equal(legs, kpis.legs_table(
        tables["consignments"], tables["itinerary"], kpis.legs_of_interest(sc)),
        check_exact=True)
    pd.testing.assert_frame_equal(util, kpis.utilisation_table(tables, sc), check_exact=True)
