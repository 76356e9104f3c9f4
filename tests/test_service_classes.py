"""Service classes: block trains and regular traffic (``Flow.service``, ``regular:``
parameters of legs and nodes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from corridor_sim.engine import simulate
from corridor_sim.experiment import run_single
from corridor_sim.kpis import transit_by_class
from corridor_sim.scenario import Scenario, ScenarioError, load_scenario

from .factories import ferry_corridor, node
from .invariants import check_classes, check_run


def two_class_scenario(seed: int, regular: bool = True, **flow_fields) -> Scenario:
    """A block flow and a regular flow of the same volume on the same route a -> b -> z
    (a border at b) sharing terminals, border tracks and line slots; with ``regular``,
    regular trains dwell longer at the border and run slower on the legs."""
    block = {"id": "blk", "priority": True, **flow_fields.get("blk", {})}
    other = {"id": "reg", **flow_fields.get("reg", {})}
    common = {"from": "a", "to": "z", "via": ["b"], "tons_per_year": 150_000}
    return Scenario.model_validate({
        "name": "classes", "start_date": "2023-01-01", "horizon_days": 60,
        "warmup_days": 10, "seed": seed,
        "nodes": {
            "a": node("terminal", dwell_h={"dist": "uniform", "low": 2, "high": 6},
                      tracks=2, depart={"when_full": 1.0, "max_wait_h": 24}),
            "b": node("border", tracks=3, dwell_h={"dist": "lognormal", "median": 5,
                                                   "p90": 10},
                      **({"regular": {"dwell_h": {"dist": "lognormal", "median": 30,
                                                  "p90": 50}}} if regular else {})),
            "z": node("terminal", dwell_h=3)},
        "legs": [{"from": "a", "to": "b", "distance_km": 800, "trains_per_day": 12,
                  "speed_kmh": {"dist": "triangular", "low": 40, "mode": 55, "high": 60},
                  "max_train_teu": 50,
                  **({"regular": {"speed_kmh": {"dist": "triangular", "low": 30,
                                                "mode": 40, "high": 50}}} if regular else {})},
                 {"from": "b", "to": "z", "distance_km": 600, "trains_per_day": 12,
                  "speed_kmh": {"dist": "triangular", "low": 40, "mode": 55, "high": 60},
                  "max_train_teu": 50}],
        "flows": [{**common, **block}, {**common, **other}],
    })


def _mean_days(tables, flow: str) -> float:
    c = tables["consignments"]
    c = c[(c["flow"] == flow) & (c["delivered_h"] >= 0)]
    return float(c["transit_h"].mean()) / 24.0


def test_block_trains_are_never_slower_than_regular_traffic_on_the_same_route():
    for seed in range(4):
        tables, _ = run_single(two_class_scenario(seed))
        block, regular = _mean_days(tables, "blk"), _mean_days(tables, "reg")
        assert block <= regular, f"seed {seed}: block {block:.2f} d > regular {regular:.2f} d"
        # the regular trains' own border dwell (median 30 h against 5 h) and speed show
        assert regular - block > 1.0, f"seed {seed}: classes ran alike"


def test_without_regular_parameters_both_classes_draw_alike():
    # a train's class changes nothing but its queue when no place has `regular:`
    for seed in range(3):
        tables, _ = run_single(two_class_scenario(seed, regular=False))
        gap = _mean_days(tables, "reg") - _mean_days(tables, "blk")
        assert abs(gap) < 0.5, f"seed {seed}: classes differ by {gap:.2f} d"


def test_service_given_explicitly_gives_identical_tables():
    derived, _ = run_single(two_class_scenario(3))
    explicit, _ = run_single(two_class_scenario(
        3, blk={"priority": False, "service": "block"}, reg={"service": "regular"}))
    for name in ("consignments", "movements", "resources"):
        pd.testing.assert_frame_equal(derived[name], explicit[name], check_exact=True)


def test_a_regular_class_without_parameters_draws_from_the_places_streams():
    # without `regular:` a scenario draws exactly as before it had classes: the same
    # tables whether its cargo is all regular or all block (one queue per segment either
    # way, every stream shared)
    plain, _ = run_single(two_class_scenario(5, regular=False, blk={"priority": False}))
    blocks, _ = run_single(two_class_scenario(5, regular=False, reg={"service": "block"}))
    for name in ("movements", "resources"):
        pd.testing.assert_frame_equal(plain[name], blocks[name], check_exact=True)
    cols = [c for c in plain["consignments"].columns if c != "service"]
    pd.testing.assert_frame_equal(plain["consignments"][cols], blocks["consignments"][cols],
                                  check_exact=True)


def test_trains_carry_one_class_and_vessels_both():
    sc = ferry_corridor("mix", 2, 60, 5, 60, [
        {"id": "block", "from": "a", "to": "z", "via": ["p", "q"], "tons_per_year": 100_000,
         "block_units": 30, "service": "block"},
        {"id": "wagons", "from": "a", "to": "z", "via": ["p", "q"], "tons_per_year": 150_000}])
    run = simulate(sc)
    tables, _ = run_single(sc)
    check_classes(run)
    check_run(sc, run, {**tables, "closures": pd.DataFrame(columns=["target"])})
    # the manifests: every train holds one class; some vessel carried both
    rec = run.rec
    batch = rec.manifest_batches()
    block = np.array([f.service_class == "block" for f in sc.flows])[
        run.flow_of[rec.column("m_ids").astype(np.int64)]]
    kinds = rec.label_column("b_kind")[batch]
    per = pd.DataFrame({"batch": batch, "block": block, "kind": kinds})
    classes = per.groupby(["kind", "batch"])["block"].nunique()
    assert (classes.loc["train"] == 1).all()
    assert (classes.loc["vessel"] == 2).any()
    service = tables["consignments"].set_index("flow", append=False)["service"]
    assert set(service.loc["block"].astype(str)) == {"block"}
    assert set(service.loc["wagons"].astype(str)) == {"regular"}


def test_check_classes_catches_a_mixed_train():
    # the same run, told that half of the wagons were block cargo, has mixed trains
    sc = two_class_scenario(1, regular=False)
    run = simulate(sc)
    check_classes(run)
    mixed = sc.model_copy(update={"flows": [sc.flows[0], sc.flows[1].model_copy(
        update={"service": "block"})]})
    run.scenario = mixed
    check_classes(run)  # all block now: one class per train still
    run.flow_of = run.flow_of.copy()
    run.flow_of[::2] = 1 - run.flow_of[::2]  # swap half the consignments' flows
    run.scenario = sc
    with pytest.raises(AssertionError, match="mix classes"):
        check_classes(run)


def test_transit_by_class_lists_each_class_and_direction():
    tables, _ = run_single(two_class_scenario(0))
    t = transit_by_class(tables["consignments"]).set_index(["service", "direction"])
    assert set(t.index) == {("block", "westbound"), ("regular", "westbound")} or \
        set(t.index) == {("block", "eastbound"), ("regular", "eastbound")}
    assert (t["p50_days"].xs("block", level="service").to_numpy()
            < t["p50_days"].xs("regular", level="service").to_numpy()).all()
    k = tables["kpis"]
    groups = set(k.loc[k["kpi"] == "transit_p50_days", "group"])
    assert {f"class:{s}:{d}" for s, d in t.index} <= groups


def test_priority_with_regular_service_is_an_error_at_its_line(tmp_path):
    text = (Path_small := __import__("pathlib").Path(__file__).parent / "scenarios" /
            "small.yaml").read_text(encoding="utf-8")
    assert "    tons_per_year: 200000\n" in text
    text = text.replace("    tons_per_year: 200000\n",
                        "    tons_per_year: 200000\n    priority: true\n    service: regular\n")
    path = tmp_path / "contradiction.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = [p for p in info.value.problems if "contradicts priority" in p.message]
    assert problems, info.value.problems
    p = problems[0]
    line = text.splitlines().index("    service: regular") + 1
    assert p.path == "flows.0.service" and p.line == line and p.file.endswith(path.name)
    assert Path_small.exists()


def test_regular_parameters_need_a_value():
    with pytest.raises(Exception, match="dwell_h"):
        Scenario.model_validate({**two_class_scenario(0).to_dict(), "nodes": {
            "a": node("terminal"), "b": node("border", regular={}), "z": node("terminal")}})


def _block_run(block_units: int, service: str = "block"):
    sc = Scenario.model_validate({
        "name": "blocks", "start_date": "2023-01-01", "horizon_days": 60, "warmup_days": 5,
        "seed": 4,
        "nodes": {"a": node("terminal", depart={"when_full": 1.0, "max_wait_h": 48}),
                  "z": node("terminal")},
        "legs": [{"from": "a", "to": "z", "distance_km": 500, "speed_kmh": 50,
                  "max_train_teu": 100}],
        "flows": [{"id": "f", "from": "a", "to": "z", "tons_per_year": 100_000,
                   "block_units": block_units, "service": service}],
    })
    cons = run_single(sc)[0]["consignments"]
    return cons.loc[cons["delivered_h"] >= 0, "consolidation_h"]


def test_a_block_of_half_a_train_or_more_leaves_without_being_topped_up():
    # 60-TEU blocks in 100-TEU trains that leave full or after 48 h: a block train goes
    # with its block; the same blocks as regular cargo, or blocks under half a train,
    # wait to be consolidated
    assert _block_run(60).max() < 1e-9
    assert _block_run(60, "regular").mean() > 10.0
    assert _block_run(30).mean() > 10.0
