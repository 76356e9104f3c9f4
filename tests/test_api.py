"""The notebook API and the compare command."""

import json
import re

import pandas as pd
import pytest

import corridor_sim as cs
from corridor_sim.cli import main
from corridor_sim.plotting import CORE
from corridor_sim.results_io import read_results
from corridor_sim.scenario import loader

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
    some = read_results(out, tables=("consignments", "itinerary"))
    assert {"consignments", "itinerary"} <= set(some) and "resources" not in some
    pd.testing.assert_frame_equal(some["consignments"], back.tables["consignments"])


@pytest.mark.parametrize("plots, names", [
    ("core", [n for n in CORE if n != "route_shares"]),  # (this run chose no routes)
    (["queues", "throughput"], ["throughput", "queues"]),
    ("none", []), (False, [])])
def test_save_draws_the_figures_asked_for_and_run_json_names_them(res, tmp_path, plots,
                                                                  names):
    out = res.save(tmp_path / "r", plots=plots)
    assert sorted(p.stem for p in (out / "plots").glob("*.png")) == sorted(names)
    assert json.loads((out / "run.json").read_text())["plots"] == names  # STANDARD order
    shown = re.findall(r"\]\(plots/(\w+)\.png\)", (out / "report.md").read_text())
    assert sorted(shown) == sorted(names)


def test_save_refuses_an_unknown_figure_before_writing(res, tmp_path):
    with pytest.raises(ValueError, match="unknown figure.*map_of_mars.*'core'"):
        res.save(tmp_path / "r", plots=["throughput", "map_of_mars"])
    assert not (tmp_path / "r").exists()
    with pytest.raises(ValueError, match="unknown figure"):
        res.to_html(tmp_path / "page.html", plots="corr")
    assert not (tmp_path / "page.html").exists()


def test_run_writes_report_and_plots_and_compare_with_itself_is_zero(tmp_path, capsys):
    out = tmp_path / "base"
    assert main(["run", str(BASELINE), "--out", str(out), "--horizon-days", "40",
                 "--plots", "all", "--quiet"]) == 0
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


@pytest.mark.parametrize("as_file", [True, False])
def test_run_applies_seed_and_overrides_in_one_validation(monkeypatch, as_file):
    """The seed is set once, together with the overrides: the scenario is validated
    once, and the run carries that seed."""
    base = BASELINE if as_file else cs.load_scenario(BASELINE)
    real, calls = loader.check_data, []

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "check_data", counting)
    res = cs.run(base, replications=1, seed=11, overrides={"horizon_days": 8,
                                                           "warmup_days": 1},
                 backend="serial", progress=False)
    assert len(calls) == 1
    assert res.scenario.seed == 11 and res.meta["seed"] == 11
    assert res.scenario.horizon_days == 8


def test_run_rejects_an_unknown_option_by_name():
    with pytest.raises(TypeError, match="workerz"):
        cs.run(BASELINE, replications=1, overrides=SHORT, workerz=2)
