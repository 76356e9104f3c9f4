"""Failure capture, interruption and resume of multi-replication experiments."""

import json

import pandas as pd
import pytest

from corridor_sim import experiment
from corridor_sim import experiment_store as store
from corridor_sim.cli import main
from corridor_sim.experiment import (
    ReplicationError,
    RunOptions,
    run_experiment,
    run_replications,
)
from corridor_sim.experiment import run_single as real_run_single
from corridor_sim.experiment_store import replication_dir, scenario_hash
from corridor_sim.scenario import with_overrides

from .factories import BASELINE, baseline

SHORT = {"horizon_days": 30, "warmup_days": 5}
CLI_SHORT = ["--horizon-days", "30", "--set", "warmup_days=5", "--no-plots", "--quiet"]


def fail_on_one(scenario, replication):
    """A runner whose replication 1 raises (module level: picklable for the pool)."""
    if replication == 1:
        raise RuntimeError("injected failure")
    return real_run_single(scenario, replication)


def test_failing_replication_is_recorded_and_others_finish(tmp_path):
    out = tmp_path / "exp"
    exp = run_experiment(baseline(**SHORT), RunOptions(replications=4, backend="processes",
                                                       workers=2, out=out, plots=False,
                                                       progress=False, runner=fail_on_one))
    status = pd.read_csv(out / "status.csv")
    assert list(status.columns) == ["replication", "state", "error", "wall_s", "traceback"]
    assert status.set_index("replication")["state"].to_dict() == {
        0: "done", 1: "failed", 2: "done", 3: "done"}
    failed = status.loc[status["replication"] == 1]
    assert "injected failure" in failed["error"].item()
    # where it was raised, from the worker process
    assert "in fail_on_one" in failed["traceback"].item()
    assert status.loc[status["state"] == "done", "traceback"].isna().all()
    kpis = pd.read_csv(out / "kpis.csv")
    assert kpis["n"].max() == 3  # the failed replication is in no KPI
    assert sorted(pd.read_parquet(out / "consignments.parquet")["replication"].unique()) == \
        [0, 2, 3]
    assert not replication_dir(out, 1).exists()
    assert exp.meta["failed"] == 1


def test_api_raises_after_the_others_ran():
    with pytest.raises(ReplicationError, match="injected failure") as info:
        run_replications(baseline(**SHORT), RunOptions(replications=3, backend="serial",
                                                       progress=False, runner=fail_on_one))
    assert len(info.value.experiment.tables) == 2


def test_cli_reports_failure_with_exit_1_then_retries_only_it(tmp_path, monkeypatch, capsys):
    out = tmp_path / "res"
    args = ["run", str(BASELINE), "--replications", "3", "--backend", "serial",
            "--out", str(out), *CLI_SHORT]
    monkeypatch.setattr(experiment, "run_single", fail_on_one)
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "1 replication(s) failed" in err and "injected failure" in err
    monkeypatch.setattr(experiment, "run_single", real_run_single)
    assert main(args) == 0
    meta = json.loads((out / "run.json").read_text())
    assert meta["computed"] == [1] and meta["reused"] == 2 and meta["failed"] == 0
    assert (pd.read_csv(out / "status.csv")["state"] == "done").all()


def interrupt_at_two(scenario, replication):
    if replication == 2:
        raise KeyboardInterrupt
    return real_run_single(scenario, replication)


def test_rerun_after_interruption_computes_only_missing(tmp_path):
    sc = baseline(**SHORT)
    out = tmp_path / "exp"
    with pytest.raises(KeyboardInterrupt):
        run_experiment(sc, RunOptions(replications=4, backend="serial", out=out, plots=False,
                                      progress=False, runner=interrupt_at_two))
    assert not (out / "run.json").exists()  # not mistaken for a finished run
    assert (out / "partial.json").exists()
    assert [replication_dir(out, i).exists() for i in range(4)] == [True, True, False, False]
    kept = (replication_dir(out, 0) / "run.json").stat().st_ino
    exp = run_experiment(sc, RunOptions(replications=4, backend="serial", out=out, plots=False,
                                        progress=False))
    assert exp.meta["computed"] == [2, 3]
    assert (replication_dir(out, 0) / "run.json").stat().st_ino == kept
    fresh = run_experiment(sc, RunOptions(replications=4, backend="serial", plots=False,
                                          progress=False))
    pd.testing.assert_frame_equal(exp.kpis_by_replication, fresh.kpis_by_replication,
                                  check_dtype=False)


def test_deleted_replication_is_recomputed_alone(tmp_path):
    import shutil

    sc = baseline(**SHORT)
    out = tmp_path / "exp"
    first = run_experiment(sc, RunOptions(replications=3, backend="serial", out=out, plots=False,
                                          progress=False))
    shutil.rmtree(replication_dir(out, 1))
    again = run_experiment(sc, RunOptions(replications=3, backend="serial", out=out, plots=False,
                                          progress=False))
    assert again.meta["computed"] == [1]
    pd.testing.assert_frame_equal(first.kpis, again.kpis)
    meta = json.loads((replication_dir(out, 1) / "run.json").read_text())
    assert meta["scenario_hash"] == scenario_hash(sc) and meta["replication"] == 1


def test_other_scenario_needs_force(tmp_path, capsys):
    out = tmp_path / "res"
    base = ["run", str(BASELINE), "--replications", "2", "--backend", "serial",
            "--out", str(out), *CLI_SHORT]
    assert main(base) == 0
    assert main([*base, "--set", "demand.scale=1.2"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main([*base, "--set", "demand.scale=1.2", "--force"]) == 0
    meta = json.loads((out / "run.json").read_text())
    assert meta["computed"] == [0, 1]


def test_hash_ignores_key_order_but_not_values():
    sc = baseline(**SHORT)
    d = sc.to_dict()
    assert scenario_hash(dict(reversed(list(d.items())))) == scenario_hash(sc)
    assert scenario_hash(with_overrides(sc, {"demand.scale": 1.1})) != scenario_hash(sc)


def test_the_store_keeps_the_resume_key_and_wall_time_of_a_replication(tmp_path):
    sc = baseline(horizon_days=6, warmup_days=1)
    tables, meta = real_run_single(sc, 0)
    rep = replication_dir(tmp_path / "exp", 0)
    key = {"scenario_hash": scenario_hash(sc), "seed": sc.seed, "replication": 0}
    store.save_replication(rep, sc.to_dict(), tables, meta, key, wall_s=1.234567)
    assert store.is_done(rep, key)
    assert not store.is_done(rep, {**key, "seed": sc.seed + 1})
    assert store.replication_wall_s(rep) == 1.2346
    assert store.read_meta(rep)["events"] == meta["events"]
    assert not store.is_done(replication_dir(tmp_path / "exp", 1), key)


def test_concatenated_tables_kept_in_memory_are_the_file_written(tmp_path):
    """The combined tables handed to the report are the combined file as it reads back:
    parts with unified column types (a part's null column takes the others')."""
    parts = [pd.DataFrame({"flow": pd.Categorical(["a", "b"]), "t_h": [1.0, 2.5],
                           "note": ["x", None]}),
             pd.DataFrame({"flow": pd.Categorical(["a"]), "t_h": [3.0],
                           "note": [None]}),  # a null column in Parquet
             pd.DataFrame({"flow": pd.Categorical(["b"]), "t_h": [7.0], "note": ["y"]})]
    paths = []
    for i, df in enumerate(parts):
        paths.append(tmp_path / f"{i}.parquet")
        df.to_parquet(paths[-1], index=False)
    kept = store.concat_parquet(paths, tmp_path / "all.parquet", keep=True)
    back = pd.read_parquet(tmp_path / "all.parquet")
    pd.testing.assert_frame_equal(kept.to_pandas(), back)
    assert back["t_h"].tolist() == [1.0, 2.5, 3.0, 7.0]
    assert back["note"].tolist() == ["x", None, None, "y"]
    assert store.concat_parquet(paths, tmp_path / "again.parquet") is None
