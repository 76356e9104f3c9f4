"""Nothing lost, nothing half-written: interrupted runs leave the previous complete results
or none, never a directory that looks complete, and no temporary directories."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from corridor_sim import results_io
from corridor_sim.cli import main
from corridor_sim.experiment import run_single, save_run

from .factories import BASELINE, baseline

LONG = ["--horizon-days", "36500", "--max-consignments", "0", "--no-plots", "--quiet"]


def siblings(out):
    """Everything next to ``out`` whose name starts with ``.<out name>.`` (temporaries)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _as_from_a_terminal() -> None:
    # A job started in the background by a non-interactive shell (as CI may start the
    # suite) inherits SIGINT ignored; a user's terminal delivers it. Restore the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_long_run(out, *extra):
    return subprocess.Popen([sys.executable, "-m", "corridor_sim.cli", "run", str(BASELINE),
                             "--out", str(out), *LONG, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_from_a_terminal)


def interrupt(proc, sig) -> tuple[int, str]:
    time.sleep(3.0)  # imports done, simulating a 100-year horizon
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_first_run_leaves_nothing(tmp_path, sig, code):
    out = tmp_path / "res"
    returncode, err = interrupt(start_long_run(out), sig)
    assert returncode == code, err
    assert "Traceback" not in err
    assert not out.exists()
    assert siblings(out) == []


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_rerun_keeps_the_previous_results(tmp_path, sig, code):
    out = tmp_path / "res"
    assert main(["run", str(BASELINE), "--out", str(out), "--horizon-days", "40",
                 "--no-plots", "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    returncode, err = interrupt(start_long_run(out, "--force"), sig)
    assert returncode == code, err
    assert results_io.is_results_dir(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert siblings(out) == []


def test_interrupt_while_writing_removes_the_temporary_and_keeps_the_old(tmp_path,
                                                                        monkeypatch):
    sc = baseline(horizon_days=15, warmup_days=2)
    tables, meta = run_single(sc)
    out = tmp_path / "res"
    save_run(out, sc, tables, dict(meta), plots=False)
    old_meta = (out / "run.json").read_text()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(results_io.pd.DataFrame, "to_csv", interrupted)  # kpis.csv, mid-write
    with pytest.raises(KeyboardInterrupt):
        save_run(out, sc, tables, dict(meta), force=True, plots=False)
    assert (out / "run.json").read_text() == old_meta
    assert siblings(out) == []


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    out = tmp_path / "res"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [tmp_path / f".res.tmp-{dead.pid}-abc123", tmp_path / f".res.old-{dead.pid}"]
    live = tmp_path / f".res.tmp-{os.getppid()}-xyz789"  # a running process (our parent)
    for d in (*stale, live):
        d.mkdir()
        (d / "consignments.parquet").write_bytes(b"partial")
    unrelated = tmp_path / ".other.tmp-1-abc"
    unrelated.mkdir()
    sc = baseline(horizon_days=10, warmup_days=1)
    tables, meta = run_single(sc)
    save_run(out, sc, tables, meta, plots=False)
    assert all(not d.exists() for d in stale)
    assert live.exists() and unrelated.exists()
    assert results_io.is_results_dir(out)


def test_a_directory_that_only_looks_like_results_is_not_overwritten(tmp_path, capsys):
    half = tmp_path / "half"
    half.mkdir()
    (half / "consignments.parquet").write_bytes(b"partial")
    (half / "run.json").write_text(json.dumps({"note": "not ours"}))
    assert not results_io.is_results_dir(half)
    code = main(["run", str(BASELINE), "--out", str(half), "--force", "--quiet",
                 "--horizon-days", "40"])
    assert code == 2
    assert "not a corridor-sim results directory" in capsys.readouterr().err
    assert (half / "consignments.parquet").read_bytes() == b"partial"
