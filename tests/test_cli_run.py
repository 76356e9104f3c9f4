"""The run command end to end."""

import json
import subprocess
import sys

from corridor_sim.cli import main

from .factories import BASELINE

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
