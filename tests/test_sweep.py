"""Sweeps over a grid of factor levels."""

import pandas as pd
import pytest

from corridor_sim.cli import main
from corridor_sim.experiment import RunOptions
from corridor_sim.sweep import grid_points, parse_grid, point_name, run_sweep

from .factories import BASELINE, baseline

CLI_SHORT = ["--horizon-days", "30", "--set", "warmup_days=5", "--quiet"]


def test_parse_grid_types_levels_and_rejects_bad_items():
    grid = parse_grid(["services.caspian_ferry.vessels=4,6", "demand.scale=1,1.5"])
    assert grid == {"services.caspian_ferry.vessels": [4, 6], "demand.scale": [1, 1.5]}
    assert grid_points(grid)[1] == {"services.caspian_ferry.vessels": 4, "demand.scale": 1.5}
    assert len(grid_points(grid)) == 4
    assert point_name({"a.b": 4, "c": "x y"}) == "a.b=4__c=x_y"
    for bad in (["demand.scale"], ["=1,2"], ["demand.scale="], ["a=1", "a=2"]):
        with pytest.raises(ValueError):
            parse_grid(bad)


def test_two_factor_sweep_has_one_row_per_combination(tmp_path):
    out = tmp_path / "sw"
    code = main(["sweep", str(BASELINE), "--grid", "services.caspian_ferry.vessels=4,8",
                 "--grid", "demand.scale=1,1.5", "--replications", "2", "--out", str(out),
                 "--backend", "processes", "--workers", "2", *CLI_SHORT])
    assert code == 0
    table = pd.read_csv(out / "sweep_kpis.csv")
    tons = table[(table["kpi"] == "tons_delivered") & (table["group"] == "all")]
    levels = set(zip(tons["services.caspian_ferry.vessels"], tons["demand.scale"]))
    assert len(tons) == 4 and levels == {(4, 1), (4, 1.5), (8, 1), (8, 1.5)}
    assert (tons["n"] == 2).all() and (tons["ci_low"] < tons["ci_high"]).all()
    for point in tons["point"]:
        assert (out / point / "kpis.csv").is_file()
        assert (out / point / "replications" / "0001" / "run.json").is_file()
    assert (out / "plots" / "sweep_kpis.png").is_file()
    by_scale = tons.groupby("demand.scale")["mean"].mean()
    assert by_scale[1.5] > by_scale[1.0]  # more demand, more tons delivered
    # a re-run finds everything on disk
    assert main(["sweep", str(BASELINE), "--grid", "services.caspian_ferry.vessels=4,8",
                 "--grid", "demand.scale=1,1.5", "--replications", "2", "--out", str(out),
                 "--backend", "serial", "--no-plots", *CLI_SHORT]) == 0
    status = pd.read_csv(out / "sweep_status.csv")
    assert len(status) == 8 and (status["state"] == "done").all()


def test_sweep_bad_grid_exits_2(tmp_path, capsys):
    assert main(["sweep", str(BASELINE), "--grid", "demand.scale", "--out",
                 str(tmp_path / "a"), *CLI_SHORT]) == 2
    assert main(["sweep", str(BASELINE), "--grid", "services.nope.vessels=1,2", "--out",
                 str(tmp_path / "b"), *CLI_SHORT]) == 2
    err = capsys.readouterr().err
    assert "path=level1,level2" in err and "nope" in err
    assert "Traceback" not in err


def test_sweep_points_take_no_standard_figures():
    sc = baseline(horizon_days=5, warmup_days=1)
    with pytest.raises(ValueError, match="figure="):
        run_sweep(sc, {"demand.scale": [1, 2]}, RunOptions(figures=lambda *a: None))
