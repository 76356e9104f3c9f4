"""Comparisons warn about unlike runs, report throughput per year and print a wide table
with units and the runs' labels."""

import json
import warnings

import pytest

import corridor_sim as cs
from corridor_sim.cli import main
from corridor_sim.comparison import UnlikeRunsWarning

from .test_overload import one_border_dict


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cmp")
    out = {}
    for name, days in (("long", 60), ("short", 30), ("long2", 60)):
        path = tmp / f"{name}.yaml"
        path.write_text(json.dumps(one_border_dict(load=0.5, days=days)))
        out[name] = tmp / name
        assert main(["run", str(path), "--out", str(out[name]), "--no-plots", "--quiet"]) == 0
    return out


def test_unlike_horizons_warn_and_tons_per_year_are_comparable(runs):
    with pytest.warns(UnlikeRunsWarning, match="horizon_days"):
        cmp = cs.compare({"60 d": runs["long"], "30 d": runs["short"]})
    assert any("horizon_days" in w for w in cmp.warnings)
    t = cmp.table.set_index(["kpi", "group"])
    tons = t.loc[("tons_delivered", "all")]
    per_year = t.loc[("tons_per_year", "all")]
    assert per_year["base_mean"] == pytest.approx(tons["base_mean"] * 365 / 60)
    assert per_year["mean"] == pytest.approx(tons["mean"] * 365 / 30)
    assert per_year["unit"] == "t/yr"
    # half the horizon roughly halves the tons, not the rate
    assert tons["rel_diff"] < -0.3 and abs(per_year["rel_diff"]) < 0.2


def test_like_runs_do_not_warn(runs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnlikeRunsWarning)
        cmp = cs.compare({"a": runs["long"], "b": runs["long2"]})
    assert cmp.warnings == []


def test_cli_prints_a_wide_table_with_units_labels_and_the_warning(runs, tmp_path, capsys):
    assert main(["compare", str(runs["long"]), str(runs["short"]), "--label", "base",
                 "--label", "short run", "--out", str(tmp_path / "c")]) == 0
    cap = capsys.readouterr()
    assert "corridor-sim: warning: runs differ in horizon_days" in cap.err
    lines = cap.out.splitlines()
    head = lines[0]
    assert head.split()[:2] == ["KPI", "unit"] and "base" in head and "short run" in head
    assert "short run vs base" in head
    per_year = next(r for r in lines if r.startswith("tons delivered per year"))
    assert "Mt/yr" in per_year and "e+0" not in cap.out
    assert any(r.startswith("median transit") and " days " in r for r in lines)


def test_cli_label_count_must_match(runs, tmp_path, capsys):
    code = main(["compare", str(runs["long"]), str(runs["short"]), "--label", "only one",
                 "--out", str(tmp_path / "c")])
    assert code == 2
    assert "--label given 1 times for 2 directories" in capsys.readouterr().err
