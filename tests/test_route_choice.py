"""Route choice: logit shares, directions, and abstract routes that cost no simulation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from corridor_sim.economics import flow_items
from corridor_sim.economics.choice import choice_shares
from corridor_sim.engine import simulate
from corridor_sim.engine.demand import market_draws
from corridor_sim.results import build_tables
from corridor_sim.scenario import ScenarioError, load_scenario, with_overrides
from corridor_sim.stochastic import Streams

from .factories import ROOT

ROUTES = ROOT / "scenarios" / "china_europe_routes.yaml"
MARKET = {
    "routes": {
        "fast": {"transit_days": 10, "usd_per_teu": 4000, "co2e_kg_per_teu": 3000},
        "slow": {"transit_days": 40, "usd_per_teu": 1500, "co2e_kg_per_teu": 2000},
    },
}


def _market(alternatives, **extra):
    return {"from": "xian", "to": "prague", "tons_per_year": 2e7, "tons_per_unit": 20,
            "value_of_time_usd_per_teu_day": 50, "scale_usd_per_teu": 700,
            "alternatives": alternatives, **extra}


def test_drawn_shares_match_the_logit_formula():
    """About a million boxes with fixed costs and transit times: each route's share is
    within four binomial standard errors (~0.002) of exp(-GC/s) / sum exp(-GC/s)."""
    sc = load_scenario(ROUTES, {**MARKET, "markets": {"m": _market(
        [{"route": "fast"}, {"route": "slow"},
         {"flow": "cn_eu_market", "expected_transit_days": 20}])}})
    times, chosen = market_draws(sc, "m", 0.0, 8760.0, Streams(3))
    n = len(times)
    assert n > 900_000
    flow = next(f for f in sc.flows if f.id == "cn_eu_market")
    corridor = sum(float(i.usd_at(np.array([0.0]))[0]) for i in flow_items(sc, flow))
    gc = np.array([4000 + 50 * 10, 1500 + 50 * 40, corridor + 50 * 20])
    p = np.exp(-gc / 700) / np.exp(-gc / 700).sum()
    got = np.bincount(chosen, minlength=3) / n
    assert np.all(np.abs(got - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-12), (got, p)
    assert np.allclose(choice_shares(sc, sc.markets["m"], np.array([0.0]))[:, 0], p)


def test_higher_sea_rates_move_share_to_rail():
    base = load_scenario(ROUTES)
    dear = with_overrides(base, {"routes.suez.usd_per_teu": 3000,
                                "routes.cape.usd_per_teu": 3300})
    names = [a.name for a in base.markets["cn_eu"].alternatives]
    a = choice_shares(base, base.markets["cn_eu"], np.array([0.0]))[:, 0]
    b = choice_shares(dear, dear.markets["cn_eu"], np.array([0.0]))[:, 0]
    rail = [names.index("northern"), names.index("cn_eu_market")]
    assert np.all(b[rail] > a[rail])
    assert b[names.index("suez")] < a[names.index("suez")]


def test_closing_suez_moves_share_to_the_cape_and_rail_while_closed():
    sc = load_scenario(ROUTES, {"routes.suez.unavailable": [{"start": "2023-03-01",
                                                             "days": 60}]})
    names = [a.name for a in sc.markets["cn_eu"].alternatives]
    before, during, after = (sc.hours_since_start(dt.date.fromisoformat(d)) for d in
                             ("2023-02-01", "2023-03-15", "2023-06-01"))
    s = choice_shares(sc, sc.markets["cn_eu"], np.array([before, during, after]))
    suez = names.index("suez")
    assert s[suez, 1] == 0 and s[suez, 0] > 0.3
    for other in ("cape", "northern", "cn_eu_market"):
        k = names.index(other)
        assert s[k, 1] > s[k, 0] and s[k, 2] == pytest.approx(s[k, 0])
    # and the run's choices show it: no box takes Suez while it is closed
    run = simulate(with_overrides(sc, {"horizon_days": 120, "warmup_days": 5}), 0)
    ch = build_tables(run)["choices"]
    inside = (ch["created_h"] >= sc.hours_since_start(dt.date(2023, 3, 1))) & (
        ch["created_h"] < sc.hours_since_start(dt.date(2023, 4, 30)))
    assert inside.sum() > 1000
    assert not (ch.loc[inside, "route"] == "suez").any()
    assert (ch.loc[~inside, "route"] == "suez").mean() > 0.3


def test_anticipated_caspian_closure_moves_share_away_from_the_corridor_and_back():
    closure = [{"target": "caspian_kuryk", "start": "2023-06-01", "days": 16}]
    sc = load_scenario(ROUTES, {"disruptions": closure})
    k = [a.name for a in sc.markets["cn_eu"].alternatives].index("cn_eu_market")
    hours = np.array([sc.hours_since_start(dt.date.fromisoformat(d)) for d in
                      ("2023-05-01", "2023-06-05", "2023-06-25")])
    s = choice_shares(sc, sc.markets["cn_eu"], hours)[k]
    assert s[1] < 0.5 * s[0] and s[2] == pytest.approx(s[0])
    fixed = with_overrides(sc, {"markets.cn_eu.expected": "fixed"})
    assert np.allclose(choice_shares(fixed, fixed.markets["cn_eu"], hours)[k], s[0])


def test_abstract_routes_create_no_simulation_events():
    """A market whose alternatives are all abstract adds no event and changes no simulated
    consignment, however large it is."""
    base = load_scenario(ROUTES, {"horizon_days": 40, "warmup_days": 5,
                                  "markets": {}, "flows.cn_eu_market.tons_per_year": 0})
    plain = simulate(base, 0)
    for size in (1e6, 1e8):
        sc = with_overrides(base, {**MARKET, "markets": {"m": _market(
            [{"route": "fast"}, {"route": "slow"}], tons_per_year=size)}})
        run = simulate(sc, 0)
        assert run.events == plain.events > 0
        assert np.array_equal(run.created_h, plain.created_h)
        ch = build_tables(run)["choices"]
        assert len(ch) > size / 20 * 45 / 365 * 0.9 and ch["abstract"].all()


def test_simulated_choices_are_the_flow_consignments():
    sc = load_scenario(ROUTES, {"horizon_days": 60, "warmup_days": 5})
    run = simulate(sc, 0)
    tables = build_tables(run)
    ch, cons = tables["choices"], tables["consignments"]
    times, chosen = market_draws(sc, "cn_eu", run.start_h, run.end_h,
                                 Streams(sc.seed, 0))
    k = [a.name for a in sc.markets["cn_eu"].alternatives].index("cn_eu_market")
    mine = cons[cons["flow"] == "cn_eu_market"]
    assert len(mine) == (chosen == k).sum() > 0
    assert np.allclose(np.sort(mine["created_h"]), np.sort(times[chosen == k]))
    assert len(ch) == len(times)
    assert set(ch.loc[~ch["abstract"], "consignment_id"]) == set(mine["consignment_id"])


def test_bad_markets_are_refused_with_their_field(tmp_path):
    def load(**market):
        return load_scenario(ROUTES, {"markets.cn_eu": {**_market(
            [{"route": "northern"}, {"route": "suez"}]), **market}})

    with pytest.raises(ScenarioError, match="greater than or equal to 0"):
        load(value_of_time_usd_per_teu_day=-5)
    with pytest.raises(ScenarioError, match="unknown route 'suz'; did you mean 'suez'"):
        load(alternatives=[{"route": "northern"}, {"route": "suz"}])
    with pytest.raises(ScenarioError, match="not the market's xian -> prague"):
        load(alternatives=[{"route": "northern"},
                           {"flow": "cn_tr", "expected_transit_days": 12}])
    closed = [{"start": "2022-12-01", "days": 500}]
    with pytest.raises(ScenarioError, match="every alternative is unavailable"):
        load_scenario(ROUTES, {"routes.northern.unavailable": closed,
                               "routes.suez.unavailable": closed,
                               "markets.cn_eu.alternatives": [{"route": "northern"},
                                                              {"route": "suez"}]})


def test_results_api_plots_and_files(tmp_path):
    import corridor_sim as cs

    res = cs.run(ROUTES, overrides={"horizon_days": 45, "warmup_days": 5})
    table = res.routes()
    assert set(table["route"]) == {"cn_eu_market", "northern", "suez", "cape"}
    assert table["share"].sum() == pytest.approx(1.0)
    k = res.kpis.set_index(["kpi", "group"])["mean"]
    assert k["route_share", "cn_eu:suez"] == pytest.approx(
        table.set_index("route").loc["suez", "share"])
    fig = res.plot.route_tradeoff()
    assert len(fig.axes[0].collections) >= 4 and "USD per TEU" in fig.axes[0].get_ylabel()
    fig = res.plot.route_costs()
    cost = fig.axes[0]
    totals = {}
    for bar in cost.patches:
        key = round(bar.get_y(), 6)
        totals[key] = totals.get(key, 0.0) + bar.get_width()
    assert sorted(totals.values()) == pytest.approx(sorted(table["cost_usd_per_teu"]))
    fig = res.plot.route_shares()
    assert fig.axes[0].get_ylim() == (0, 1)
    out = res.save(tmp_path / "run")
    assert (out / "choices.parquet").exists()
    assert {"route_shares", "route_tradeoff", "route_costs"} <= {
        p.stem for p in (out / "plots").glob("*")}
    back = cs.load_results(out)
    assert len(back.tables["choices"]) == len(res.tables["choices"])
    assert "Route choice" in (out / "report.md").read_text()


def test_window_outside_the_run_is_a_warning():
    from corridor_sim.scenario import load_checked

    _, problems = load_checked(ROUTES, {"routes.cape.unavailable": [{"start": "2030-01-01",
                                                                    "days": 10}]})
    assert any(p.severity == "warning" and p.path == "routes.cape.unavailable.0.start"
               and "outside the simulated period" in p.message for p in problems)


def test_reliability_term_penalises_the_less_reliable_route():
    from corridor_sim.economics.choice import transit_sd
    from corridor_sim.stochastic import draw

    routes = {"steady": {"transit_days": {"dist": "uniform", "low": 19, "high": 21},
                         "usd_per_teu": 2000},
              "erratic": {"transit_days": {"dist": "uniform", "low": 5, "high": 35},
                          "usd_per_teu": 2000}}
    alts = [{"route": "steady"}, {"route": "erratic"}]
    sc = load_scenario(ROUTES, {"routes": routes, "markets": {"m": _market(alts)}})
    s = choice_shares(sc, sc.markets["m"], np.array([0.0]))[:, 0]
    assert s == pytest.approx([0.5, 0.5])  # same mean: indifferent without the term
    sc = with_overrides(sc, {"markets.m.reliability_usd_per_teu_day": 100})
    s = choice_shares(sc, sc.markets["m"], np.array([0.0]))[:, 0]
    gap = 100 * (30 - 2) / np.sqrt(12)  # sd of U(5, 35) minus that of U(19, 21)
    assert s[0] == pytest.approx(1 / (1 + np.exp(-gap / 700)))
    # the analytic sd agrees with a large sample for every kind of distribution
    rng = np.random.default_rng(5)
    for spec in ({"dist": "triangular", "low": 10, "mode": 12, "high": 20},
                 {"dist": "lognormal", "median": 15, "p90": 25},
                 {"dist": "gamma", "mean": 20, "sd": 4},
                 {"dist": "empirical", "values": [10, 20, 40], "weights": [1, 2, 1]}):
        r = load_scenario(ROUTES, {"routes.cape.transit_days": spec}).routes["cape"]
        sample = draw(r.transit_days, rng, 400_000)
        assert transit_sd(r.transit_days) == pytest.approx(sample.std(), rel=0.02)
