"""Property tests: dumping and loading a scenario is lossless; overrides show through."""

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor_sim.cli.show import scenario_yaml
from corridor_sim.scenario import load_scenario, validate_data, with_overrides
from corridor_sim.scenario.yaml_source import dump_yaml, parse_yaml

from .conftest import TEST_SCENARIOS

SMALL = load_scenario(TEST_SCENARIOS / "small.yaml")
pos = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)
nonneg = st.floats(min_value=0, max_value=1e4, allow_nan=False, allow_infinity=False)
prob = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def distributions(draw):
    kind = draw(st.sampled_from(["number", "fixed", "uniform", "triangular", "normal",
                                 "lognormal_q", "lognormal_m", "exponential", "gamma",
                                 "empirical"]))
    if kind == "number":
        return draw(nonneg)
    if kind == "fixed":
        return {"dist": "fixed", "value": draw(nonneg)}
    if kind == "uniform":
        a, b = sorted([draw(nonneg), draw(nonneg)])
        return {"dist": "uniform", "low": a, "high": b}
    if kind == "triangular":
        a, m, b = sorted([draw(nonneg), draw(nonneg), draw(nonneg)])
        return {"dist": "triangular", "low": a, "mode": m, "high": b}
    if kind == "normal":
        return {"dist": "normal", "mean": draw(nonneg), "sd": draw(nonneg)}
    if kind == "lognormal_q":
        a, b = sorted([draw(pos), draw(pos)])
        return {"dist": "lognormal", "median": a, "p90": b}
    if kind == "lognormal_m":
        return {"dist": "lognormal", "mean": draw(pos), "sd": draw(nonneg)}
    if kind == "exponential":
        return {"dist": "exponential", "mean": draw(pos)}
    if kind == "gamma":
        return {"dist": "gamma", "mean": draw(pos), "sd": draw(pos)}
    values = draw(st.lists(nonneg, min_size=1, max_size=4))
    weights = draw(st.one_of(st.none(), st.lists(pos, min_size=len(values),
                                                 max_size=len(values))))
    return {"dist": "empirical", "values": values, "weights": weights}


@st.composite
def scenarios(draw):
    data = SMALL.model_dump(mode="json", by_alias=True, exclude_unset=True)
    horizon = draw(st.floats(min_value=1, max_value=3650, allow_nan=False))
    data["horizon_days"] = horizon
    data["warmup_days"] = draw(st.floats(min_value=0, max_value=horizon * 0.99))
    data["seed"] = draw(st.integers(min_value=0, max_value=2**63 - 1))
    data["description"] = draw(st.text(max_size=40))
    data["sources"] = draw(st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
                                           st.text(max_size=20), max_size=3))
    data["demand"] = {"scale": draw(nonneg)}
    for node in data["nodes"].values():
        node["dwell_h"] = draw(distributions())
        node["tracks"] = draw(st.integers(1, 50))
        node["lon"] = draw(st.floats(-180, 180))
        node["name"] = draw(st.one_of(st.none(), st.text(max_size=20)))
    for leg in data["legs"]:
        leg["speed_kmh"] = draw(distributions())
        leg["trains_per_day"] = draw(st.one_of(st.none(), pos))
        leg["distance_km"] = draw(pos)
    ferry = data["services"]["ferry"]
    ferry["vessels"] = draw(st.integers(1, 20))
    ferry["speed_kn"] = draw(distributions())
    ferry["depart"] = {"when_full": draw(st.floats(0.01, 1)), "max_wait_h": draw(pos),
                       "timetable_h": draw(st.one_of(st.none(), pos))}
    months = draw(st.dictionaries(st.sampled_from(["jan", "jun", "nov", "dec"]), prob))
    ferry["weather"]["closure_prob_per_day"] = {"default": draw(prob), **months}
    flow = data["flows"][0]
    flow["tons_per_year"] = draw(nonneg)
    flow["seasonality"] = draw(st.one_of(st.none(), st.fixed_dictionaries(
        {"jan": nonneg, "aug": nonneg})))
    flow["unit"] = draw(st.sampled_from(["teu", "wagon"]))
    return validate_data(data)


def _reload(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.yaml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_dump_and_load_round_trip(scenario):
    text = dump_yaml(scenario.to_dict())
    assert _reload(text) == scenario
    # the show command's YAML (with defaults) loads back equal too
    assert validate_data(parse_yaml(scenario_yaml(scenario, True), "<show>").data) == scenario


@settings(max_examples=40, deadline=None)
@given(vessels=st.integers(1, 50), tons=nonneg, scale=nonneg,
       trains=st.floats(0.1, 100), dec=prob)
def test_overrides_show_through(vessels, tons, scale, trains, dec):
    overrides = {"services.ferry.vessels": vessels, "flows.cn_tr.tons_per_year": tons,
                 "demand.scale": scale, "legs.xian-aktau.trains_per_day": trains,
                 "services.ferry.weather.closure_prob_per_day.dec": dec}
    shown = yaml.safe_load(scenario_yaml(with_overrides(SMALL, overrides)))
    assert shown["services"]["ferry"]["vessels"] == vessels
    assert shown["flows"][0]["tons_per_year"] == tons
    assert shown.get("demand", {}).get("scale", 1.0) == scale
    assert shown["legs"][0]["trains_per_day"] == trains
    assert shown["services"]["ferry"]["weather"]["closure_prob_per_day"]["dec"] == dec
