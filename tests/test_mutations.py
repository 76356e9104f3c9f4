"""Mutation tests: the invariant suite (tests/invariants.py) must fail when the engine is
broken on purpose. Each test patches one stable engine name, runs a small corridor with
transfers, a sea service and closures, and asserts that the suite raises."""

import numpy as np
import pytest

from corridor_sim.engine import simulate
from corridor_sim.engine.closures import Closures
from corridor_sim.engine.queues import CargoQueue
from corridor_sim.engine.world import World
from corridor_sim.results import build_tables, closures_table
from corridor_sim.scenario import load_scenario

from .factories import ROOT
from .invariants import check_batch_loads, check_conservation, check_run

SMALL = ROOT / "tests" / "scenarios" / "small.yaml"


@pytest.fixture(scope="module")
def sc():
    # heavier demand than the file's so that queues hold several chunks and ships fill up
    return load_scenario(SMALL, {"flows.cn_tr.tons_per_year": 6e5, "horizon_days": 45})


def _suite(sc):
    run = simulate(sc)
    tables = build_tables(run)
    tables["closures"] = closures_table(run)
    check_run(sc, run, tables)
    return run, tables


def test_the_unbroken_engine_passes(sc):
    run, tables = _suite(sc)
    assert len(run.end_state.queued_ids) + len(run.end_state.on_board_ids) > 0
    assert tables["consignments"]["delivered_h"].notna().sum() > 100


def test_dropping_a_consignment_at_each_transfer_fails(sc, monkeypatch):
    forward = World.forward

    def leaky(self, ids, source):
        return forward(self, ids[1:], source)

    monkeypatch.setattr(World, "forward", leaky)
    run = simulate(sc)
    tables = build_tables(run)
    tables["closures"] = closures_table(run)
    check_conservation(sc, tables)  # the old count cannot see it ...
    with pytest.raises(AssertionError, match="lost"):
        check_run(sc, run, tables)  # ... the whereabouts can


def test_overfilling_trains_and_vessels_fails(sc, monkeypatch):
    # trains take from their CargoQueue, vessels through DeckQueue.take, which takes the
    # cargo from its CargoQueue with the room the deck has left
    take = CargoQueue.take
    monkeypatch.setattr(CargoQueue, "take",
                        lambda self, cap, *args, **kw: take(self, cap * 1.5, *args, **kw))
    run = simulate(sc)
    tables = build_tables(run)
    tables["closures"] = closures_table(run)
    with pytest.raises(AssertionError, match="beyond its deck|TEU >"):
        check_run(sc, run, tables)
    with pytest.raises(AssertionError) as exc:
        check_batch_loads(sc, run)
    assert "on rail:" in str(exc.value) and "on sea:ferry" in str(exc.value)


def test_breaking_fifo_fails(sc, monkeypatch):
    take = CargoQueue.take

    def newest_first(self, cap):
        if len(self.chunks) > 1:
            self.chunks.rotate(1)  # the chunk that joined last goes first
        return take(self, cap)

    monkeypatch.setattr(CargoQueue, "take", newest_first)
    with pytest.raises(AssertionError, match="joined earlier"):
        _suite(sc)


def test_starting_during_a_closure_fails(sc, monkeypatch):
    monkeypatch.setattr(Closures, "next_open", lambda self, t: t)
    with pytest.raises(AssertionError, match="while closed"):
        _suite(sc)


def test_end_state_lists_each_undelivered_consignment_once(sc):
    run, tables = _suite(sc)
    end = run.end_state
    cons = tables["consignments"]
    waiting = np.concatenate([end.queued_ids, end.on_board_ids])
    assert sorted(waiting) == sorted(np.flatnonzero(cons["delivered_h"].isna().to_numpy()))
    assert end.scheduled.any() or (cons["created_h"] <= sc.horizon_days * 24).all()
