"""Confidence intervals over replications stay within each quantity's range."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from corridor_sim.cli import main
from corridor_sim.experiment import summarize_kpis
from corridor_sim.intervals import FewReplicationsWarning, interval, summarize

from .test_overload import one_border_dict


def _table(kpi: str, unit: str, values) -> pd.DataFrame:
    return pd.DataFrame({"replication": range(len(values)), "kpi": kpi, "group": "all",
                         "unit": unit, "value": values})


def _ci(kpi, unit, values):
    s = summarize_kpis([_table(kpi, unit, values)]).iloc[0]
    return s["ci_low"], s["mean"], s["ci_high"]


def test_backlog_growing_in_two_of_three_stays_a_proportion():
    low, mean, high = _ci("backlog_growing", "fraction", [1.0, 1.0, 0.0])
    assert mean == pytest.approx(2 / 3)
    assert 0.0 <= low < mean < high <= 1.0  # Student's t said -0.77 .. 2.10
    # the Wilson score interval of 2 of 3
    assert (low, high) == pytest.approx((0.2077, 0.9385), abs=1e-4)


@pytest.mark.parametrize("kpi,unit,values", [
    ("wait_share", "fraction", [0.01, 0.40, 0.02]),
    ("utilisation", "fraction", [0.99, 0.2, 1.0]),
    ("tons_delivered", "t", [1e5, 9e5, 2e4]),
    ("backlog_end_tons", "t", [0.0, 5e4, 0.0, 1e3]),
    ("transit_p50_days", "d", [10.0, 40.0, 11.0]),
])
def test_intervals_respect_the_range(kpi, unit, values):
    low, mean, high = _ci(kpi, unit, values)
    assert low <= high
    assert low >= 0.0 and (unit != "fraction" or high <= 1.0)
    assert low > 0.0 or 0.0 in values  # positive quantities: strictly above zero
    assert low <= max(values) and high >= min(values)


def test_quantities_that_may_be_negative_keep_student_t():
    low, high, method = interval([-1.0, 2.0, 0.5], unit="t/d change")
    assert method == "t" and low < -1.0 and high > 2.0


def test_intervals_are_reproducible_and_named():
    t = pd.concat([_table("wait_share", "fraction", [0.1, 0.3, 0.2]),
                   _table("tons_delivered", "t", [3.0, 4.0, 5.0]),
                   _table("backlog_growing", "fraction", [0.0, 1.0, 1.0]),
                   _table("teu_delivered", "TEU", [7.0, 7.0, 7.0])])
    a, b = summarize(t), summarize(t)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["ci_method"]) == ["bootstrap", "t-log", "wilson", "exact"]


def test_two_replications_warn_three_do_not():
    with pytest.warns(FewReplicationsWarning, match="2 replications"):
        summarize(_table("tons_delivered", "t", [1.0, 2.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summarize(_table("tons_delivered", "t", [1.0, 2.0, 3.0]))
        summarize(_table("tons_delivered", "t", [1.0]))  # no interval, nothing to warn
    assert np.isnan(summarize(_table("x", "t", [1.0]))["ci_low"].iloc[0])


def test_cli_warns_about_two_replications_in_one_line(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(one_border_dict(load=0.5, days=20)))
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--replications", "2",
                 "--backend", "serial", "--no-plots", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "corridor-sim: warning: confidence intervals from 2 replications" in err
    assert "Traceback" not in err and "intervals.py" not in err
    k = pd.read_csv(tmp_path / "o" / "kpis.csv")
    assert "ci_method" in k.columns
    assert (k["ci_low"].dropna() >= 0).all()
