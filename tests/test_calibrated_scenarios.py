"""The calibrated scenarios against the published figures in seeds/targets_2023.yaml."""

from __future__ import annotations

import pytest

from corridor_sim.calibrate import CalibrationProblem, compare_targets, simulate_kpis
from corridor_sim.scenario import load_scenario
from corridor_sim.seeds import check_bounds, load_inputs, load_targets, targets_for

from .factories import ROOT

SCEN = ROOT / "scenarios"
TARGETS = load_targets(ROOT / "seeds" / "targets_2023.yaml")
REPS = 10


@pytest.fixture(scope="module")
def baseline_kpis():
    return simulate_kpis(load_scenario(SCEN / "baseline_2023.yaml"), REPS, workers=2)


def _jan_sep(kpi_tables) -> float:
    vals = [float(t.loc[t["kpi"] == "tons_delivered_jan_sep", "value"].iloc[0])
            for t in kpi_tables]
    return sum(vals) / len(vals)


# The 95 % interval of Xi'an -> Istanbul does not contain 12 days (docs/calibration.md):
# a strict expected failure, so a model change that closes the gap fails here until the
# mark is removed. (Prague's interval, a gap at the previous fit, contains 18 days again.)
ISTANBUL_GAP = pytest.mark.xfail(
    strict=True, reason="documented gap (docs/calibration.md): with every parameter inside its "
    "published range the median Xi'an -> Istanbul stays about 6 % above 12 days (BTK line "
    "slots, handling at ten nodes, and the 20 TEU a 110-TEU block leaves over at "
    "Akhalkalaki)")
BASELINE_TARGETS = ["transit_cn_tr_days", "transit_cn_eu_days", "tons_jan_sep_2023"]


def _row(kpi_tables, target_id):
    target = next(t for t in targets_for(TARGETS, "baseline_2023") if t.id == target_id)
    row = compare_targets(kpi_tables, [target]).iloc[0]
    assert row["n"] == REPS
    return target, row


@pytest.mark.slow
@pytest.mark.parametrize("target_id", BASELINE_TARGETS)
def test_baseline_within_10_percent_of_published_figure(baseline_kpis, target_id):
    target, row = _row(baseline_kpis, target_id)
    assert abs(row["simulated"] - target.value) <= 0.10 * target.value, row.to_dict()


@pytest.mark.slow
@pytest.mark.parametrize("target_id", [pytest.param(BASELINE_TARGETS[0], marks=ISTANBUL_GAP),
                                       *BASELINE_TARGETS[1:]])
def test_baseline_ci_contains_published_figure(baseline_kpis, target_id):
    target, row = _row(baseline_kpis, target_id)
    assert row["ci_low"] <= target.value <= row["ci_high"], row.to_dict()


@pytest.mark.slow
def test_2022_delivers_188_times_less_in_jan_sep(baseline_kpis):
    k22 = simulate_kpis(load_scenario(SCEN / "baseline_2022.yaml"), 4, workers=2)
    ratio = _jan_sep(baseline_kpis) / _jan_sep(k22)
    assert ratio == pytest.approx(1.88, abs=0.1)
    full = sum(float(t.loc[(t["kpi"] == "tons_delivered") & (t["group"] == "all"),
                           "value"].iloc[0]) for t in k22) / len(k22)
    assert full / 1e6 == pytest.approx(1.5, rel=0.1)  # reported 2022 full year


@pytest.fixture(scope="module")
def pre_btk_comparison():
    sc = load_scenario(SCEN / "pre_btk.yaml")
    return compare_targets(simulate_kpis(sc, 4, workers=2), targets_for(TARGETS, "pre_btk"))


@pytest.mark.slow
def test_pre_btk_is_much_slower_than_baseline(baseline_kpis, pre_btk_comparison):
    base = compare_targets(baseline_kpis, [t for t in targets_for(TARGETS, "baseline_2023")
                                           if t.id == "transit_cn_tr_days"])
    assert pre_btk_comparison["simulated"].iloc[0] > base["simulated"].iloc[0] + 3


@pytest.mark.slow
def test_pre_btk_lands_near_one_month(pre_btk_comparison):
    assert 27 <= pre_btk_comparison["simulated"].iloc[0] <= 33


@pytest.mark.slow
def test_network_change_alone_explains_only_part_of_the_month(baseline_kpis,
                                                              pre_btk_comparison):
    # no_btk_2023 is the 2023 corridor with Poti and a feeder instead of BTK: slower than
    # the baseline, but far faster than the corridor as run before 2017 (pre_btk)
    no_btk = simulate_kpis(load_scenario(SCEN / "no_btk_2023.yaml"), 4, workers=2)
    target = next(t for t in targets_for(TARGETS, "pre_btk"))
    network_only = compare_targets(no_btk, [target])["simulated"].iloc[0]
    base = compare_targets(baseline_kpis, [t for t in targets_for(TARGETS, "baseline_2023")
                                           if t.id == "transit_cn_tr_days"])
    assert base["simulated"].iloc[0] + 2 < network_only
    assert network_only < pre_btk_comparison["simulated"].iloc[0] - 5


def test_calibrated_values_inside_published_bounds():
    path = SCEN / "baseline_2023.yaml"
    sc = load_scenario(path)
    inputs = load_inputs(ROOT / "seeds" / "inputs.yaml")
    check_bounds(dict(sc.calibration.free), inputs, file=str(path))
    values = CalibrationProblem(sc, dict(sc.calibration.free), []).current_values()
    for p, (lo, hi) in sc.calibration.free.items():
        assert lo <= values[p] <= hi, (p, values[p])
