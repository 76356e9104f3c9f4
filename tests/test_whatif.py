"""The what-if scenario library: every file loads and runs, and each what-if moves the KPIs
the way its story says (compared with the 2023 baseline on the same seed and calendar).

Runs are short (two to four simulated months) and use common random numbers: replication
``i`` of a what-if and of the baseline share every random stream they have in common.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from corridor_sim import experiment, kpis
from corridor_sim.engine.closures import weather_windows
from corridor_sim.scenario import check_scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline_2023.yaml"
WHATIFS = sorted(p for p in SCENARIOS.glob("*.yaml") if p.name != BASELINE.name)
BORDERS = ("altynkol", "dostyk", "beyuk_kesik", "akhalkalaki", "kars", "kapikule",
           "dimitrovgrad", "kelebia")


@pytest.fixture(scope="module")
def run():
    """``run(file, **overrides)`` -> (scenario, tables) of replication 0, cached per call."""
    cache: dict = {}

    def _run(path: Path | str, **overrides):
        path = SCENARIOS / path if isinstance(path, str) else path
        key = (str(path), tuple(sorted((k, str(v)) for k, v in overrides.items())))
        if key not in cache:
            sc = load_scenario(path, overrides or None)
            cache[key] = (sc, experiment.run_single(sc, 0)[0])
        return cache[key]

    return _run


def waited(tables: dict, places, activities=kpis.WAIT_ACTIVITIES) -> float:
    """Consignment-hours waited after warm-up at ``places`` (nodes, legs or services)."""
    m = tables["movements"]
    sel = m["place"].isin(places) & m["activity"].isin(activities) & (m["end_h"] >= 0)
    return float(m.loc[sel, "unit_hours"].sum())


def short(days: float = 60, warmup: float = 20, **more) -> dict:
    return {"horizon_days": days, "warmup_days": warmup, **more}


# ------------------------------------------------------------------ the library itself
def test_the_library_has_the_planned_scenarios():
    names = {p.stem for p in WHATIFS}
    assert {"btk_5mt", "caspian_closure_16d", "caspian_low_water", "caspian_winter",
            "dostyk_28_trains", "border_digital", "black_sea_branch", "demand_2030",
            "demand_2030_expanded", "red_sea_shift", "no_btk_2023", "pre_btk",
            "caspian_trucks"} <= names


@pytest.mark.parametrize("path", WHATIFS, ids=lambda p: p.stem)
def test_scenario_extends_the_baseline_and_explains_itself(path):
    raw = yaml.safe_load(path.read_text())
    parent = raw["extends"]  # the baseline, directly or through another what-if
    while parent != BASELINE.name:
        parent = yaml.safe_load((SCENARIOS / parent).read_text())["extends"]
    assert raw["name"] == path.stem
    assert len(raw["description"].split()) >= 25, "say what it represents and cite sources"
    assert "nodes" not in raw or all(k in yaml.safe_load(BASELINE.read_text())["nodes"]
                                     or k == "constanta" for k in raw["nodes"])


# Stress cases whose story is that some cargo cannot get through: there only the flows
# with booked slots (priority) must be delivered.
STRESS = {"caspian_trucks"}


@pytest.mark.parametrize("path", WHATIFS, ids=lambda p: p.stem)
def test_scenario_validates_and_runs(path, run):
    sc, tables = run(path, **short(45, 15))
    cons = tables["consignments"]
    assert kpis.tons_delivered(cons, 0.0, sc.horizon_days * 24) > 0
    delivered = set(kpis.delivered(cons)["flow"].unique())
    # every flow that had cargo waiting early enough to cross the corridor has delivered
    # (a rare flow, e.g. 17 eastbound block trains a year, may start late in a short run)
    start, end = -sc.warmup_days * 24, sc.horizon_days * 24
    early = set(cons.loc[cons["created_h"] < (start + end) / 2, "flow"].unique())
    if path.stem in STRESS:
        assert {f.id for f in sc.flows if f.priority} <= delivered
    else:
        assert early <= delivered and len(early) >= len(sc.flows) - 1


def test_scenario_legs_merge_with_the_base_by_from_to(tmp_path):
    variant = tmp_path / "v.yaml"
    variant.write_text(f"extends: {BASELINE}\nname: v\n"
                       "legs:\n  - {from: tbilisi, to: akhalkalaki, trains_per_day: 7.5}\n")
    base, sc = load_scenario(BASELINE), load_scenario(variant)
    assert [leg.key for leg in sc.legs] == [leg.key for leg in base.legs]
    changed = {leg.key: leg for leg in sc.legs}["tbilisi-akhalkalaki"]
    before = {leg.key: leg for leg in base.legs}["tbilisi-akhalkalaki"]
    assert changed.trains_per_day == 7.5 != before.trains_per_day
    assert changed.distance_km == before.distance_km


def test_border_digital_halves_every_border_dwell():
    base, sc = load_scenario(BASELINE), load_scenario(SCENARIOS / "border_digital.yaml")
    for node_id, node in base.nodes.items():
        if node.kind == "border":
            assert sc.nodes[node_id].dwell_h.mean() == pytest.approx(
                node.dwell_h.mean() / 2, rel=0.02), node_id
    assert {n for n, v in base.nodes.items() if v.kind == "border"} == set(BORDERS)


def test_expanded_2030_network_includes_the_single_projects():
    exp = load_scenario(SCENARIOS / "demand_2030_expanded.yaml")
    legs = {leg.key: leg.trains_per_day for leg in exp.legs}
    for single in ("btk_5mt.yaml", "dostyk_28_trains.yaml"):
        for leg in load_scenario(SCENARIOS / single).legs:
            assert legs[leg.key] >= leg.trains_per_day, (single, leg.key)
    assert exp.demand.scale == load_scenario(SCENARIOS / "demand_2030.yaml").demand.scale


# ------------------------------------------------------------------ Caspian stories
CLOSURE_CALENDAR = short(80, 20, start_date=dt.date(2023, 9, 20))  # to 9 December


def test_caspian_closure_backs_cargo_up_at_the_ports(run):
    _, base = run(BASELINE, **CLOSURE_CALENDAR)
    sc, closed = run("caspian_closure_16d.yaml", **CLOSURE_CALENDAR)
    t0 = sc.hours_since_start(dt.date(2023, 10, 20))
    t1 = sc.hours_since_start(dt.date(2023, 11, 5))

    def peak_waiting(tables):
        r = tables["resources"]
        sel = (r["resource"].isin(["aktau", "kuryk"]) & (r["metric"] == "teu_waiting")
               & r["t_h"].between(t0, t1))
        return float(r.loc[sel, "value"].max())

    assert peak_waiting(closed) > 3 * peak_waiting(base)
    ports = ["aktau", "kuryk", "caspian_ferry", "caspian_kuryk"]
    assert waited(closed, ports, ["await_vessel", "closed", "weather"]) > 2 * waited(
        base, ports, ["await_vessel", "closed", "weather"])


def test_caspian_low_water_loads_lighter_and_lengthens_caspian_waits(run):
    _, base = run(BASELINE, **short(120, 20))
    sc, low = run("caspian_low_water.yaml", **short(120, 20))
    m = low["movements"]
    loads = m.loc[(m["activity"] == "sail") & m["place"].isin(["caspian_ferry",
                                                                "caspian_kuryk"]), "teu"]
    assert loads.max() <= 0.846 * 110 + 1e-9 < base["movements"]["teu"].max()
    ports = ["aktau", "kuryk", "caspian_ferry", "caspian_kuryk"]
    assert waited(low, ports, ["await_vessel"]) > 1.2 * waited(base, ports, ["await_vessel"])


def test_caspian_closure_delays_the_cargo_caught_by_it(run):
    _, base = run(BASELINE, **CLOSURE_CALENDAR)
    sc, closed = run("caspian_closure_16d.yaml", **CLOSURE_CALENDAR)
    lo = sc.hours_since_start(dt.date(2023, 10, 10))
    hi = sc.hours_since_start(dt.date(2023, 10, 20))
    end = sc.horizon_days * 24

    def time_in_system_days(tables):  # every flow crosses the Caspian
        c = tables["consignments"]
        c = c[c["created_h"].between(lo, hi)]
        return ((c["delivered_h"].fillna(end).clip(upper=end) - c["created_h"]) / 24).median()

    assert time_in_system_days(closed) > time_in_system_days(base) + 5


def test_caspian_winter_closes_the_ports_about_half_of_november_and_december():
    base, sc = load_scenario(BASELINE), load_scenario(SCENARIOS / "caspian_winter.yaml")
    start = dt.date(2023, 11, 1)
    hours = 61 * 24.0
    rng = np.random.default_rng(20231101)
    for name in ("caspian_ferry", "caspian_kuryk"):
        fractions = {}
        for label, scen in (("base", base), ("winter", sc)):
            closed = []
            for _ in range(300):
                ws = weather_windows(scen.services[name].weather, start, 0.0, hours, rng)
                closed.append(sum(min(e, hours) - s for s, e in ws) / hours)
            fractions[label] = float(np.mean(closed))
        assert 0.42 < fractions["winter"] < 0.58, (name, fractions)
        assert fractions["base"] < 0.3, (name, fractions)


def test_caspian_winter_lengthens_waits_for_vessels(run):
    calendar = short(75, 20, start_date=dt.date(2023, 10, 15))
    _, base = run(BASELINE, **calendar)
    _, winter = run("caspian_winter.yaml", **calendar)
    ports = ["aktau", "kuryk", "caspian_ferry", "caspian_kuryk"]
    assert waited(winter, ports) > 1.5 * waited(base, ports)


# ------------------------------------------------------------------ capacity and borders
def test_border_digital_cuts_time_at_borders(run):
    _, base = run(BASELINE, **short())
    _, fast = run("border_digital.yaml", **short())
    b, f = kpis.delivered(base["consignments"]), kpis.delivered(fast["consignments"])
    assert f["border_h"].mean() < 0.8 * b["border_h"].mean()
    od_b = kpis.transit_by_od(base["consignments"]).set_index(["origin", "destination"])
    od_f = kpis.transit_by_od(fast["consignments"]).set_index(["origin", "destination"])
    assert od_f.loc[("xian", "prague"), "p50_days"] < od_b.loc[("xian", "prague"), "p50_days"]


def test_dostyk_exchange_shortens_waits_there_when_busy(run):
    # At 2023 volumes Dostyk sees about one corridor train a day, far below its 14; the
    # doubled exchange matters once the crossing is busy, as under the 2030 demand.
    load = short(60, 20, **{"demand.scale": 4.03})  # the 2030 outlook
    _, base = run(BASELINE, **load)
    _, more = run("dostyk_28_trains.yaml", **load)
    places = ["dostyk", "xian-dostyk", "dostyk-aktau"]
    busy = ["queue", "slot"]
    assert waited(base, places, busy) > 0
    assert waited(more, places, busy) < 0.6 * waited(base, places, busy)


def test_btk_5mt_carries_more_to_turkiye_and_europe_without_longer_waits_on_btk(run):
    # block trains make deliveries lumpy: 120 days average out a few dozen of them
    _, base = run(BASELINE, **short(120))
    sc, btk = run("btk_5mt.yaml", **short(120))
    end = sc.horizon_days * 24
    flows = ["cn_tr", "cn_eu", "kz_tr"]

    def tons(tables):
        c = tables["consignments"]
        return kpis.tons_delivered(c[c["flow"].isin(flows)], 0.0, end)

    assert tons(btk) > 1.3 * tons(base)
    btk_places = ["akhalkalaki", "tbilisi-akhalkalaki", "akhalkalaki-kars"]
    busy = ["queue", "slot"]
    # The same extra cargo on the old 1 Mt/yr line queues far longer.
    _, old = run("btk_5mt.yaml", **short(120), **{"legs.tbilisi-akhalkalaki.trains_per_day": 1.6,
                                               "legs.akhalkalaki-kars.trains_per_day": 4,
                                               "nodes.akhalkalaki.tracks": 2})
    assert waited(btk, btk_places, busy) < 0.5 * waited(old, btk_places, busy)


def test_black_sea_branch_sends_europe_cargo_by_sea_and_frees_turkiye(run):
    _, base = run(BASELINE, **short())
    _, bs = run("black_sea_branch.yaml", **short())
    m_b, m_s = base["movements"], bs["movements"]

    def tons_at(m, place):
        return float(m.loc[(m["place"] == place) & (m["activity"] == "run"), "tons"].sum())

    def med(tables):
        return kpis.transit_days(tables["consignments"], "xian", "prague").median()

    assert tons_at(m_s, "istanbul-kapikule") == 0 < tons_at(m_b, "istanbul-kapikule")
    assert tons_at(m_s, "constanta-prague") > 0
    assert tons_at(m_s, "kars-izmit") < tons_at(m_b, "kars-izmit")
    # the sea crossing replaces the three EU border crossings of the Balkan route: Prague
    # cargo now waits for the Poti-Constanta feeder and never at Kapikule
    assert waited(bs, ["black_sea"]) > waited(base, ["black_sea"])
    assert waited(bs, ["kapikule", "dimitrovgrad", "kelebia"], ["process"]) == 0
    assert abs(med(bs) - med(base)) < 3  # about the same door to door (docs/scenarios)


# ------------------------------------------------------------------ demand stories
def _backlog_growth(sc, tables) -> tuple[float, float]:
    """Consignments in the system at mid-run and at the end."""
    c, end = tables["consignments"], sc.horizon_days * 24
    mid = end / 2
    return (kpis.backlog_end(c, mid)["consignments"], kpis.backlog_end(c, end)["consignments"])


def _flagged(sc) -> set[str]:
    """Legs, services and nodes the offered-load check warns about (demand above
    capacity)."""
    out = set()
    for p in check_scenario(sc):
        kind, name = p.path.split(".")[:2]
        if kind == "legs":
            out.add(sc.legs[int(name)].key)
        elif kind in ("services", "nodes"):
            out.add(name)
    return out


def test_demand_2030_saturates_the_top_bottleneck_with_a_growing_backlog(run):
    sc, t30 = run("demand_2030.yaml", **short(90, 20))
    b = kpis.bottlenecks(t30["movements"])
    # With cargo both ways no single place takes most of the waiting: the single-track
    # BTK, the Kuryk ferries and the Aktau ferries (loading both ways) saturate together,
    # and the Dostyk border station, where regular trains stand for the CAREC border time.
    # The places where cargo waits longest are those the offered-load check flags, and
    # they hold nearly all the waiting.
    flagged = _flagged(sc)
    top3 = list(b["place"].iloc[:3])
    assert set(top3) <= flagged, (top3, flagged)
    assert b.loc[b["place"].isin(flagged), "share"].sum() > 0.8
    mid, end = _backlog_growth(sc, t30)
    assert end > 1.5 * mid
    # The queue in front of each of them keeps growing: cargo waiting at the port in front
    # of a service, trains waiting for a node's tracks, or, for a rail leg, how long
    # trains waited for the line slot they got (by when they got it: waits still going on
    # at the end are not recorded).
    horizon = sc.horizon_days * 24
    for top in top3:
        if top in {leg.key for leg in sc.legs}:
            m = t30["movements"]
            q = m[(m["place"] == top) & (m["activity"] == "slot") & (m["end_h"] >= 0)]
            t, value = q["end_h"], q["end_h"] - q["start_h"]
        else:
            queue_at = sc.services[top].from_ if top in sc.services else top
            metric = "trains_queued" if top in sc.nodes else "teu_waiting"
            r = t30["resources"]
            q = r[(r["resource"] == queue_at) & (r["metric"] == metric) & (r["t_h"] >= 0)]
            t, value = q["t_h"], q["value"]
        first = value[t < horizon / 3].mean()
        last = value[t > 2 * horizon / 3].mean()
        # (the queue in front of the Kuryk ferries, the slowest to grow in relative
        # terms, already holds about 17,000 TEU in the first third, a quarter more in the
        # last)
        assert last > 1.2 * first, (top, first, last)
    # On 2023 demand the same place does not pile up.
    base_sc, base = run(BASELINE, **short(90, 20))
    bmid, bend = _backlog_growth(base_sc, base)
    assert bend < 1.3 * bmid


def test_demand_2030_expanded_delivers_more_with_a_smaller_backlog(run):
    sc, t30 = run("demand_2030.yaml", **short(90, 20))
    _, exp = run("demand_2030_expanded.yaml", **short(90, 20))
    end = sc.horizon_days * 24
    c30, cex = t30["consignments"], exp["consignments"]
    assert kpis.tons_delivered(cex, 0, end) > 1.3 * kpis.tons_delivered(c30, 0, end)
    assert kpis.backlog_end(cex, end)["tons"] < 0.5 * kpis.backlog_end(c30, end)["tons"]


def test_red_sea_shift_raises_china_cargo_and_caspian_waits(run):
    calendar = short(90, 20)
    sc, red = run("red_sea_shift.yaml", **calendar)
    _, base = run(BASELINE, **calendar, start_date=sc.start_date)
    end = sc.horizon_days * 24

    def china_tons(tables):
        c = tables["consignments"]
        return kpis.tons_delivered(c[c["origin"] == "xian"], 0.0, end)

    # China flows +50 % from mid-January: about a quarter more delivered in 90 days (1.24
    # in this run), the westbound Kuryk ferries, which sail full, holding back the rest
    assert china_tons(red) > 1.2 * china_tons(base)
    caspian = ["caspian_ferry", "caspian_kuryk", "aktau", "kuryk"]
    assert waited(red, caspian) > waited(base, caspian)


def test_red_sea_rates_raise_every_china_flow_above_the_baseline():
    base = {f.id: f for f in load_scenario(BASELINE).flows}
    red = load_scenario(SCENARIOS / "red_sea_shift.yaml")
    china = [f for f in red.flows if f.from_ == "xian"]
    assert china and all(f.rates for f in china)
    for f in china:
        assert f.rates[0].tons_per_year == pytest.approx(1.5 * base[f.id].tons_per_year)
        assert dt.date(2024, 1, 1) <= f.rates[0].from_ <= dt.date(2024, 3, 31)


def test_baseline_carries_eastbound_cargo_on_the_same_lines_and_ferries(run):
    calendar = short(120, 30)
    sc, base = run(BASELINE, **calendar)
    c = base["consignments"]
    east = kpis.delivered(c[c["direction"] == "eastbound"])
    assert len(east) > 500 and set(east["destination"]) == {"xian"}
    # eastbound boxes ride the Aktau ferry back and run on the single-track BTK against
    # the westbound trains
    legs = {leg.key: leg for leg in sc.legs}
    assert legs["tbilisi-akhalkalaki"].track == "single"
    m = base["movements"]
    back = m[(m["segment"] == "sea:caspian_ferry:return") & (m["activity"] == "sail")]
    assert len(back) > 20
    btk = m[(m["place"] == "tbilisi-akhalkalaki") & (m["activity"] == "run")]
    assert btk["segment"].str.startswith("rail:akhalkalaki>").sum() > 0  # eastbound trains


def test_trucks_on_the_ferries_take_deck_from_rail_cargo(run):
    calendar = short(90, 20)
    _, trucks = run("caspian_trucks.yaml", **calendar)
    _, two = run(BASELINE, **calendar)
    caspian = ["caspian_ferry", "caspian_kuryk", "aktau", "kuryk"]
    assert waited(trucks, caspian) > 2 * waited(two, caspian)
    m = trucks["movements"]
    assert m.loc[m["kind"] == "vessel", "background_teu"].sum() > 0


def test_what_if_kpis_summarise_with_confidence_intervals(run):
    sc = load_scenario(SCENARIOS / "border_digital.yaml", short(40, 10))
    reps = experiment.run_replications(sc, experiment.RunOptions(replications=2))
    s = experiment.summarize_kpis([t["kpis"] for t in reps])
    row = s[(s["kpi"] == "tons_delivered") & (s["group"] == "all")].iloc[0]
    assert row["n"] == 2 and row["ci_low"] <= row["mean"] <= row["ci_high"]
