"""Background traffic on a service's deck: it takes deck space at each sailing, cargo
takes what is left, and a deck is never overfilled."""

from __future__ import annotations

import numpy as np
import pytest

from corridor_sim.experiment import run_single

from .factories import refusal
from .invariants import check_conservation, check_delay_sum
from .test_both_directions import EAST, corridor

DECK = 80  # the test corridor's ferry: 80 TEU slots, 3 vessels


def _ferry(background: list[dict]) -> dict:
    sc = corridor([EAST])
    svc = sc.services["ferry"].model_dump(by_alias=True, exclude_none=True)
    svc["background"] = background
    return {"services": {"ferry": svc}}


def _run(background: list[dict], seed: int = 11):
    sc = corridor([EAST], seed=seed, extra=_ferry(background))
    tables, _ = run_single(sc)
    return sc, tables


def _sailings(tables):
    m = tables["movements"]
    return m[m["kind"] == "vessel"].drop_duplicates("batch_id")


def test_deck_is_never_overfilled_and_background_sails_both_ways():
    trucks = [{"id": "trucks_out", "units_per_day": 30, "teu_per_unit": 2.0},
              {"id": "trucks_back", "direction": "return", "units_per_day": 20,
               "teu_per_unit": 2.0}]
    sc, tables = _run(trucks)
    check_conservation(sc, tables)
    check_delay_sum(tables)
    v = _sailings(tables)
    assert ((v["teu"] + v["background_teu"]) <= DECK + 1e-9).all()
    back = v[v["segment"] == "sea:ferry:return"]
    assert len(back) > 50 and (back["units"] == 0).all()  # no cargo flows back
    assert back["background_teu"].sum() > 0
    days = (sc.horizon_days + sc.warmup_days)
    # every truck that arrived has sailed, bar those still waiting at the end
    assert back["background_teu"].sum() == pytest.approx(20 * 2.0 * days, rel=0.1)
    out = v[v["segment"] == "sea:ferry"]
    assert out["background_teu"].sum() == pytest.approx(30 * 2.0 * days, rel=0.1)


def test_cargo_waits_longer_when_background_fills_most_of_the_deck():
    def wait_h(background):
        _, tables = _run(background)
        c = tables["consignments"]
        c = c[c["delivered_h"].notna() & ~c["warmup"]]
        return c["waiting_h"].mean(), c["transit_h"].mean()

    # the ferry carries about 147 slots a day each way (3 vessels x 80 TEU per 39 h
    # round trip); the cargo needs about 27: trucks taking 100 slots a day leave it the
    # remaining third of the deck
    none = wait_h([])
    busy = wait_h([{"id": "trucks", "units_per_day": 50, "teu_per_unit": 2.0}])
    assert busy[0] > none[0] + 4  # hours more waiting for a vessel, on average
    assert busy[1] > none[1] + 8  # and door to door


def test_background_larger_than_the_deck_is_refused(tmp_path):
    path = tmp_path / "bg.yaml"
    text = refusal(
        path,
        "name: bg\nstart_date: 2023-01-01\nhorizon_days: 30\n"
        "nodes:\n"
        "  p: {kind: port, country: XX, lon: 0, lat: 0}\n"
        "  q: {kind: port, country: XX, lon: 1, lat: 0}\n"
        "services:\n"
        "  ferry: {from: p, to: q, distance_km: 400, vessels: 1, capacity_teu: 50,\n"
        "          speed_kn: 12,\n"
        "          background: [{id: trucks, units_per_day: 500, teu_per_unit: 2}]}\n"
        "flows:\n  - {id: f, from: p, to: q, tons_per_year: 1000}\n")
    assert "background traffic of service 'ferry' (outbound)" in text
    assert "services.ferry.background.0.units_per_day" in text and ":10:" in text
    text = refusal(path, path.read_text().replace("units_per_day: 500, teu_per_unit: 2",
                                                  "units_per_day: 1, teu_per_unit: 60"))
    assert "takes 60 deck slots" in text


def test_background_changes_no_cargo_stream():
    # background arrivals draw from streams of their own: with an empty deck share the
    # cargo's own random numbers are untouched, so trains are identical up to the port
    _, a = _run([])
    _, b = _run([{"id": "cars", "units_per_day": 1e-9, "teu_per_unit": 1.0}])
    ca, cb = a["consignments"], b["consignments"]
    assert np.array_equal(ca["created_h"], cb["created_h"])
    assert np.allclose(ca["transit_h"].fillna(-1), cb["transit_h"].fillna(-1))


def test_boarding_order_is_priority_cargo_then_background_then_other_cargo():
    from corridor_sim.engine.deck import DeckQueue
    from corridor_sim.engine.queues import CargoQueue

    teu = np.ones(10)
    priority = np.array([True] * 3 + [False] * 7)
    cargo = CargoQueue("sea:ferry", "p", teu, priority)
    cargo.put(np.arange(3, 10), 0.0)  # other cargo, waiting longest
    cargo.put(np.arange(3), 5.0)  # a block with booked slots
    deck = DeckQueue(cargo, np.array([1.0, 2.0, 3.0, 50.0]), np.full(4, 2.0))
    deck.admit(10.0)
    assert deck.count == 13 and deck.total_teu == pytest.approx(16.0)
    ids, cargo_teu, background = deck.take(8.0)
    # 3 TEU of the block, then two trucks (4 slots), then 1 TEU of the other cargo
    assert list(ids[:3]) == [0, 1, 2] and background == pytest.approx(4.0)
    assert list(ids[3:]) == [3] and cargo_teu == pytest.approx(4.0)
    ids, cargo_teu, background = deck.take(3.0)  # the third truck does not fit whole
    assert background == pytest.approx(2.0) and list(ids) == [4]


def test_a_priority_unit_that_does_not_fit_keeps_the_other_cargo_ashore():
    from corridor_sim.engine.deck import DeckQueue
    from corridor_sim.engine.queues import CargoQueue

    teu = np.array([3.0, 3.0, 0.5, 0.5])
    cargo = CargoQueue("sea:ferry", "p", teu, np.array([True, True, False, False]))
    cargo.put(np.array([2, 3]), 0.0)  # boxes, waiting longest
    cargo.put(np.array([0, 1]), 1.0)  # a block of two 3-TEU units
    deck = DeckQueue(cargo, np.array([0.5]), np.array([1.5]))
    deck.admit(2.0)
    ids, cargo_teu, background = deck.take(5.0)
    # one block unit (3 TEU); the second does not fit, the truck does (1.5 slots), and
    # the boxes that would fit in the last 0.5 wait behind the block
    assert list(ids) == [0] and cargo_teu == pytest.approx(3.0)
    assert background == pytest.approx(1.5)
    ids, cargo_teu, background = deck.take(5.0)
    assert list(ids) == [1, 2, 3] and background == 0.0


def test_standby_background_boards_after_all_cargo_and_is_turned_away_after_its_wait():
    from corridor_sim.engine.deck import DeckQueue
    from corridor_sim.engine.queues import CargoQueue

    teu = np.ones(6)
    cargo = CargoQueue("sea:ferry", "p", teu, np.array([True] * 2 + [False] * 4))
    cargo.put(np.arange(2, 6), 0.0)
    cargo.put(np.arange(2), 1.0)
    trucks = np.array([0.5, 2.0, 3.0, 9.0])
    deck = DeckQueue(cargo, trucks, np.full(4, 2.0), standby=True, patience=8.0)
    deck.admit(5.0)
    ids, cargo_teu, background = deck.take(9.0)
    # all six TEU of cargo first, then one truck (2 slots) in the 3 left
    assert sorted(ids.tolist()) == list(range(6)) and cargo_teu == pytest.approx(6.0)
    assert background == pytest.approx(2.0) and deck.left_h[0] == 5.0
    deck.admit(10.5)  # the trucks of t=2.0 waited 8.5 h: turned away; t=3.0 still waits
    assert deck.turned_away.tolist() == [False, True, False, False]
    assert deck.background_teu == pytest.approx(4.0)
    # standby units are not counted by the departure rules: no vessel waits for them
    assert deck.count == 0 and deck.total_teu == 0.0 and not deck.has_scheduled
    ids, cargo_teu, background = deck.take(9.0)
    assert len(ids) == 0 and background == pytest.approx(4.0)
    assert deck.left_h[2:].tolist() == [10.5, 10.5]


def test_standby_trucks_take_only_the_deck_cargo_leaves_and_are_turned_away_after_a_wait():
    # far more trucks than the deck leaves: booked ahead of the cargo they keep it
    # ashore; standby, the cargo gets across (waiting only for the longer loading of
    # full decks), the deck is never overfilled, and trucks that waited a day are turned
    # away
    def trucks(boards):
        return [{"id": "trucks", "units_per_day": 200, "teu_per_unit": 2.0,
                 "boards": boards, "max_wait_h": 24}]

    def delivered(t):
        c = t["consignments"]
        return c.loc[~c["warmup"], "delivered_h"].notna().mean()

    _, booked = _run(trucks("booked"))
    sc, standby = _run(trucks("standby"))
    check_conservation(sc, standby)
    check_delay_sum(standby)
    v = _sailings(standby)
    assert ((v["teu"] + v["background_teu"]) <= DECK + 1e-9).all()
    assert delivered(booked) < 0.5 and delivered(standby) > 0.95
    bg = standby["background"].set_index("way").loc["outbound"]
    assert bg["turned_away"] > 0.3 * bg["arrived"]  # the deck leaves room for few
    assert bg["boarded"] + bg["turned_away"] + bg["waiting_at_end"] == bg["arrived"]
    assert 0 < bg["wait_p90_h"] <= 24 + 1e-9


def test_background_entries_of_one_direction_must_share_their_boarding_rule():
    sc = corridor([EAST])
    svc = sc.services["ferry"].model_dump(by_alias=True, exclude_none=True)
    svc["background"] = [{"id": "a", "units_per_day": 1, "boards": "standby"},
                         {"id": "b", "units_per_day": 1}]
    from corridor_sim.scenario.models import Service
    from corridor_sim.scenario.semantics import check_background

    problems = check_background("ferry", Service.model_validate(svc))
    assert any("share boards and max_wait_h" in p.message for p in problems)


def test_standby_traffic_alone_one_way_does_not_hold_the_vessels_there():
    # cargo crosses outbound only; standby trucks cross back: a vessel at the far port
    # loads the trucks waiting there and sails at once, so the cargo waits as it does
    # with no trucks at all (a vessel that waited there for a fill would keep the cargo
    # waiting about 15 h more)
    def waiting(background):
        _, tables = _run(background)
        c = tables["consignments"]
        return c.loc[c["delivered_h"].notna() & ~c["warmup"], "waiting_h"].mean(), tables

    none, _ = waiting([])
    trucks, tables = waiting([{"id": "back", "direction": "return", "units_per_day": 10,
                               "teu_per_unit": 2.0, "boards": "standby", "max_wait_h": 48}])
    assert trucks < none + 1.0
    back = tables["background"].set_index("way").loc["return"]
    assert back["boarded"] > 0.9 * back["arrived"]
