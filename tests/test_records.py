"""The run's records (corridor_sim/engine/records.py): stage rows and resource samples
appended to lists and moved into arrays every FLUSH_ROWS rows keep every row, in order."""

import pickle

import numpy as np
import pandas as pd

from corridor_sim.engine.records import FLUSH_ROWS, Recorder


def test_rows_survive_flushes_and_pickling_in_order():
    rec = Recorder(1)
    n_batches = FLUSH_ROWS + 100  # two stage rows and samples a batch: flushed once
    for b in range(n_batches):
        bid = rec.new_batch("train", "a>b", float(b), np.zeros(1, dtype=np.int64), 1.0, 1.0)
        for j in range(2):
            rec.stage(bid, 3, 4, 1, b + j, b + j + 0.5)
            rec.sample(5, 6, b + j, float(j))
    assert any(len(parts) for parts in rec._flushed.values())  # the flush path ran
    t0 = np.add.outer(np.arange(n_batches), np.arange(2)).ravel().astype(float)
    for r in (rec, pickle.loads(pickle.dumps(rec))):
        np.testing.assert_array_equal(r.column("st_batch"), np.repeat(np.arange(n_batches), 2))
        np.testing.assert_array_equal(r.column("st_t0"), t0)
        np.testing.assert_array_equal(r.column("st_t1"), t0 + 0.5)
        np.testing.assert_array_equal(r.column("r_t"), t0)
        np.testing.assert_array_equal(r.column("r_value"), np.tile([0.0, 1.0], n_batches))
        assert r.column("st_cat").dtype == np.int8 and set(r.column("st_place")) == {3}


def test_the_manifest_join_is_computed_once_per_run(monkeypatch):
    """The tables of a run share one manifest join, kept on the run (not in a module-level
    cache), and another run of the same scenario gets its own."""
    from corridor_sim.batches import manifest
    from corridor_sim.engine import simulate
    from corridor_sim.results import build_tables

    from .factories import baseline

    sc = baseline(horizon_days=40, warmup_days=10)
    run = simulate(sc, 0)
    calls = []
    joined = run.rec.manifest_joined
    monkeypatch.setattr(run.rec, "manifest_joined",
                        lambda created: calls.append(1) or joined(created))
    build_tables(run)
    assert len(calls) == 1 and "manifest" in run.derived
    other = simulate(sc, 1)
    assert "manifest" not in other.derived
    assert len(manifest(other)[1]) == len(other.rec.m_ids)


def test_delay_hours_are_hours_when_no_batch_has_ended():
    """A run so short that its one batch is still on its way: every delay column is
    float hours (zero), not integers (numpy's bincount of no rows)."""
    from corridor_sim.engine import simulate
    from corridor_sim.results import CATEGORY_COLUMNS, consignments_table

    from .factories import baseline

    run = simulate(baseline(horizon_days=0.05, warmup_days=0), 0)
    assert len(run.rec.m_ids) and not np.isfinite(run.rec.column("b_end")).any()
    cons = consignments_table(run)
    for col in CATEGORY_COLUMNS:
        assert cons[col].dtype == np.float64, col


def test_editing_a_table_leaves_the_run_and_its_other_tables_alone():
    """Tables are built without copying their columns, but none of them shares an array
    with the run: editing the consignments in place changes no later table."""
    from corridor_sim.engine import simulate
    from corridor_sim.results import build_table, consignments_table

    from .factories import baseline

    run = simulate(baseline(horizon_days=40, warmup_days=10), 0)
    before = build_table(run, "itinerary", None)
    cons = consignments_table(run)
    for col in ("teu", "tons", "created_h", "delivered_h"):
        cons.loc[:, col] = -1.0
    assert (run.rec.delivered_h != -1.0).any() and (run.created_h != -1.0).all()
    pd.testing.assert_frame_equal(build_table(run, "itinerary", None), before)
    assert before["consignment_id"].dtype == np.int32  # 4-byte ids: see itinerary.py
