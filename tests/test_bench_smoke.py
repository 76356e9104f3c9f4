"""Smoke test of benchmarks/bench.py at tiny sizes (no timing is asserted)."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def test_bench_quick_writes_results(tmp_path):
    out = subprocess.run([sys.executable, str(BENCH), "--quick", "--out-dir", str(tmp_path),
                          "--workers", "2"], capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert "model events/s / reference events/s" in out.stdout
    res = json.loads((tmp_path / "results.json").read_text())
    assert {"config", "machine", "reference", "model", "memory", "parallel", "table",
            "targets_met"} <= set(res)
    assert set(res["model"]) == {"x1", "x2", "x4"}
    for m in res["model"].values():
        assert m["events"] > 0 and m["consignments"] > 0 and m["run_s"] > 0
    # more demand means more consignments and more events
    assert res["model"]["x4"]["consignments"] > res["model"]["x1"]["consignments"]
    assert res["model"]["x4"]["events"] > res["model"]["x1"]["events"]
    assert res["reference"]["events"] >= res["config"]["ref_events"]
    assert res["memory"]["run"]["peak_mib"] >= res["memory"]["run"]["ready_mib"]
    assert res["parallel"]["identical_kpis"] is True
    assert (tmp_path / "cost_vs_demand.png").stat().st_size > 1000
    whole = res["whole_run"]  # cs.run and its split, the command-line run end to end
    assert {"cs_run_s", "simulate_s", "build_tables_s", "kpi_table_s", "cli_run_s"} <= set(whole)
    assert all(v > 0 for v in whole.values())
    assert "cs.run, baseline" in out.stdout and "CLI run, baseline" in out.stdout
