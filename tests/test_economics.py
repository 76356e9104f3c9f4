"""Cost and CO2e per consignment: breakdowns add up, figures scale as they must, and a
small priced scenario gives the hand-computed numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from corridor_sim import kpis
from corridor_sim.economics import flow_items
from corridor_sim.economics.accounts import (
    CO2E_COLUMNS,
    COST_COLUMNS,
    consignment_accounts,
    item_table,
)
from corridor_sim.engine import simulate
from corridor_sim.results import build_tables
from corridor_sim.scenario import load_scenario

from .factories import ROOT, baseline

SMALL = ROOT / "tests" / "scenarios" / "small.yaml"
PRICED = {
    "economics": {
        "rail": {"CN": {"usd_per_teu_km": 0.2, "usd_per_tkm": 0.01, "electric_share": 1.0,
                        "grid_g_per_kwh": 500},
                 "AZ": {"usd_per_teu_km": 0.3, "electric_share": 0.0}},
        "sea": {"ferry": {"usd_per_teu": 500, "vessel": "ro_pax",
                          "rates": [{"from": "2023-02-01", "usd_per_teu": 800}]}},
        "handling": {"terminal_usd_per_teu": 100, "port_usd_per_teu": 150,
                     "border_usd_per_teu": 200, "nodes": {"alat": 90}},
        "time_usd_per_teu_day": 24,
        "container_hire_usd_per_teu": 600,
        "emissions": {"rail_electric_kwh_per_tkm": 0.03, "rail_diesel_kg_fuel_per_tkm": 0.005,
                      "diesel_wtw_kg_per_kg_fuel": 3.87, "diesel_ttw_kg_per_kg_fuel": 3.53,
                      "ro_pax_wtw_kg_per_tkm": 0.16, "ro_pax_ttw_kg_per_tkm": 0.136,
                      "hub_wtw_kg_per_t": 0.5, "hub_ttw_kg_per_t": 0.3,
                      "empty_running": {"rail": 0.1}},
    }
}


def small(**overrides):
    return load_scenario(SMALL, {**PRICED, **overrides})


@pytest.fixture(scope="module")
def baseline_run():
    sc = baseline(horizon_days=90, warmup_days=10)
    return sc, build_tables(simulate(sc, 0))["consignments"]


def test_hand_computed_route():
    """xian -(6000 km, CN, electric)-> aktau -(ferry 508 km)-> alat -(800 km, AZ, diesel)->
    kars, one TEU of 20 t created before the dated rate."""
    sc = small()
    items = flow_items(sc, sc.flows[0])
    usd = sum(float(i.usd_at(np.array([0.0]))[0]) for i in items)
    rail = 6000 * (0.2 + 0.01 * 20) + 800 * 0.3
    assert usd == pytest.approx(rail + 500 + 100 + 150 + 90 + 100 + 600)
    wtw = sum(i.wtw_kg for i in items)
    electric = 20 * 6000 * 0.03 * 500 / 1000 * 1.1
    diesel = 20 * 800 * 0.005 * 3.87 * 1.1
    ferry = 20 * 508 * 0.16
    hubs = 20 * 0.5 * 4  # origin, aktau (port), alat (port), destination
    assert wtw == pytest.approx(electric + diesel + ferry + hubs)
    ttw = sum(i.ttw_kg for i in items)
    assert ttw == pytest.approx(20 * 800 * 0.005 * 3.53 * 1.1 + 20 * 508 * 0.136 + 20 * 0.3 * 4)
    # from 1 February the crossing costs 800
    later = sc.hours_since_start(dt.date(2023, 2, 1))
    sea = next(i for i in items if i.cost_kind == "sea")
    assert list(sea.usd_at(np.array([later - 1, later, later + 500]))) == [500, 800, 800]


def test_breakdowns_add_up_to_totals(baseline_run):
    sc, cons = baseline_run
    cost = np.zeros(len(cons))
    for col in COST_COLUMNS:
        cost = cost + cons[col].to_numpy()
    assert np.array_equal(cost, cons["cost_usd"].to_numpy())
    co2e = np.zeros(len(cons))
    for col in CO2E_COLUMNS:
        co2e = co2e + cons[col].to_numpy()
    assert np.array_equal(co2e, cons["co2e_kg"].to_numpy())
    assert (cons["co2e_ttw_kg"] <= cons["co2e_kg"]).all()
    assert (cons["cost_time_usd"] > 0).any()


def test_item_breakdown_adds_up_to_each_consignment(baseline_run):
    """Leg-by-leg and node-by-node items of a flow plus the waiting-time cost give each
    consignment's total (no dated rates in the baseline)."""
    sc, cons = baseline_run
    items = item_table(sc)
    per_flow = items.groupby("flow")[["cost_usd", "co2e_kg", "co2e_ttw_kg"]].sum()
    f = cons["flow"].astype(str)
    expect_cost = per_flow.loc[f, "cost_usd"].to_numpy() + cons["cost_time_usd"].to_numpy()
    assert np.allclose(cons["cost_usd"], expect_cost, rtol=1e-12, atol=1e-9)
    assert np.allclose(cons["co2e_kg"], per_flow.loc[f, "co2e_kg"].to_numpy(), rtol=1e-12)
    assert np.allclose(cons["co2e_ttw_kg"], per_flow.loc[f, "co2e_ttw_kg"].to_numpy(),
                       rtol=1e-12)
    # the time cost is the rate times the TEU-days not moving
    days = (cons["transit_h"] - cons["moving_h"]) / 24
    done = cons["delivered_h"].notna()
    rate = sc.economics.time_usd_per_teu_day
    assert np.allclose(cons.loc[done, "cost_time_usd"],
                       rate * cons.loc[done, "teu"] * days[done], rtol=1e-9)


def _place(sc, place):
    t = item_table(sc)
    return t[t["place"] == place].groupby("flow")[["cost_usd", "co2e_kg", "co2e_ttw_kg"]].sum()


def test_doubling_a_leg_doubles_its_moving_cost_and_emissions():
    base = baseline()
    doubled = baseline(**{"legs.almaty-kuryk.distance_km": 5600})  # diesel
    assert np.allclose(_place(doubled, "almaty-kuryk"), 2 * _place(base, "almaty-kuryk"))
    doubled = baseline(**{"legs.xian-altynkol.distance_km": 6300})  # electric
    a, b = _place(base, "xian-altynkol"), _place(doubled, "xian-altynkol")
    assert (a["co2e_kg"] > 0).all() and np.allclose(b, 2 * a)
    # nothing else moves, but the empty return of boxes may run back on the longer leg
    keep = "place != 'xian-altynkol' and cost_kind != 'empty_return'"
    before, after = item_table(base), item_table(doubled)
    assert np.allclose(before.query(keep)["cost_usd"], after.query(keep)["cost_usd"])
    back = "cost_kind == 'empty_return'"
    assert (after.query(back)["cost_usd"].to_numpy()
            >= before.query(back)["cost_usd"].to_numpy()).all()


def test_electric_section_scales_with_grid_intensity():
    base = baseline()
    cleaner = baseline(**{"economics.rail.GE.grid_g_per_kwh": 84.0})
    a, b = _place(base, "beyuk_kesik-tbilisi"), _place(cleaner, "beyuk_kesik-tbilisi")
    assert (a["co2e_kg"] > 0).all()
    assert np.allclose(b["co2e_kg"], a["co2e_kg"] / 2)
    assert np.allclose(b["cost_usd"], a["cost_usd"])
    # a diesel section in the same country does not depend on the grid
    assert np.allclose(_place(cleaner, "tbilisi-akhalkalaki"),
                       _place(base, "tbilisi-akhalkalaki"))


def test_electric_beats_diesel_on_ttw_and_kpis_per_od(baseline_run):
    sc, cons = baseline_run
    t = item_table(sc)
    electric = t[(t["co2e_kind"] == "rail_electric") & (t["co2e_kg"] > 0)]
    assert (electric["co2e_ttw_kg"] == 0).all()
    k = kpis.kpi_table({"consignments": cons, "movements": build_tables(
        simulate(sc, 0))["movements"]}, sc.start_date, sc.horizon_days * 24)
    rows = k[k["kpi"] == "cost_usd_per_teu"].set_index("group")["value"]
    d = kpis.delivered(cons)
    sel = (d["origin"] == "xian") & (d["destination"] == "prague")
    assert rows["xian->prague"] == pytest.approx(d.loc[sel, "cost_usd"].sum()
                                                 / d.loc[sel, "teu"].sum())


def test_unpriced_scenario_has_no_cost_columns():
    sc = load_scenario(SMALL)
    cons = build_tables(simulate(sc, 0))["consignments"]
    assert "cost_usd" not in cons.columns
    assert not kpis.has_accounts(cons)


def test_accounts_of_a_priced_run_match_the_items():
    sc = small()
    cons = build_tables(simulate(sc, 0))["consignments"]
    acc = consignment_accounts(sc, cons)
    after = cons["created_h"] >= sc.hours_since_start(dt.date(2023, 2, 1))
    assert after.any() and (~after).any()
    assert (acc.loc[after, "cost_sea_usd"] == 800).all()
    assert (acc.loc[~after, "cost_sea_usd"] == 500).all()
    assert np.allclose(acc["cost_hire_usd"], 600)


def _boxed(repositioning: str | None, rate: float = 0.1):
    """The small priced scenario, 20 days, its flow's boxes from a container fleet at
    Xi'an (none when ``repositioning`` is None), empty boxes priced at ``rate``."""
    economics = {**PRICED["economics"], "empty_usd_per_teu_km": rate}
    over = {"economics": economics, "horizon_days": 20, "warmup_days": 2}
    if repositioning is not None:
        over["fleets"] = {"boxes": {"kind": "container", "depots": {"xian": 2000},
                                    "flows": ["cn_tr"], "repositioning": repositioning}}
    return load_scenario(SMALL, over)


# the way back from Kars to Xi'an: BTK 800 km, the ferry 508 km, Aktau-Xi'an 6000 km
KARS_TO_XIAN_KM = 800 + 508 + 6000


@pytest.mark.parametrize("repositioning,hire,empty", [
    (None, 600.0, 0.0),  # no container fleet: one-way hire, as before fleets existed
    ("one_way", 600.0, 0.0),  # boxes leased one way: hire, nothing returns empty
    ("return", 0.0, 0.1 * KARS_TO_XIAN_KM),  # boxes return: the empty way back, no hire
])
def test_the_box_is_hired_or_returned_empty_by_its_fleet(repositioning, hire, empty):
    sc = _boxed(repositioning)
    items = flow_items(sc, sc.flows[0])
    box = items[-1]
    assert box.cost_kind == ("empty_return" if repositioning == "return" else "hire")
    assert [i.cost_kind for i in items].count("hire") == (hire > 0)
    assert [i.cost_kind for i in items].count("empty_return") == (empty > 0)
    cons = build_tables(simulate(sc, 0))["consignments"]
    assert len(cons) > 100
    assert np.allclose(cons["cost_hire_usd"], hire)
    assert np.allclose(cons["cost_empty_return_usd"], empty)
    if empty:
        assert (cons["cost_empty_return_usd"] > 0).all()
    # the breakdown adds up to the total, to the last bit
    total = np.zeros(len(cons))
    for col in COST_COLUMNS:
        total = total + cons[col].to_numpy()
    assert np.array_equal(total, cons["cost_usd"].to_numpy())
    # and the items plus the waiting time give each consignment's total
    per_unit = sum(float(i.usd_at(np.array([0.0]))[0]) for i in items)
    early = cons["created_h"] < sc.hours_since_start(dt.date(2023, 2, 1))
    assert np.allclose(cons.loc[early, "cost_usd"],
                       per_unit + cons.loc[early, "cost_time_usd"], rtol=1e-12)


def test_empty_return_scales_with_rate_and_box_size():
    sc = _boxed("return", 0.1)
    a = flow_items(sc, sc.flows[0])[-1]
    sc = _boxed("return", 0.2)
    sc.flows[0].teu_per_unit = 2.0
    b = flow_items(sc, sc.flows[0])[-1]
    assert a.usd == pytest.approx(0.1 * KARS_TO_XIAN_KM)
    assert b.usd == pytest.approx(4 * a.usd)


def test_baseline_boxes_return_empty_and_boxes_of_no_fleet_are_hired():
    """In the 2023 baseline the boxes of boxes_cn pay their way back to Xi'an (nothing
    for those that end there) and no hire; empty_cn, in no container fleet, is hired;
    leased one way (no_empty_returns) boxes_cn's flows pay the hire instead."""
    t = item_table(baseline())
    box = t[t["cost_kind"].isin(["hire", "empty_return"])].set_index("flow")
    fleet = ["cn_tr", "cn_eu", "cn_az", "cn_bs", "tr_cn", "az_cn", "ge_cn"]
    assert (box.loc[fleet, "cost_kind"] == "empty_return").all()
    assert (box.loc[["cn_tr", "cn_eu", "cn_az", "cn_bs"], "cost_usd"] > 0).all()
    assert (box.loc[["tr_cn", "az_cn", "ge_cn"], "cost_usd"] == 0).all()  # end at Xi'an
    assert box.loc["empty_cn", "cost_kind"] == "hire"
    assert box.loc["empty_cn", "cost_usd"] == 625
    assert not (t["cost_kind"] == "hire").loc[t["flow"].isin(fleet)].any()
    leased = item_table(baseline(**{"fleets.boxes_cn.repositioning": "one_way"}))
    box = leased[leased["cost_kind"].isin(["hire", "empty_return"])].set_index("flow")
    assert (box["cost_kind"] == "hire").all() and (box["cost_usd"] == 625).all()
