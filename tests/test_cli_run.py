"""The run command end to end: its outputs, its --plots sets, and how its process exits."""

import json
import re
import subprocess
import sys

import pytest

from corridor_sim.cli import main
from corridor_sim.plotting import CORE, STANDARD
from corridor_sim.report import CAPTIONS

from .factories import BASELINE, ROOT

EXPECTED = ["consignments.parquet", "movements.parquet", "resources.parquet", "kpis.csv",
            "run.json", "scenario.resolved.yaml", "plots/throughput.png",
            "plots/transit_cdf.png", "plots/delay_breakdown.png"]


def test_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "res"
    code = main(["run", str(BASELINE), "--out", str(out), "--horizon-days", "40"])
    assert code == 0
    for name in EXPECTED:
        assert (out / name).is_file(), name
    meta = json.loads((out / "run.json").read_text())
    assert meta["events"] > 0
    printed = capsys.readouterr().out
    assert "Xi'an → Istanbul (Halkali): median" in printed  # names, not ids
    assert "longest waiting:" in printed


def test_run_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", str(BASELINE), "--out", str(out), "--horizon-days", "40",
                 "--no-plots", "--quiet"]) == 0
    assert main(["run", str(BASELINE), "--out", str(out), "--horizon-days", "40",
                 "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    assert main(["run", str(BASELINE), "--out", str(other), "--force", "--quiet"]) == 2
    assert (other / "notes.txt").read_text() == "keep me"


def test_console_script_bad_file_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon_days: -3\n")
    proc = subprocess.run([sys.executable, "-m", "corridor_sim.cli", "run", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.yaml" in proc.stderr


SHORT = ["--horizon-days", "40", "--quiet"]
# figures that need route choice (a scenario with markets); the baseline has none
ROUTE_FIGURES = {"route_shares", "route_costs", "route_tradeoff"}
BASE_CORE = set(CORE) - ROUTE_FIGURES  # the core figures of a run without route choice


def _drawn(out) -> set[str]:
    """The figures written into ``plots/``, which run.json names too."""
    drawn = {p.stem for p in (out / "plots").glob("*")}
    assert set(json.loads((out / "run.json").read_text())["plots"]) == drawn
    return drawn


def _shown(out) -> tuple[set[str], list[str]]:
    """The figures report.md embeds (names) and the captions of report.html's images."""
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    return set(re.findall(r"\]\(plots/(\w+)\.png\)", md)), re.findall(r'<img alt="([^"]*)"',
                                                                        html)


def _captions(names) -> list[str]:
    return [CAPTIONS[n] for n in CAPTIONS if n in names]


@pytest.mark.parametrize("option", [["--plots", "core"], []], ids=["core", "default"])
def test_core_plots_are_the_default_and_the_report_shows_only_them(tmp_path, option):
    out = tmp_path / "res"
    assert main(["run", str(BASELINE), "--out", str(out), *SHORT, *option]) == 0
    assert _drawn(out) == BASE_CORE
    md_names, html_captions = _shown(out)
    assert md_names == BASE_CORE
    assert html_captions == _captions(BASE_CORE)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Corridor map" not in report and "plots/utilisation.png" not in report


def test_core_plots_of_a_route_choice_scenario_add_the_route_shares(tmp_path):
    out = tmp_path / "routes"
    routes = ROOT / "scenarios" / "china_europe_routes.yaml"
    assert main(["run", str(routes), "--out", str(out), *SHORT]) == 0
    assert _drawn(out) == BASE_CORE | {"route_shares"}
    assert _shown(out)[0] == BASE_CORE | {"route_shares"}


def test_all_plots_writes_every_standard_figure_that_applies(tmp_path):
    out = tmp_path / "res"
    assert main(["run", str(BASELINE), "--out", str(out), *SHORT, "--plots", "all"]) == 0
    expected = set(STANDARD) - ROUTE_FIGURES
    assert _drawn(out) == expected
    md_names, html_captions = _shown(out)
    assert md_names == expected and html_captions == _captions(expected)


@pytest.mark.parametrize("option", [["--plots", "none"], ["--no-plots"]],
                         ids=["none", "no-plots"])
def test_no_plots_writes_none_and_the_report_shows_none(tmp_path, option):
    out = tmp_path / "res"
    assert main(["run", str(BASELINE), "--out", str(out), *SHORT, *option]) == 0
    assert not (out / "plots").exists()
    assert json.loads((out / "run.json").read_text())["plots"] == []
    md_names, html_captions = _shown(out)
    assert md_names == set() and html_captions == []
    assert "## Plots" not in (out / "report.md").read_text(encoding="utf-8")


def test_plots_follow_the_scenario_unless_asked_for(tmp_path):
    off = ["--set", "outputs.plots=false"]
    assert main(["run", str(BASELINE), "--out", str(tmp_path / "a"), *SHORT, *off]) == 0
    assert not (tmp_path / "a" / "plots").exists()
    assert main(["run", str(BASELINE), "--out", str(tmp_path / "b"), *SHORT, *off,
                 "--plots", "core"]) == 0
    assert _drawn(tmp_path / "b") == BASE_CORE


def test_core_plots_with_replications(tmp_path):
    out = tmp_path / "reps"
    assert main(["run", str(BASELINE), "--out", str(out), *SHORT, "--replications", "2",
                 "--backend", "serial", "--plots", "core"]) == 0
    assert _drawn(out) == BASE_CORE
    md_names, html_captions = _shown(out)
    assert md_names == BASE_CORE and html_captions == _captions(BASE_CORE)


@pytest.mark.parametrize("args, message", [
    (["--plots", "some"], "argument --plots: invalid choice: 'some' (choose from 'core', "
                          "'all', 'none')"),
    (["--plots", "all", "--no-plots"], "argument --no-plots: not allowed with argument "
                                       "--plots"),
])
def test_bad_plots_option_exits_2_with_a_message(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(BASELINE), "--out", str(tmp_path / "x"), *args])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_run_help_names_the_core_figures(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--plots {core,all,none}" in text and "--no-plots same as --plots none" in text
    core = re.search(r"core \(the default: ([^)]*)\)", text).group(1)
    assert set(CORE) <= set(re.findall(r"\w+", core))


def test_the_process_exits_without_collecting_what_is_still_alive():
    """main() has the objects alive at exit frozen out of the garbage collector's last
    pass (a hook that runs after it, registered first, sees them frozen)."""
    script = f"""
import atexit, gc
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
from corridor_sim.cli import main
main(["validate", {str(BASELINE)!r}])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "frozen at exit: True"


def test_replications_print_the_transit_between_the_legs_of_interest(tmp_path, capsys):
    out = tmp_path / "reps"
    assert main(["run", str(BASELINE), "--out", str(out), "--horizon-days", "40",
                 "--replications", "2", "--backend", "serial", "--no-plots"]) == 0
    printed = capsys.readouterr().out
    assert "transit between chosen nodes:" in printed
    assert re.search(r"xian -> kuryk: median [\d.]+ d, p90 [\d.]+ d \(n=[\d,]+\)", printed)


def test_a_warning_given_twice_in_a_command_is_printed_once(tmp_path, capsys):
    # the summary and the report of two replications both warn of few replications
    assert main(["run", str(BASELINE), "--out", str(tmp_path / "reps"), "--horizon-days",
                 "40", "--replications", "2", "--backend", "serial", "--no-plots",
                 "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count("confidence intervals from 2 replications are wide") == 1
