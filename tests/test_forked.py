"""Work handed to a forked copy of the process (a run's figures, drawn while the tables
and report are written): the same result as done here, failures redone here, stopped
when the writing fails, and matplotlib kept out of the process writing the tables."""

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corridor_sim import forked
from corridor_sim.experiment import run_single, save_run

from .factories import BASELINE, baseline

needs_fork = pytest.mark.skipif(not forked.can_fork(), reason="no fork start method here")


def _pid_and_sum(values):
    return os.getpid(), sum(values)


def _fails_in_a_copy(parent: int):
    if os.getpid() != parent:
        raise RuntimeError("only in the copy")
    return "done here"


def _always_fails():
    raise ValueError("bad figure")


@needs_fork
def test_the_copy_returns_what_the_function_returns_there():
    pid, total = forked.start(_pid_and_sum, [1, 2, 3], fork=True).result()
    assert total == 6 and pid != os.getpid()


def test_without_a_fork_the_work_is_done_here_when_asked_for():
    pending = forked.start(_pid_and_sum, [4], fork=False)
    assert pending.result() == (os.getpid(), 4)


@needs_fork
def test_a_failure_in_the_copy_is_done_again_here():
    assert forked.start(_fails_in_a_copy, os.getpid(), fork=True).result() == "done here"


@needs_fork
def test_an_error_everywhere_is_raised_here():
    with pytest.raises(ValueError, match="bad figure"):
        forked.start(_always_fails, fork=True).result()


@needs_fork
def test_cancel_stops_the_copy():
    pending = forked.start(time.sleep, 60, fork=True)
    t = time.perf_counter()
    pending.cancel()
    assert time.perf_counter() - t < 10


def _note_pid(path):
    path.write_text(str(os.getpid()))


@needs_fork
def test_a_worker_gets_ready_before_its_work_and_does_it_in_the_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(forked, "can_fork_here", lambda: True)
    with forked.Worker(lambda: _note_pid(tmp_path / "ready")) as worker:
        pid, total = worker.start(_pid_and_sum, [1, 2]).result()
    assert total == 3 and pid != os.getpid()
    assert (tmp_path / "ready").read_text() == str(pid)  # prepared by the same copy
    assert multiprocessing.active_children() == []


@needs_fork
def test_work_that_cannot_be_sent_to_the_worker_is_done_by_a_copy_forked_then(monkeypatch):
    monkeypatch.setattr(forked, "can_fork_here", lambda: True)
    with forked.Worker() as worker:
        pending = worker.start(lambda: os.getpid())  # a lambda does not pickle
        assert pending.result() != os.getpid()
    assert multiprocessing.active_children() == []


@needs_fork
def test_a_worker_given_nothing_is_stopped_when_the_block_ends(monkeypatch):
    monkeypatch.setattr(forked, "can_fork_here", lambda: True)
    t = time.perf_counter()
    with forked.Worker(lambda: time.sleep(60)):
        pass
    assert time.perf_counter() - t < 10 and multiprocessing.active_children() == []


def _ended(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status  # a zombie: ended, not yet reaped


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
@needs_fork
def test_a_worker_ends_when_its_parent_is_killed():
    script = """
import os, signal, sys
from corridor_sim import forked
forked.can_fork_here = lambda: True
with forked.Worker() as worker:
    print(worker._process.pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    pid = int(done.stdout.split()[0])
    deadline = time.perf_counter() + 10
    while not _ended(pid) and time.perf_counter() < deadline:
        time.sleep(0.1)
    assert _ended(pid)


def _late_marker(tables, scenario, folder):
    time.sleep(1.5)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "late.png").write_bytes(b"x")
    return [folder / "late.png"]


@needs_fork
def test_a_failed_write_stops_the_figures_and_leaves_nothing(tmp_path, monkeypatch):
    import corridor_sim.results_io as results_io

    scenario = baseline(horizon_days=20, warmup_days=5)
    tables, meta = run_single(scenario)

    def broken(df, path, name):
        raise OSError("disk full")

    monkeypatch.setattr(results_io, "write_parquet", broken)
    monkeypatch.setattr(forked, "can_fork_here", lambda: True)
    with pytest.raises(OSError, match="disk full"):
        save_run(tmp_path / "res", scenario, tables, meta, plots=True, figures=_late_marker)
    time.sleep(2.5)  # the copy, had it not been stopped, would have written by now
    assert list(tmp_path.iterdir()) == []


@needs_fork
def test_a_failed_assembling_of_replications_stops_their_figures(tmp_path, monkeypatch):
    from corridor_sim import experiment_store as store

    scenario = baseline(horizon_days=20, warmup_days=5)
    rep = save_run(tmp_path / "rep", scenario, *run_single(scenario), plots=False)

    def broken(paths, target, keep=False):
        raise OSError("disk full")

    monkeypatch.setattr(store, "concat_parquet", broken)
    monkeypatch.setattr(forked, "can_fork_here", lambda: True)
    with pytest.raises(OSError, match="disk full"):
        store.write_combined(tmp_path / "all", scenario.to_dict(), {}, [rep], {},
                             draw=lambda tables, folder: _late_marker(tables, None, folder))
    time.sleep(2.5)  # the copy, had it not been stopped, would have written by now
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_the_process_writing_the_tables_loads_matplotlib_only_without_a_fork(tmp_path):
    out = tmp_path / "res"
    script = f"""
import sys
from corridor_sim import forked
from corridor_sim.cli import main
code = main(["run", {str(BASELINE)!r}, "--out", {str(out)!r}, "--horizon-days", "40",
             "--quiet"])
print(code, forked.can_fork_here(), "matplotlib" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    code, can_fork, loaded = done.stdout.split()
    assert code == "0"
    assert loaded == ("False" if can_fork == "True" else "True")
    assert sorted(p.stem for p in (out / "plots").glob("*.png")) == sorted(
        ["throughput", "transit_cdf", "delay_breakdown", "queues"])


def _note_pid_then_sleep(path):
    path.write_text(str(os.getpid()))
    time.sleep(60)


@needs_fork
def test_work_handed_to_a_worker_is_stopped_when_the_block_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(forked, "can_fork_here", lambda: True)
    note = tmp_path / "pid"
    with forked.Worker() as worker:
        worker.start(_note_pid_then_sleep, note)
        deadline = time.perf_counter() + 30
        while not note.exists() and time.perf_counter() < deadline:
            time.sleep(0.05)
    pid = int(note.read_text())
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left sleeping
        os.kill(pid, 0)


def _cli_figures(tmp_path, name: str) -> dict[str, bytes]:
    from corridor_sim.cli import main

    out = tmp_path / name
    assert main(["run", str(BASELINE), "--out", str(out), "--horizon-days", "40",
                 "--quiet"]) == 0
    return {p.name: p.read_bytes() for p in sorted((out / "plots").glob("*.png"))}


@needs_fork
def test_figures_started_as_soon_as_the_tables_are_built_are_those_drawn_from_the_run(
        tmp_path, monkeypatch):
    import tempfile

    from corridor_sim.plotting import run_figures

    scenario = baseline(horizon_days=40)
    tables, _ = run_single(scenario)  # the run's final tables, drawn here
    run_figures(tables, scenario, tmp_path / "here", names="core")
    here = {p.name: p.read_bytes() for p in sorted((tmp_path / "here").glob("*.png"))}
    stage = tmp_path / "tmp"
    stage.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(stage))  # where the copy draws them
    monkeypatch.setattr(forked, "can_fork_here", lambda: True)
    early = _cli_figures(tmp_path, "early")
    assert sorted(here) == ["delay_breakdown.png", "queues.png", "throughput.png",
                            "transit_cdf.png"]
    assert early == here
    assert list(stage.iterdir()) == []  # the folder they were drawn in is gone


def test_run_single_hands_over_the_tables_before_the_kpis():
    scenario = baseline(horizon_days=20, warmup_days=5)
    handed = []
    tables, _ = run_single(scenario, 3, tables_ready=lambda t, rep: handed.append(
        (dict(t), {k: list(v.columns) for k, v in t.items()}, rep)))
    (early, columns, rep), = handed
    assert rep == 3
    assert set(early) == set(tables) - {"kpis"}
    for name, df in early.items():
        assert df is tables[name]  # the same frames, given their column afterwards
        assert columns[name] == list(df.columns)[1:] and df.columns[0] == "replication"


def test_figures_from_the_early_tables_see_the_columns_of_the_final_ones(monkeypatch):
    import corridor_sim.plotting as plotting
    from corridor_sim.cli.run import _draw_figures

    scenario = baseline(horizon_days=20, warmup_days=5)
    handed, seen = [], {}
    tables, _ = run_single(scenario, 2, tables_ready=lambda t, rep: handed.append(
        ({k: v.drop(columns=[]) for k, v in t.items()}, rep)))  # copies, as unpickled
    monkeypatch.setattr(plotting, "run_figures", lambda t, sc, folder, names: seen.update(t))
    _draw_figures(*handed[0][:1], scenario, Path("unused"), handed[0][1], names="core")
    assert {k: list(v.columns) for k, v in seen.items()} == {
        k: list(v.columns) for k, v in tables.items() if k != "kpis"}
    assert (seen["consignments"]["replication"] == 2).all()
