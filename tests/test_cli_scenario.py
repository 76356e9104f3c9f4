"""The validate, show and schema commands."""

import json
import re
import subprocess
import sys

import yaml

from corridor_sim.scenario import load_scenario, validate_data

from .conftest import ROOT, SCENARIOS

BAD = "tests/scenarios/invalid/unknown_node_key.yaml"


def test_validate_ok(run_cli):
    result = run_cli("validate", "scenarios/baseline_2023.yaml", "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK scenarios/baseline_2023.yaml"


def test_validate_bad_file_exits_2_with_position_and_no_traceback(run_cli):
    result = run_cli("validate", BAD)
    assert result.returncode == 2
    assert f"{BAD}:4:5:" in result.stderr
    assert "did you mean 'country'?" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_validate_several_files_reports_each(run_cli):
    result = run_cli("validate", "scenarios/baseline_2023.yaml", BAD,
                     "tests/scenarios/invalid/binary.yaml")
    assert result.returncode == 2
    assert "OK scenarios/baseline_2023.yaml" in result.stdout
    assert "FAILED tests/scenarios/invalid/binary.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_prints_warnings_and_strict_fails(run_cli):
    args = ["validate", "scenarios/baseline_2023.yaml", "--set", "demand.scale=4"]
    loose = run_cli(*args)
    assert loose.returncode == 0
    assert "warning: legs.7.trains_per_day" in loose.stdout
    found = re.search(r"OK scenarios/baseline_2023.yaml \((\d+) warnings\)", loose.stdout)
    assert found and int(found.group(1)) >= 2
    strict = run_cli(*args, "--strict")
    assert strict.returncode == 2 and "error: legs.7.trains_per_day" in strict.stderr


def test_bad_override_exits_2(run_cli):
    result = run_cli("validate", "scenarios/baseline_2023.yaml", "--set", "demand.scael=2")
    assert result.returncode == 2 and "did you mean 'scale'?" in result.stderr
    result = run_cli("show", "scenarios/baseline_2023.yaml", "--set", "demand.scale")
    assert result.returncode == 2 and "must look like path=value" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_prints_resolved_yaml_with_overrides(run_cli):
    result = run_cli("show", "scenarios/baseline_2023.yaml",
                     "--set", "flows.cn_tr.tons_per_year=500000",
                     "--set", "services.caspian_ferry.vessels=8")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout)
    assert data["services"]["caspian_ferry"]["vessels"] == 8
    assert data["flows"][0]["tons_per_year"] == 500000
    shown = validate_data(data)
    expected = load_scenario(SCENARIOS / "baseline_2023.yaml",
                             {"flows.cn_tr.tons_per_year": 5e5,
                              "services.caspian_ferry.vessels": 8})
    assert shown == expected


def test_show_resolves_extends(run_cli):
    result = run_cli("show", "tests/scenarios/small.yaml", "--defaults")
    assert result.returncode == 0
    assert "extends" not in yaml.safe_load(result.stdout)
    assert yaml.safe_load(result.stdout)["nodes"]["aktau"]["tracks"] == 1


def test_schema_to_stdout_and_file(run_cli, tmp_path):
    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert {"nodes", "flows", "services", "legs", "extends"} <= set(schema["properties"])
    out = tmp_path / "sub" / "scenario.schema.json"
    assert run_cli("schema", "--out", str(out)).returncode == 0
    assert json.loads(out.read_text()) == schema


def test_import_scenario_does_not_import_simpy_or_matplotlib():
    code = ("import sys, corridor_sim.scenario, corridor_sim.cli.validate, "
            "corridor_sim.cli.show, corridor_sim.cli.schema; "
            "bad = [m for m in ('simpy', 'matplotlib') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
