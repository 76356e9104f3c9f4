"""The notebook API and the compare command."""

import pandas as pd
import pytest

import corridor_sim as cs
from corridor_sim.cli import main

from .factories import BASELINE

SHORT = {"horizon_days": 30, "warmup_days": 10}


@pytest.fixture(scope="module")
def res():
    return cs.run(BASELINE, replications=2, seed=5, overrides=SHORT)


def test_run_concatenates_replications_and_summarises_kpis(res):
    assert res.replications == 2
    assert set(res.consignments["replication"]) == {0, 1}
    k = res.kpis
    assert {"mean", "sd", "n", "ci_low", "ci_high"} <= set(k.columns)
    row = k[(k.kpi == "tons_delivered") & (k.group == "all")].iloc[0]
    assert row["n"] == 2 and row["ci_low"] <= row["mean"] <= row["ci_high"]
    days = res.transit_days("xian", "istanbul")
    assert len(days) > 0 and (days > 0).all()


def test_nodes_can_be_named_by_id_or_name(res):
    ids = res.transit_days("xian", "istanbul")
    pd.testing.assert_series_equal(res.transit_days("Xi'an", "Istanbul"), ids)
    pd.testing.assert_series_equal(res.transit_days("XI'AN", "istanbul (halkali)"), ids)
    assert res.node_id("Kelebia") == "kelebia" == res.node_id("Subotica")
    with pytest.raises(ValueError, match="no node 'Ankara'.*xian \\(Xi'an\\)"):
        res.transit_days("Ankara", "istanbul")
    with pytest.raises(ValueError, match="several nodes: .*aktau"):
        res.node_id("A")


def test_load_results_round_trips_what_save_wrote(res, tmp_path):
    out = res.save(tmp_path / "r", plots=False)
    back = cs.load_results(out)
    for name in ("consignments", "movements", "resources", "closures", "kpis"):
        pd.testing.assert_frame_equal(back.tables[name], res.tables[name], check_dtype=False,
                                      obj=name)
    assert back.replications == 2


def test_run_writes_report_and_plots_and_compare_with_itself_is_zero(tmp_path, capsys):
    out = tmp_path / "base"
    assert main(["run", str(BASELINE), "--out", str(out), "--horizon-days", "40",
                 "--quiet"]) == 0
    report = (out / "report.md").read_text()
    for name in ("throughput", "transit_cdf", "delay_breakdown", "delay_by_place", "queues",
                 "utilisation", "corridor_map"):
        assert f"](plots/{name}.png)" in report and (out / "plots" / f"{name}.png").is_file()
    assert "Bottlenecks" in report
    cmp_dir = tmp_path / "cmp"
    assert main(["compare", str(out), str(out), "--out", str(cmp_dir), "--quiet"]) == 0
    table = pd.read_csv(cmp_dir / "compare.csv")
    assert len(table) > 0 and (table["diff"] == 0).all()
    assert {p.name for p in (cmp_dir / "plots").iterdir()} == {
        "transit_cdf.png", "throughput.png", "delay_breakdown.png"}
    assert main(["compare", str(out), str(out), "--out", str(cmp_dir), "--quiet"]) == 2
    assert main(["compare", str(out), str(tmp_path / "missing"), "--quiet"]) == 2
    assert "not a complete corridor-sim results directory" in capsys.readouterr().err
