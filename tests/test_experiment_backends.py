"""Replications on every backend give the same tables; the CI narrows with n."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from corridor_sim.backends import DaskBackend, make_backend
from corridor_sim.experiment import (
    RunOptions,
    run_experiment,
    run_replications,
    run_single,
    summarize_kpis,
)
from corridor_sim.scenario import with_overrides

from .factories import baseline

SHORT = {"horizon_days": 30, "warmup_days": 5}


@pytest.fixture(scope="module")
def short():
    return baseline(**SHORT)


@pytest.fixture(scope="module")
def serial_kpis(short):
    exp = run_experiment(short, RunOptions(replications=3, backend="serial", progress=False))
    return exp.kpis_by_replication


def test_serial_matches_single_runs(short, serial_kpis):
    direct = pd.concat([run_single(short, i)[0]["kpis"] for i in range(3)], ignore_index=True)
    pd.testing.assert_frame_equal(serial_kpis, direct)
    assert sorted(serial_kpis["replication"].unique()) == [0, 1, 2]
    # the replications differ from each other (independent streams)
    tons = serial_kpis.query("kpi == 'tons_delivered' and group == 'all'")["value"]
    assert tons.nunique() == 3


def test_process_pool_matches_serial(short, serial_kpis, tmp_path):
    exp = run_experiment(short, RunOptions(replications=3, backend="processes", workers=2,
                                           out=tmp_path / "p", plots=False, progress=False))
    assert exp.meta["computed"] == [0, 1, 2]
    pd.testing.assert_frame_equal(exp.kpis_by_replication, serial_kpis, check_dtype=False)
    on_disk = pd.read_csv(tmp_path / "p" / "kpis_by_replication.csv")
    pd.testing.assert_frame_equal(on_disk, serial_kpis, check_dtype=False)


def test_dask_local_cluster_matches_serial(short, serial_kpis):
    pytest.importorskip("distributed")
    with DaskBackend(workers=1, processes=False) as backend:
        tables = run_replications(short, RunOptions(replications=3, backend=backend,
                                                    progress=False))
        assert backend.workers == 1
    got = pd.concat([t["kpis"] for t in tables], ignore_index=True)
    pd.testing.assert_frame_equal(got, serial_kpis)


def test_dask_scheduler_address(short, serial_kpis, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, processes=False,
                                  dashboard_address=None) as cluster:
        # an existing cluster may not share our disk: results come back and are saved here
        exp = run_experiment(short, RunOptions(replications=3, backend="dask",
                                               scheduler=cluster.scheduler_address,
                                               out=tmp_path / "d", plots=False, progress=False))
    assert exp.meta["backend"] == "dask"
    pd.testing.assert_frame_equal(exp.kpis_by_replication, serial_kpis, check_dtype=False)
    assert (tmp_path / "d" / "replications" / "0002" / "run.json").is_file()


def test_seed_argument_changes_streams(short, serial_kpis):
    other = run_replications(with_overrides(short, {"seed": short.seed + 1}),
                             RunOptions(replications=1, backend="serial", progress=False))
    a = serial_kpis.query("replication == 0").reset_index(drop=True)
    assert not a["value"].equals(other[0]["kpis"]["value"])


def test_unknown_backend_is_rejected():
    with pytest.raises(ValueError, match="serial, processes, dask"):
        make_backend("threads")


def test_summary_matches_scipy_t_interval():
    """A quantity that may be negative gets Student's t (positive quantities and
    fractions get intervals within their range: tests/test_intervals.py)."""
    rng = np.random.default_rng(5)
    values = rng.normal(10.0, 2.0, 7)
    table = pd.DataFrame({"replication": range(7), "kpi": "x", "group": "all",
                          "value": values, "unit": "t/yr change"})
    row = summarize_kpis([table]).iloc[0]
    sem = stats.sem(values)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=sem)
    assert row["n"] == 7
    assert row["mean"] == pytest.approx(values.mean())
    assert row["sd"] == pytest.approx(values.std(ddof=1))
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))


def test_ci_half_width_shrinks_like_one_over_sqrt_n(short):
    by_rep = run_experiment(short, RunOptions(replications=16, backend="processes", workers=2,
                                              progress=False)).kpis_by_replication

    def half_widths(n):
        s = summarize_kpis([by_rep[by_rep["replication"] < n]])
        # Student's t intervals (on the values or their logarithms); the bootstrap's
        # percentiles carry no t quantile to take out below
        s = s[(s["n"] == n) & s["ci_method"].isin(["t", "t-log"])].set_index(["kpi", "group"])
        return (s["ci_high"] - s["ci_low"]) / 2

    h4, h16 = half_widths(4), half_widths(16)
    both = pd.concat({"h4": h4, "h16": h16}, axis=1).dropna()
    both = both[both["h16"] > 0]
    assert len(both) >= 20
    # the t quantile also shrinks from 3 to 15 degrees of freedom; take it out so that
    # what remains is the standard error ratio, expected sqrt(16 / 4) = 2
    tq = stats.t.ppf(0.975, 3) / stats.t.ppf(0.975, 15)
    ratio = float(np.median(both["h4"] / both["h16"])) / tq
    assert 1.4 < ratio < 2.8, ratio


def test_tables_read_back_from_disk_equal_the_run(short, tmp_path):
    tables = run_replications(short, RunOptions(replications=2, backend="serial",
                                                out=tmp_path / "x", plots=False,
                                                progress=False))
    direct, _ = run_single(short, 1)
    for name in ("consignments", "movements", "kpis"):
        pd.testing.assert_frame_equal(tables[1][name], direct[name], check_dtype=False)
    combined = pd.read_parquet(tmp_path / "x" / "consignments.parquet")
    assert len(combined) == len(tables[0]["consignments"]) + len(direct["consignments"])


def test_run_options_check_replications_and_stay_fixed(tmp_path):
    opts = RunOptions(replications=3, out=str(tmp_path / "x"))
    assert opts.out == tmp_path / "x"
    for bad in (0, -1, 2.0, True, "3"):
        with pytest.raises(ValueError, match="replications must be a whole number"):
            RunOptions(replications=bad)
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.replications = 4
