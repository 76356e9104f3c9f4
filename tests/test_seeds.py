"""seeds/: every published figure has a source, and scenarios agree with inputs.yaml."""

from __future__ import annotations

import pytest

from corridor_sim.scenario import load_scenario
from corridor_sim.seeds import get_path, load_inputs, load_targets

from .factories import ROOT

SEEDS = ROOT / "seeds"


def test_every_target_has_a_source_and_a_kpi():
    tf = load_targets(SEEDS / "targets_2023.yaml")
    ids = [t.id for t in tf.targets]
    assert len(ids) == len(set(ids))
    for t in tf.targets:
        src = tf.sources[t.source]
        assert src.publisher and src.date and len(src.says) > 20, t.id
        assert t.value > 0 and t.unit and t.kpi.name


def test_every_input_and_range_has_a_source():
    inputs = load_inputs(SEEDS / "inputs.yaml")
    for item in [*inputs.inputs, *inputs.ranges]:
        keys = item.sources() if hasattr(item, "sources") else [item.source]
        for key in keys:
            src = inputs.sources[key]
            assert src.publisher and src.date and len(src.says) > 20, item.id


def _scenario_data(rel: str):
    sc = load_scenario(ROOT / rel)
    return sc.model_dump(mode="json", by_alias=True)


def test_scenario_values_match_inputs():
    inputs = load_inputs(SEEDS / "inputs.yaml")
    cache = {}
    checked = 0
    for item in inputs.inputs:
        for rel, paths in item.used_in.items():
            data = cache.setdefault(rel, _scenario_data(rel))
            for p in paths:
                value = get_path(data, p)
                if isinstance(value, dict) and value.get("dist") == "fixed":
                    value = value["value"]
                assert value == pytest.approx(item.value), (item.id, rel, p, value)
                checked += 1
    assert checked >= 20


def test_freed_parameters_have_ranges_containing_the_scenario_value():
    inputs = load_inputs(SEEDS / "inputs.yaml")
    sc = load_scenario(ROOT / "scenarios" / "baseline_2023.yaml")
    data = sc.model_dump(mode="json", by_alias=True)
    for path in sc.calibration.free:
        r = next(r for r in inputs.ranges if path in r.paths)
        assert r.low <= get_path(data, path) <= r.high, path
