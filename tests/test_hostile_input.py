"""Hostile, huge and badly encoded input through the CLI: every case exits 2 with a clear
message naming the file, without a traceback and without writing results.

The corpus lives in tests/hostile/ (listed with the expected message in expected.yaml);
a few cases that would be too large or cannot be committed are generated here.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .factories import BASELINE

HOSTILE = Path(__file__).resolve().parent / "hostile"
EXPECTED = yaml.safe_load((HOSTILE / "expected.yaml").read_text())
TIMEOUT_S = 60  # a guard against hangs, not a speed requirement


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corridor_sim.cli", *args],
                          capture_output=True, text=True, timeout=TIMEOUT_S, cwd=cwd)


def assert_refused(proc: subprocess.CompletedProcess, names: str, contains: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert names in proc.stderr, proc.stderr
    assert contains in proc.stderr, proc.stderr


def test_every_corpus_file_has_an_expectation():
    files = {p.name for p in HOSTILE.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_is_refused(name, tmp_path):
    case = EXPECTED[name]
    out = tmp_path / "out"
    proc = run_cli("run", str(HOSTILE / name), "--out", str(out), "--no-plots")
    assert_refused(proc, case.get("file", name), case["contains"])
    assert not out.exists()


def test_file_over_the_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + ("# padding padding padding padding padding\n" * 130_000))
    assert_refused(run_cli("run", str(big)), "big.yaml", "limited to")


def test_extends_chain_longer_than_the_limit(tmp_path):
    for i in range(40):
        (tmp_path / f"c{i}.yaml").write_text(f"extends: c{i + 1}.yaml\n")
    (tmp_path / "c40.yaml").write_text("name: x\n")
    assert_refused(run_cli("run", str(tmp_path / "c0.yaml")), ".yaml", "chain longer than")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX only")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    assert_refused(run_cli("run", str(pipe)), "pipe.yaml", "not a regular file")


def test_run_needing_more_memory_than_the_machine_has(tmp_path):
    # with the consignment limit raised out of the way, the memory estimate refuses it
    proc = run_cli("run", str(HOSTILE / "tons_1e12_per_year.yaml"), "--out",
                   str(tmp_path / "out"), "--max-consignments", "1e15")
    assert_refused(proc, "tons_1e12_per_year.yaml", "of memory available")


def test_max_consignments_option_limits_the_baseline(tmp_path):
    proc = run_cli("run", str(BASELINE), "--out", str(tmp_path / "out"),
                   "--max-consignments", "1000")
    assert_refused(proc, "baseline_2023.yaml", "more than the limit of 1,000")
    assert not (tmp_path / "out").exists()
