"""Route choice with expectations learned during the run (``expected: learned``): the
estimate, a closed route losing traffic while it is closed and winning it back, agreement
with fixed expectations when nothing disturbs the route, determinism and conservation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from corridor_sim.engine import simulate
from corridor_sim.engine.demand import market_units
from corridor_sim.engine.learned_choice import learned_transit_days
from corridor_sim.results import build_tables, closures_table
from corridor_sim.scenario import ScenarioError, load_scenario
from corridor_sim.stochastic import Streams

from .factories import ROOT
from .invariants import check_run

ROUTES = ROOT / "scenarios" / "china_europe_routes.yaml"
CORRIDOR = "cn_eu_market"


# No Caspian weather: the closure is the only thing that moves the corridor's transit (the
# winter storms of January-March would otherwise make "before" slower than "after").
CALM = {"services.caspian_kuryk.weather": None}


def _scenario(expected: str, prior_days: float = 22.0, horizon_days: float = 240,
              disruptions=(), **overrides):
    """A 20,000 TEU a year market choosing between the corridor and the sea via Suez,
    priced (a penalty on Suez) so that about half takes the corridor."""
    return load_scenario(ROUTES, {
        "horizon_days": horizon_days,
        "markets.cn_eu.tons_per_year": 400_000,
        "markets.cn_eu.expected": expected,
        "markets.cn_eu.alternatives": [
            {"flow": CORRIDOR, "expected_transit_days": prior_days},
            {"route": "suez", "penalty_usd_per_teu": 3700}],
        "disruptions": list(disruptions), **overrides})


def _corridor_share(choices: pd.DataFrame, day0: float, day1: float) -> tuple[float, int]:
    """Share of the market's boxes created in [day0, day1) that chose the corridor, and
    how many boxes were created then."""
    c = choices["created_h"].to_numpy() / 24.0
    inside = (c >= day0) & (c < day1)
    corridor = choices["route"].astype(str).to_numpy() == CORRIDOR
    return float(corridor[inside].mean()), int(inside.sum())


def test_the_estimate_reads_recent_deliveries_and_overdue_cargo():
    prior = 30.0  # days (720 h)
    created = np.array([0.0, 24.0, 48.0, 100.0, 400.0, 500.0])
    nothing = np.full(len(created), np.nan)
    # nothing delivered and nothing on its way longer than the prior: the prior
    assert learned_transit_days(created, nothing, 600.0, 240.0, prior) == prior
    # deliveries in the window give their mean transit (512 h); boxes on their way for
    # less than that do not count
    delivered = np.array([480.0, 528.0, 600.0, np.nan, np.nan, np.nan])
    recent = delivered[:3] - created[:3]
    assert learned_transit_days(created, delivered, 600.0, 240.0, prior) == pytest.approx(
        recent.mean() / 24.0)
    # deliveries older than the window are forgotten
    assert learned_transit_days(created[:3], delivered[:3], 900.0, 240.0, prior) == prior
    # a box on its way for longer than the recent mean counts with its age (a lower bound
    # of its transit)
    got = learned_transit_days(created, delivered, 700.0, 240.0, prior)
    assert got == pytest.approx((recent.sum() + 700.0 - 100.0) / 4 / 24.0)
    assert got > recent.mean() / 24.0
    # with nothing delivered recently, cargo stuck for longer than the prior decides
    late = learned_transit_days(created, nothing, 1000.0, 240.0, prior)
    assert late == pytest.approx(np.mean(1000.0 - created[:4]) / 24.0) and late > prior


def test_a_closed_route_loses_share_while_closed_and_wins_it_back():
    """A 20-day closure of a border the corridor's boxes cross near their destination
    (2023-04-01, day 90 of the run): with learned expectations the corridor's share
    falls during the closure and returns to its level before once deliveries are on
    time again; with fixed expectations it does not move."""
    closure = [{"target": "kelebia", "start": "2023-04-01", "days": 20}]
    start = _scenario("learned", disruptions=closure).hours_since_start(
        dt.date(2023, 4, 1)) / 24.0
    shares = {}
    for mode in ("learned", "fixed"):
        run = simulate(_scenario(mode, disruptions=closure, **CALM), 0)
        ch = build_tables(run)["choices"]
        shares[mode] = [_corridor_share(ch, a, b) for a, b in (
            (30, start), (start + 10, start + 20), (start + 50, start + 110))]
    (before, n0), (during, n1), (after, n2) = shares["learned"]
    assert min(n0, n1, n2) > 500
    assert 0.4 < before < 0.7
    assert during < before - 0.08, shares  # about 7 binomial standard errors
    assert abs(after - before) < 0.05, shares
    (f_before, _), (f_during, _), (f_after, _) = shares["fixed"]
    assert abs(f_during - f_before) < 0.06 and abs(f_after - f_before) < 0.05, shares


def test_learned_expectation_rises_while_cargo_is_stuck():
    closure = [{"target": "kelebia", "start": "2023-04-01", "days": 20}]
    sc = _scenario("learned", disruptions=closure, horizon_days=200, **CALM)
    run = simulate(sc, 0)
    t, days = run.learned_transit[f"cn_eu:{CORRIDOR}"]
    start = sc.hours_since_start(dt.date(2023, 4, 1))
    before = days[(t >= 30 * 24) & (t < start)]
    stuck = days[(t >= start + 10 * 24) & (t < start + 30 * 24)]
    later = days[t >= start + 60 * 24]
    assert stuck.max() > before.max() + 5
    assert abs(np.median(later) - np.median(before)) < 1.5
    assert days[0] == 22.0  # the prior until deliveries are seen


def test_learned_agrees_with_fixed_when_the_prior_is_the_true_transit():
    """No closures and no weather on the Caspian crossing: a fixed run measures the
    corridor's mean transit; with that as prior, the shares chosen with learned and with
    fixed expectations agree within four binomial standard errors."""
    calm = CALM
    probe = build_tables(simulate(_scenario("fixed", **calm), 0))["consignments"]
    mine = probe[(probe["flow"] == CORRIDOR) & (probe["delivered_h"] >= 0)]
    true_days = float(mine["transit_h"].mean()) / 24.0
    assert 18 < true_days < 30
    fixed = build_tables(simulate(_scenario("fixed", true_days, **calm), 0))["choices"]
    learned = build_tables(simulate(_scenario("learned", true_days, **calm), 0))["choices"]
    s_fixed, n = _corridor_share(fixed, 0, 240)
    s_learned, n2 = _corridor_share(learned, 0, 240)
    assert n == n2 > 10_000
    assert abs(s_fixed - s_learned) < 4 * np.sqrt(s_fixed * (1 - s_fixed) / n), (
        s_fixed, s_learned)
    # a wrong prior is corrected by learning: the learned share stays put
    low = build_tables(simulate(_scenario("learned", 12.0, **calm), 0))["choices"]
    s_low, _ = _corridor_share(low, 60, 240)
    s_ref, _ = _corridor_share(learned, 60, 240)
    assert abs(s_low - s_ref) < 0.03, (s_low, s_ref)


def test_same_seed_same_choices():
    closure = [{"target": "kelebia", "start": "2023-04-01", "days": 20}]
    sc = _scenario("learned", disruptions=closure, horizon_days=150)
    a = build_tables(simulate(sc, 0))["choices"]
    b = build_tables(simulate(sc, 0))["choices"]
    pd.testing.assert_frame_equal(a, b)
    c = build_tables(simulate(sc, 1))["choices"]
    assert len(c) != len(a) or not c["route"].equals(a["route"])


def test_every_market_box_is_counted_once_on_one_route():
    closure = [{"target": "kelebia", "start": "2023-04-01", "days": 20}]
    sc = _scenario("learned", disruptions=closure, horizon_days=150)
    run = simulate(sc, 0)
    tables = build_tables(run)
    tables["closures"] = closures_table(run)
    check_run(sc, run, tables)  # created = delivered + queued + on board, FIFO, routes
    ch, cons = tables["choices"], tables["consignments"]
    times, _ = market_units(sc, "cn_eu", run.start_h, run.end_h, Streams(sc.seed, 0))
    assert len(ch) == len(times)
    assert np.array_equal(np.sort(ch["created_h"].to_numpy()), times)
    assert (run.market_choices["cn_eu"][1] >= 0).all()
    sim = ch[~ch["abstract"]]
    mine = cons[cons["flow"] == CORRIDOR].set_index("consignment_id")
    assert sim["consignment_id"].is_unique
    assert set(sim["consignment_id"]) == set(mine.index)
    assert np.array_equal(sim.set_index("consignment_id").loc[mine.index, "created_h"],
                          mine["created_h"])
    assert (ch["teu"] == 1.0).all() and cons["created_h"].notna().all()
    assert len(cons) == len(run.created_h) == len(run.rec.delivered_h)
    assert set(ch.loc[ch["abstract"], "route"].astype(str)) == {"suez"}


def test_bad_learning_settings_are_refused_with_their_field():
    with pytest.raises(ScenarioError, match="greater than 0") as info:
        _scenario("learned", **{"markets.cn_eu.learn_window_days": 0})
    assert info.value.problems[0].path == "markets.cn_eu.learn_window_days"
    with pytest.raises(ScenarioError, match="did you mean 'learned'"):
        _scenario("learnt")


def test_a_window_without_learning_is_a_warning():
    from corridor_sim.scenario import load_checked

    _, problems = load_checked(ROUTES, {"markets.cn_eu.learn_window_days": 7})
    assert any(p.severity == "warning" and p.path == "markets.cn_eu.learn_window_days"
               and "no effect with expected: anticipated" in p.message for p in problems)
    _, problems = load_checked(ROUTES, {"markets.cn_eu.learn_window_days": 7,
                                        "markets.cn_eu.expected": "learned"})
    assert not any("learn_window_days" in p.path for p in problems)


def test_a_queue_fed_only_by_the_market_wakes_its_trains():
    """The market's flow is the only cargo at its origin: every day's boxes are scheduled
    into an idle queue, whose train former must see them (it waits for cargo)."""
    small = ROOT / "tests" / "scenarios" / "small.yaml"
    alts = [{"route": "sea"}, {"flow": "m_rail", "expected_transit_days": 12}]

    def run(expected):
        sc = load_scenario(small, {
            "horizon_days": 120, "disruptions": [],
            "economics": {"rail": {c: {"usd_per_teu_km": 0.2} for c in ("CN", "KZ", "AZ",
                                                                         "TR")},
                          "sea": {"ferry": {"usd_per_teu": 500}}},
            "routes": {"sea": {"transit_days": 35, "usd_per_teu": 1500}},
            "flows": [{"id": "m_rail", "from": "xian", "to": "kars", "via": ["aktau", "alat"],
                       "tons_per_year": 0}],
            "markets": {"m": {"from": "xian", "to": "kars", "tons_per_year": 20_000,
                              "value_of_time_usd_per_teu_day": 50, "scale_usd_per_teu": 500,
                              "expected": expected, "alternatives": alts}}})
        r = simulate(sc, 0)
        tables = build_tables(r)
        tables["closures"] = closures_table(r)
        check_run(sc, r, tables)
        return tables["consignments"]

    fixed, learned = run("fixed"), run("learned")
    assert len(learned) > 50 and learned["delivered_h"].notna().mean() > 0.8
    f, g = fixed["transit_h"].mean(), learned["transit_h"].mean()
    assert abs(g - f) < 0.15 * f, (f, g)


def test_a_market_of_abstract_routes_only_learns_nothing_and_costs_no_event():
    alts = [{"route": "northern"}, {"route": "suez"}, {"route": "cape"}]
    runs = {mode: simulate(_scenario(mode, horizon_days=60, **{
        "markets.cn_eu.alternatives": alts}), 0) for mode in ("fixed", "learned")}
    assert runs["learned"].events == runs["fixed"].events
    assert runs["learned"].market_choices == {}
    pd.testing.assert_frame_equal(build_tables(runs["fixed"])["choices"],
                                  build_tables(runs["learned"])["choices"])
