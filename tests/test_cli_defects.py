"""Small command-line defects: broken pipes, help text, warm-up options, overrides of
calibrated values, variant directories, timings, memory estimates, eastbound flows,
impossible units and disruptions outside the horizon."""

import subprocess
import sys
from pathlib import Path

import pytest

import corridor_sim as cs
from corridor_sim.budget import Budget, refusal
from corridor_sim.cli import build_parser, main
from corridor_sim.cli.run import default_out
from corridor_sim.scenario import ScenarioError, load_scenario
from corridor_sim.scenario.errors import ScenarioWarning

from .factories import BASELINE, ROOT

SMALL = ROOT / "tests" / "scenarios" / "small.yaml"


def test_output_cut_short_by_the_reader_gives_no_traceback(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "corridor_sim", "run", str(SMALL), "--out",
         str(tmp_path / "o"), "--no-plots"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=tmp_path)
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "calibrate", "validate"])
def test_help_prints_single_percent_signs(command, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    text = capsys.readouterr().out
    assert "%%" not in text


def test_short_horizon_points_at_the_option_and_warmup_days_fixes_it(tmp_path, capsys):
    code = main(["run", str(BASELINE), "--horizon-days", "30", "--out", str(tmp_path / "a")])
    err = capsys.readouterr().err
    assert code == 2
    assert "--horizon-days 30" in err and "--warmup-days" in err
    assert "baseline_2023.yaml:" not in err
    assert main(["run", str(BASELINE), "--horizon-days", "30", "--warmup-days", "5",
                 "--out", str(tmp_path / "b"), "--no-plots", "--quiet"]) == 0
    sc = cs.load_results(tmp_path / "b").scenario
    assert (sc.horizon_days, sc.warmup_days) == (30, 5)


def test_setting_a_calibrated_value_whole_needs_no_calibration_null():
    sc, problems = _load_checked({"nodes.kapikule.dwell_h": {"dist": "fixed", "value": 12}})
    assert sc.nodes["kapikule"].dwell_h.mean() == 12
    assert "nodes.kapikule.dwell_h.median" not in sc.calibration.free
    assert "legs.xian-altynkol.speed_kmh.mode" in sc.calibration.free
    assert any("left out" in p.message and p.severity == "warning" for p in problems)


def _load_checked(overrides):
    from corridor_sim.scenario.loader import load_checked

    return load_checked(BASELINE, overrides)


def test_a_variant_gets_its_own_results_directory(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert default_out("baseline_2023", {}) == Path("results/baseline_2023")
    variant = default_out("baseline_2023", {"demand.scale": 1.5})
    assert variant == Path("results/baseline_2023+demand.scale=1.5")
    long = default_out("x", {f"flows.f{i}.tons_per_year": 1e5 * i for i in range(20)})
    assert len(long.name) < 100 and long != default_out("x", {"flows.f0.tons_per_year": 0})
    assert main(["run", str(SMALL), "--set", "demand.scale=1.2", "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "results" / "small+demand.scale=1.2" / "run.json").is_file()
    assert not (tmp_path / "results" / "small").exists()
    first = out.splitlines()[0]
    assert " s, " in first and "s in all" in first  # simulation and total time


def test_memory_estimate_never_says_zero_gib():
    msg = refusal(Budget(1e6, 40 * 2**20, 365), max_consignments=1e3)
    assert "40 MiB" in msg and "0 GiB" not in msg


EASTBOUND = ("flows.cn_tr.from=istanbul", "flows.cn_tr.to=xian",
             "flows.cn_tr.via=[izmit, kars, akhalkalaki, tbilisi, beyuk_kesik, alat, kuryk, "
             "almaty, altynkol]")


def test_an_eastbound_flow_along_the_baseline_legs_runs_and_is_reported(tmp_path, capsys):
    # Legs and sea services serve both directions: Istanbul -> Xi'an rides the baseline's
    # legs, its Caspian service and its gauge changes against their written direction.
    out = tmp_path / "o"
    args = [a for s in EASTBOUND for a in ("--set", s)]
    assert main(["run", str(BASELINE), *args, "--horizon-days", "40", "--warmup-days", "5",
                 "--out", str(out), "--no-plots"]) == 0
    assert "eastbound" in capsys.readouterr().out
    cons = cs.load_results(out).consignments
    east = cons[cons["flow"] == "cn_tr"]
    assert len(east) and (east["direction"] == "eastbound").all()
    assert (east["origin"] == "istanbul").all() and (east["destination"] == "xian").all()
    assert east["delivered_h"].notna().any()


def test_a_route_hop_with_no_link_either_way_gets_one_message():
    from corridor_sim.scenario import parse_assignment

    skips_izmit = EASTBOUND[2].replace("izmit, ", "")
    overrides = dict(parse_assignment(a) for a in (*EASTBOUND[:2], skips_izmit))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(BASELINE, overrides)
    assert len(exc.value.problems) == 1, [str(p) for p in exc.value.problems]
    assert ("no leg or service between 'istanbul' and 'kars' in either direction"
            in exc.value.problems[0].message)


def test_impossible_tons_per_unit_are_refused():
    with pytest.raises(ScenarioError) as exc:
        load_scenario(BASELINE, {"flows.cn_tr.tons_per_unit": 1e15})
    p = exc.value.problems[0]
    assert p.path == "flows.0.tons_per_unit" and "per TEU" in p.message


def test_a_flow_without_consignments_is_warned_about(tmp_path, capsys):
    assert main(["run", str(SMALL), "--set", "flows.0.tons_per_year=1", "--out",
                 str(tmp_path / "o"), "--no-plots", "--quiet"]) == 0
    assert "expected to create" in capsys.readouterr().err


def test_disruptions_outside_the_horizon_are_warned_about(tmp_path, capsys):
    closure = ROOT / "scenarios" / "caspian_closure_16d.yaml"
    with pytest.warns(ScenarioWarning, match="outside the simulated period"):
        cs.run(closure, overrides={"horizon_days": 40, "warmup_days": 5}, backend="serial")
    assert main(["run", str(closure), "--horizon-days", "40", "--warmup-days", "5",
                 "--out", str(tmp_path / "o"), "--no-plots", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "corridor-sim: warning: disruptions.0.start" in err and "no effect" in err


def test_interrupt_reports_the_replications_saved_on_disk(tmp_path, capsys, monkeypatch):
    from corridor_sim import experiment
    from corridor_sim.experiment_store import replication_dir

    out = tmp_path / "o"

    def interrupted(scenario, replications, **options):
        for i in (0, 2):  # saved by the workers before the parent heard of them
            replication_dir(out, i).mkdir(parents=True)
            (replication_dir(out, i) / "run.json").write_text('{"corridor_sim_version": "x"}')
        raise KeyboardInterrupt

    monkeypatch.setattr(experiment, "run_experiment", interrupted)
    assert main(["run", str(SMALL), "--out", str(out), "--replications", "4"]) == 130
    assert "2 of 4 replications are saved" in capsys.readouterr().err


@pytest.mark.parametrize("progress", [True, False])
def test_assembling_the_results_is_announced(tmp_path, capsys, progress):
    from corridor_sim.experiment import RunOptions, run_experiment

    sc = load_scenario(SMALL, {"horizon_days": 10, "warmup_days": 1})
    run_experiment(sc, RunOptions(backend="serial", out=tmp_path / "o", plots=False,
                                  progress=progress))
    assert ("assembling" in capsys.readouterr().err) == progress
