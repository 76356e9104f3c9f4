"""Both directions: flows against the legs' written direction, single-track legs, vessels
loaded each way, and the checks of the scenario loader for them."""

from __future__ import annotations

import numpy as np
import pytest

from corridor_sim.experiment import run_single
from corridor_sim.scenario import Scenario, load_scenario

from .factories import node, refusal
from .invariants import (
    check_capacities,
    check_conservation,
    check_delay_sum,
    check_single_track,
    run_directions,
)


def corridor(flows: list[dict], single: bool = False, seed: int = 11,
             days: float = 240, extra: dict | None = None) -> Scenario:
    """A symmetric corridor written west to east: terminal w - border b - port p ~ ferry
    p->q ~ port q - border c - terminal e. Mirror images have the same parameters."""
    rail = {"speed_kmh": {"dist": "triangular", "low": 35, "mode": 45, "high": 55},
            "max_train_teu": 40}
    data = {
        "name": "two_way", "start_date": "2023-01-01", "horizon_days": days,
        "warmup_days": 20, "seed": seed,
        "nodes": {
            "w": node("terminal", lon=0, dwell_h=4),
            "b": node("border", lon=1, tracks=2,
                      dwell_h={"dist": "lognormal", "median": 6, "p90": 10}),
            "p": node("port", lon=2, dwell_h=3),
            "q": node("port", lon=3, dwell_h=3),
            "c": node("border", lon=4, tracks=2,
                      dwell_h={"dist": "lognormal", "median": 6, "p90": 10}),
            "e": node("terminal", lon=5, dwell_h=4),
        },
        "legs": [{"from": "w", "to": "b", "distance_km": 600, **rail},
                 {"from": "b", "to": "p", "distance_km": 300, **rail,
                  "trains_per_day": 6, "track": "single" if single else "double"},
                 {"from": "q", "to": "c", "distance_km": 300, **rail, "trains_per_day": 6},
                 {"from": "c", "to": "e", "distance_km": 600, **rail}],
        "services": {"ferry": {"from": "p", "to": "q", "distance_km": 400, "vessels": 3,
                               "capacity_teu": 80, "speed_kn": 12,
                               "depart": {"when_full": 0.9, "max_wait_h": 24}}},
        "flows": flows,
    }
    data.update(extra or {})
    return Scenario.model_validate(data)


EAST = {"id": "east", "from": "w", "to": "e", "via": ["b", "p", "q", "c"],
        "tons_per_year": 200_000}
WEST = {"id": "west", "from": "e", "to": "w", "via": ["c", "q", "p", "b"],
        "tons_per_year": 200_000}


def _transit_days(sc: Scenario):
    tables, _ = run_single(sc)
    c = tables["consignments"]
    return tables, c.loc[c["delivered_h"].notna() & ~c["warmup"], "transit_h"] / 24.0


def test_a_flow_against_the_written_direction_mirrors_one_along_it():
    _, along = _transit_days(corridor([EAST]))
    _, against = _transit_days(corridor([WEST]))
    assert len(along) > 2000 and len(against) > 2000
    for q in (0.1, 0.5, 0.9):
        assert along.quantile(q) == pytest.approx(against.quantile(q), rel=0.05)
    assert along.mean() == pytest.approx(against.mean(), rel=0.03)


def test_both_directions_are_tagged_and_conserved():
    sc = corridor([EAST, WEST])
    tables, _ = _transit_days(sc)
    c = tables["consignments"]
    assert set(c.loc[c["flow"] == "east", "direction"]) == {"eastbound"}
    assert set(c.loc[c["flow"] == "west", "direction"]) == {"westbound"}
    check_conservation(sc, tables)
    check_delay_sum(tables)
    check_capacities(sc, tables)
    for flow in ("east", "west"):
        done = c[(c["flow"] == flow) & c["delivered_h"].notna()]
        assert len(done) > 0.9 * (c["flow"] == flow).sum()


def test_vessels_carry_cargo_both_ways_within_capacity():
    sc = corridor([EAST, WEST])
    tables, _ = _transit_days(sc)
    m = tables["movements"]
    voyages = m[m["kind"] == "vessel"].drop_duplicates("batch_id")
    assert set(voyages["segment"]) == {"sea:ferry", "sea:ferry:return"}
    assert voyages["teu"].max() <= 80 + 1e-9
    # each way loads at its own port and unloads at the other (a vessel whose wait ran
    # out with nothing to load crosses empty: no loading then)
    loads = m[m["activity"] == "load"].set_index("batch_id")["place"]
    back = voyages.loc[(voyages["segment"] == "sea:ferry:return") & (voyages["units"] > 0),
                       "batch_id"]
    assert set(loads.loc[back]) == {"q"}


def test_one_pool_of_vessels_serves_both_ways():
    # three vessels shared by both directions: at no time are more than three loaded
    sc = corridor([EAST, WEST])
    tables, _ = _transit_days(sc)
    m = tables["movements"]
    sail = m[m["activity"] == "sail"]
    times = np.concatenate([sail["start_h"], sail["end_h"]])
    delta = np.concatenate([np.ones(len(sail)), -np.ones(len(sail))])
    order = np.lexsort((delta, times))
    assert np.cumsum(delta[order]).max() <= 3


def test_single_track_keeps_opposing_trains_apart_and_shares_its_capacity():
    heavy = [{**EAST, "tons_per_year": 1_200_000}, {**WEST, "tons_per_year": 1_200_000}]
    days = 120
    single = corridor(heavy, single=True, days=days)
    tables, _ = _transit_days(single)
    check_single_track(single, tables)
    check_capacities(single, tables)
    runs = tables["movements"]
    runs = runs[(runs["activity"] == "run") & (runs["place"] == "b-p")]
    ways = run_directions(single.legs[1], runs)
    assert (ways == 0).sum() > 50 and (ways == 1).sum() > 50  # both directions ran
    span_days = (single.warmup_days + days)
    assert len(runs) <= 6 * span_days + 1  # 6 trains a day, both directions together
    # the same demand on double track: more trains, and opposing trains do meet there
    double = corridor(heavy, single=False, days=days)
    dtables, _ = _transit_days(double)
    druns = dtables["movements"]
    druns = druns[(druns["activity"] == "run") & (druns["place"] == "b-p")]
    assert len(druns) > len(runs)
    with pytest.raises(AssertionError, match="meet on single-track"):
        check_single_track(single, dtables)


def _waiting_teu(tables, port: str, t0: float, t1: float) -> float:
    r = tables["resources"]
    r = r[(r["resource"] == port) & (r["metric"] == "teu_waiting")]
    inside = r[(r["t_h"] >= t0) & (r["t_h"] < t1)]
    return float(inside["value"].max()) if len(inside) else 0.0


def test_a_closed_ferry_backs_cargo_up_on_both_shores():
    closure = {"disruptions": [{"target": "ferry", "kind": "closure",
                                "start": "2023-04-01", "days": 10}]}
    t0 = (31 + 28 + 31) * 24.0
    t1 = t0 + 10 * 24.0
    open_, _ = _transit_days(corridor([EAST, WEST]))
    shut, _ = _transit_days(corridor([EAST, WEST], extra=closure))
    for port in ("p", "q"):  # eastbound cargo waits at p, westbound at q
        assert _waiting_teu(shut, port, t0, t1) > 3 * max(_waiting_teu(open_, port, t0, t1), 1)


def test_reverse_route_through_a_two_way_gauge_change_is_accepted(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(
        "name: g\nstart_date: 2023-01-01\nhorizon_days: 30\n"
        "nodes:\n"
        "  a: {kind: terminal, country: XX, lon: 1, lat: 0}\n"
        "  k: {kind: border, country: XX, lon: 0.5, lat: 0,\n"
        "      gauge_change: {from_mm: 1435, to_mm: 1520}}\n"
        "  z: {kind: terminal, country: XX, lon: 0, lat: 0}\n"
        "legs:\n"
        "  - {from: z, to: k, distance_km: 100, speed_kmh: 50, gauge_mm: 1435}\n"
        "  - {from: k, to: a, distance_km: 100, speed_kmh: 50, gauge_mm: 1520}\n"
        "flows:\n  - {id: back, from: a, to: z, via: [k], tons_per_year: 10000}\n")
    sc = load_scenario(path)
    assert sc.flows[0].route == ["a", "k", "z"]
    text = refusal(path, path.read_text().replace("to_mm: 1520}", "to_mm: 1520, one_way: true}"))
    assert "one way only" in text


def test_single_track_on_a_sea_service_is_refused(tmp_path):
    text = refusal(
        tmp_path / "s.yaml",
        "name: s\nstart_date: 2023-01-01\nhorizon_days: 30\n"
        "nodes:\n"
        "  p: {kind: port, country: XX, lon: 0, lat: 0}\n"
        "  q: {kind: port, country: XX, lon: 1, lat: 0}\n"
        "services:\n"
        "  ferry: {from: p, to: q, distance_km: 100, vessels: 1, capacity_teu: 10,\n"
        "          speed_kn: 10, track: single}\n"
        "flows:\n  - {id: f, from: q, to: p, tons_per_year: 1000}\n")
    assert "services.ferry.track" in text and ":9:" in text


def test_kpis_split_throughput_by_direction_and_report_decks_each_way():
    tables, _ = _transit_days(corridor([EAST, WEST]))
    k = tables["kpis"].set_index(["kpi", "group"])["value"]
    west = k[("tons_delivered", "direction:westbound")]
    east = k[("tons_delivered", "direction:eastbound")]
    assert west > 0 and east > 0
    assert west + east == pytest.approx(k[("tons_delivered", "all")])
    assert west == pytest.approx(k[("tons_delivered", "flow:west")])
    out, back = (k[("deck_load_factor", f"service:ferry:{w}")] for w in ("outbound", "return"))
    assert 0 < out <= 1 and 0 < back <= 1
    # one-way traffic: the empty crossing back is not a sailing, so no return row
    one, _ = _transit_days(corridor([EAST]))
    groups = set(one["kpis"].loc[one["kpis"]["kpi"] == "deck_load_factor", "group"])
    assert groups == {"service:ferry:outbound"}


def test_thin_return_cargo_does_not_hold_vessels_at_the_far_port():
    # a handful of boxes a month the other way: vessels leave the far port empty when
    # their wait is up instead of waiting there for cargo (which would halt the service)
    thin = {**WEST, "tons_per_year": 2_000}
    one, _ = _transit_days(corridor([EAST]))
    two, _ = _transit_days(corridor([EAST, thin]))
    east = [kpis_tons(t, "east") for t in (one, two)]
    assert east[1] == pytest.approx(east[0], rel=0.05)
    m = two["movements"]
    back = m[(m["segment"] == "sea:ferry:return")].drop_duplicates("batch_id")
    assert (back["units"] == 0).sum() > 10  # empty crossings back, recorded as sailings
    assert kpis_tons(two, "west") > 0


def kpis_tons(tables, flow: str) -> float:
    c = tables["consignments"]
    return float(c.loc[(c["flow"] == flow) & c["delivered_h"].notna(), "tons"].sum())
