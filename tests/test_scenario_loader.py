"""Loading, extends, overrides and semantic checks of scenario files."""

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from corridor_sim.scenario import (
    ScenarioError,
    check_scenario,
    load_checked,
    load_scenario,
    parse_assignment,
    with_overrides,
)
from corridor_sim.scenario.overrides import parse_value

from .conftest import SCENARIOS

BASELINE = SCENARIOS / "baseline_2023.yaml"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# Scenarios that overload the network on purpose: their capacity warnings are the story.
# Each entry names the resources the offered-load check must flag (and only those).
EXPECTED_WARNINGS = {
    # 2030 demand (about 11 Mt/yr) on today's network saturates both single-track BTK legs
    # (shared with the eastbound tr_cn trains; Akhalkalaki-Kars only just), the Kuryk
    # ferries and the Aktau ferries, whose vessels wait up to 11 h at Alat for eastbound
    # cargo and trucks before crossing back; and the border stations of Beyuk-Kesik and
    # Dostyk, where regular trains stand for the CAREC border-crossing time (about 41 h).
    "demand_2030.yaml": {"tbilisi-akhalkalaki", "akhalkalaki-kars", "caspian_kuryk",
                         "caspian_ferry", "beyuk_kesik", "dostyk"},
    # the expanded network's seventh Aktau ferry carries the 2030 Aktau cargo; Beyuk-Kesik
    # is not expanded
    "demand_2030_expanded.yaml": {"beyuk_kesik"},
    # trucks at the published ferry mix leave the Kuryk ferries too little deck for rail.
    "caspian_trucks.yaml": {"caspian_kuryk"},
}


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_is_valid_strictly(path):
    # --strict: shipped scenarios raise no capacity warnings, except the ones above.
    expected = EXPECTED_WARNINGS.get(path.name)
    if expected is None:
        scenario, problems = load_checked(path, strict=True)
        assert problems == []
    else:
        scenario, problems = load_checked(path)
        assert problems and all(p.severity == "warning" for p in problems)
        flagged = {name for name in expected for p in problems if f"'{name}'" in p.message}
        assert flagged == expected, [str(p) for p in problems]
        assert len(problems) == len(expected)
    assert scenario.flows


def test_small_scenario_is_valid(small_path):
    scenario, problems = load_checked(small_path, strict=True)
    assert problems == [] and scenario.name == "small"


def test_extends_merges_items_by_id_and_from_to(tmp_path, small_path):
    child = write(tmp_path, "child.yaml", f"""\
        extends: {small_path}
        name: child
        legs:
          - {{from: xian, to: aktau, trains_per_day: 3}}
          - {{id: btk, max_train_teu: 80}}
        flows:
          - {{id: cn_tr, tons_per_year: 1000}}
          - {{id: cn_az, from: xian, to: alat, via: [aktau], tons_per_year: 500}}
        """)
    sc = load_scenario(child)
    assert sc.name == "child"
    assert [leg.key for leg in sc.legs] == ["xian-aktau", "btk"]
    assert sc.legs[0].trains_per_day == 3 and sc.legs[0].distance_km == 6000
    assert sc.legs[1].max_train_teu == 80 and sc.legs[1].trains_per_day == 4
    assert [f.id for f in sc.flows] == ["cn_tr", "cn_az"]
    assert sc.flows[0].tons_per_year == 1000 and sc.flows[0].via == ["aktau", "alat"]
    # untouched parts come from the parent
    assert sc.services["ferry"].vessels == 4 and len(sc.disruptions) == 1


def test_disruptions_with_ids_merge_by_id_and_without_are_replaced(tmp_path, small_path):
    parent = write(tmp_path, "parent.yaml", f"""\
        extends: {small_path}
        name: parent
        disruptions:
          - {{id: storm, target: ferry, start: 2023-02-01, days: 3}}
          - {{id: works, target: btk, kind: capacity, factor: 0.5, start: 2023-03-01, days: 5}}
        """)
    merged = load_scenario(write(tmp_path, "merged.yaml", f"""\
        extends: {parent}
        name: merged
        disruptions:
          - {{id: works, days: 9}}
          - {{id: strike, target: kars, start: 2023-04-01, days: 2}}
        """))
    assert [(d.id, d.days) for d in merged.disruptions] == [
        ("storm", 3), ("works", 9), ("strike", 2)]
    assert merged.disruptions[1].kind == "capacity" and merged.disruptions[1].factor == 0.5
    replaced = load_scenario(write(tmp_path, "replaced.yaml", f"""\
        extends: {parent}
        name: replaced
        disruptions:
          - {{target: kars, start: 2023-04-01, days: 2}}
        """))
    assert [(d.target, d.days) for d in replaced.disruptions] == [("kars", 2)]
    sc = with_overrides(merged, {"disruptions.storm.days": 6})
    assert sc.disruptions[0].days == 6


def test_extends_chain_and_error_in_middle_file(tmp_path, small_path):
    mid = write(tmp_path, "mid.yaml", f"""\
        extends: {small_path}
        legs:
          - id: btk
            max_train_teu: 0
        """)
    top = write(tmp_path, "top.yaml", "extends: mid.yaml\nseed: 9\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(top)
    (problem,) = info.value.problems
    assert problem.file == str(mid) and problem.line == 4
    assert problem.path == "legs.1.max_train_teu"


def test_error_in_value_only_defined_in_parent_points_into_parent(tmp_path, small_path):
    # the child shortens the horizon; the warm-up it now contradicts is in the parent
    child = write(tmp_path, "child.yaml", f"extends: {small_path}\nhorizon_days: 4\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    (problem,) = info.value.problems
    assert problem.file == str(small_path) and problem.line == 5
    assert "warmup_days (5) must be shorter than horizon_days (4)" in problem.message


def test_distribution_of_another_kind_replaces_the_parent(tmp_path, small_path):
    child = write(tmp_path, "child.yaml", f"""\
        extends: {small_path}
        nodes:
          xian: {{dwell_h: {{dist: uniform, low: 1, high: 3}}}}
        """)
    assert load_scenario(child).nodes["xian"].dwell_h.mean() == 2


@pytest.mark.parametrize("text, value", [
    ("5e5", 500000.0), ("500_000", 500000), ("8", 8), ("-1.5", -1.5), ("true", True),
    ("no", False), ("null", None), ("[4, 6, 8]", [4, 6, 8]), ("2023-10-20", dt.date(2023, 10, 20)),
    ("{dist: uniform, low: 1, high: 2}", {"dist": "uniform", "low": 1, "high": 2}),
    ("aktau", "aktau"), ("Xi'an", "Xi'an"), ("", ""),
])
def test_override_values_are_typed(text, value):
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


def test_parse_assignment_rejects_missing_equals():
    with pytest.raises(ValueError):
        parse_assignment("demand.scale")
    assert parse_assignment("flows.cn_tr.tons_per_year=5e5") == (
        "flows.cn_tr.tons_per_year", 500000.0)


def test_overrides_by_id_from_to_and_index():
    sc = load_scenario(BASELINE, {
        "flows.cn_tr.tons_per_year": 500000, "services.caspian_ferry.vessels": 8,
        "legs.tbilisi-akhalkalaki.trains_per_day": 3, "legs.marmaray.trains_per_day": 7,
        "legs.izmit-istanbul.max_train_teu": 80, "flows.1.block_units": 2,
        "nodes.aktau.berths": 4, "demand.scale": 1.5,
        "services.black_sea.weather.duration_h": 12,  # creates the missing mapping
        "services.black_sea.weather.closure_prob_per_day.dec": 0.1,
    })
    assert sc.flows[0].tons_per_year == 500000
    assert sc.services["caspian_ferry"].vessels == 8
    leg = next(leg for leg in sc.legs if leg.key == "tbilisi-akhalkalaki")
    assert leg.trains_per_day == 3
    marmaray = next(leg for leg in sc.legs if leg.key == "marmaray")
    assert marmaray.trains_per_day == 7 and marmaray.max_train_teu == 80
    assert sc.flows[1].block_units == 2 and sc.nodes["aktau"].berths == 4
    assert sc.demand.scale == 1.5
    weather = sc.services["black_sea"].weather
    assert weather.duration_h.mean() == 12 and weather.closure_prob_per_day.dec == 0.1


def test_with_overrides_equals_load_with_overrides():
    overrides = {"flows.cn_tr.tons_per_year": 5e5, "services.caspian_ferry.vessels": 8}
    assert with_overrides(load_scenario(BASELINE), overrides) == load_scenario(BASELINE, overrides)


@pytest.mark.parametrize("path, fragment", [
    ("services.caspian_fery.vessels", "did you mean 'caspian_ferry'?"),
    ("flows.cn_tx.tons_per_year", "did you mean 'cn_tr'?"),
    ("flows.cn_tr.tons_peryear", "did you mean 'tons_per_year'?"),
    ("legs.tbilisi-akhalkalak.trains_per_day", "did you mean 'tbilisi-akhalkalaki'?"),
    ("nodes.aktau.birth", "did you mean 'berths'?"),
    ("demand.scael", "did you mean 'scale'?"),
    ("horizon_day", "did you mean 'horizon_days'?"),
    ("services.caspian_ferry.weather.duration", "did you mean 'duration_h'?"),
    ("nodes.tbilisi.dwell_h.median", "plain number"),
    ("seed.x", "single value"),
])
def test_unknown_override_path_is_a_clear_error(path, fragment):
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, {path: 1})
    (problem,) = info.value.problems
    assert fragment in problem.message and problem.path == path and problem.file == "--set"
    with pytest.raises(ScenarioError):
        with_overrides(load_scenario(BASELINE), {path: 1})


def test_bad_override_value_names_the_override():
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, {"services.caspian_ferry.vessels": "many"})
    text = str(info.value)
    assert "--set services.caspian_ferry.vessels='many'" in text and "valid integer" in text


def test_offered_load_warnings_give_numbers_and_strict_fails():
    overrides = {"demand.scale": 4}
    scenario, problems = load_checked(BASELINE, overrides)
    kinds = {p.path.split(".")[0] for p in problems}
    assert kinds == {"legs", "services", "nodes"}
    assert all(p.severity == "warning" for p in problems)
    btk = next(p for p in problems if "tbilisi-akhalkalaki" in p.message)
    # single track: the westbound flows (3.17 trains/day) and the eastbound tr_cn together
    assert "3.31 trains/day" in btk.message and "allows 1.6 trains/day" in btk.message
    assert "tr_cn" in btk.message and "in both directions together" in btk.message
    assert btk.file.endswith("baseline_2023.yaml") and btk.line is not None
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, overrides, strict=True)
    assert len(info.value.problems) == len(problems)


def test_node_and_service_capacity_warnings(small_path):
    sc = load_scenario(small_path)
    slow = with_overrides(sc, {"nodes.kars.dwell_h": 100, "nodes.kars.tracks": 1,
                              "services.ferry.vessels": 1, "flows.cn_tr.tons_per_year": 9e5})
    problems = check_scenario(slow)
    paths = {p.path for p in problems}
    assert {"nodes.kars.tracks", "services.ferry.vessels"} <= paths
    assert all(p.severity == "warning" for p in problems)
    assert all(p.severity == "error" for p in check_scenario(slow, strict=True))
    assert check_scenario(sc) == []


def test_unit_wider_than_vessel_is_an_error(small_path):
    sc = load_scenario(small_path)
    with pytest.raises(ScenarioError, match="vessels of service 'ferry' carry 50 TEU"):
        with_overrides(sc, {"services.ferry.capacity_teu": 50, "flows.cn_tr.teu_per_unit": 60,
                           "legs.btk.max_train_teu": 100, "legs.xian-aktau.max_train_teu": 100})


def test_all_schema_errors_reported_at_once(tmp_path, small_path):
    bad = write(tmp_path, "bad.yaml", f"""\
        extends: {small_path}
        seed: -1
        nodes:
          xian: {{tracks: 0, lat: 95, colour: red}}
          kars: {{kind: bordr}}
        """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    paths = {p.path for p in info.value.problems}
    assert paths == {"seed", "nodes.xian.tracks", "nodes.xian.lat", "nodes.xian.colour",
                     "nodes.kars.kind"}


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
