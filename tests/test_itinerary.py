"""The itinerary table: one row per consignment per node passed, with the batch it left on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import corridor_sim as cs
from corridor_sim import kpis, report
from corridor_sim.experiment import run_single
from corridor_sim.scenario import ScenarioError, load_scenario, with_overrides

from .test_trip_times import fixed_line

GOLDEN = load_scenario(__import__("pathlib").Path(__file__).parent / "golden" / "corridor.yaml")


@pytest.fixture(scope="module")
def golden_tables():
    tables, _ = run_single(GOLDEN)
    return tables


def test_first_arrival_is_creation_and_last_departure_delivery(golden_tables):
    c, it = golden_tables["consignments"], golden_tables["itinerary"]
    assert set(it["consignment_id"]) == set(c["consignment_id"])
    g = it.groupby("consignment_id")
    first = g["arrived_h"].first().reindex(c["consignment_id"]).to_numpy()
    assert np.array_equal(first, c["created_h"].to_numpy())
    done = c[c["delivered_h"].notna()]
    assert len(done) > 1000
    last_row = g.tail(1).set_index("consignment_id")["departed_h"]  # NaN kept
    last = last_row.reindex(done["consignment_id"]).to_numpy()
    assert np.array_equal(last, done["delivered_h"].to_numpy())
    # consignments still under way have no departure from the node they are at
    open_ = c.loc[c["delivered_h"].isna(), "consignment_id"]
    assert len(open_) > 0
    assert last_row.reindex(open_).isna().all()


def test_times_ordered_and_nodes_in_route_order(golden_tables):
    c, it = golden_tables["consignments"], golden_tables["itinerary"]
    assert (it["departed_h"].isna() | (it["departed_h"] >= it["arrived_h"])).all()
    nxt = it.groupby("consignment_id")["arrived_h"].shift(-1)
    assert (nxt.isna() | (nxt >= it["departed_h"])).all()
    assert (it.groupby("consignment_id")["seq"].diff().dropna() == 1).all()
    routes = {f.id: f.route for f in GOLDEN.flows}
    flow = c.set_index("consignment_id")["flow"].astype(str)
    nodes = it.groupby("consignment_id")["node"].agg(lambda s: list(s.astype(str)))
    done = c.loc[c["delivered_h"].notna(), "consignment_id"]
    assert all(nodes[i] == routes[flow[i]] for i in done)
    under_way = c.loc[c["delivered_h"].isna(), "consignment_id"]
    assert all(nodes[i] == routes[flow[i]][:len(nodes[i])] for i in under_way)


def test_manifest_sizes_match_movements(golden_tables):
    it, m = golden_tables["itinerary"], golden_tables["movements"]
    units = m.groupby("batch_id")["units"].first()
    per_batch = it[it["batch_id"] >= 0].groupby("batch_id")["consignment_id"].nunique()
    assert per_batch.index.equals(units.index)
    assert (per_batch == units).all()
    # a consignment leaves its first node of a batch on the batch formed there
    boarded = it["batch_id"] != it.groupby("consignment_id")["batch_id"].shift(1)
    rows = it[boarded & (it["batch_id"] >= 0)].merge(
        m.groupby("batch_id")["place"].first().rename("formed_at"), on="batch_id")
    port = {name: svc.from_ for name, svc in GOLDEN.services.items()}
    start = rows["formed_at"].map(lambda p: port.get(p, p))
    assert (rows["node"].astype(str) == start).all()


def test_fixed_times_by_hand():
    """a -> b by train (loaded 6 h, 2 h run, 4 h at b), b -> c by ship (2 h loading,
    10 h sailing, 5 h unloading)."""
    tables, _ = run_single(fixed_line(sea=True))
    it, c = tables["itinerary"], tables["consignments"]
    done = c.loc[c["delivered_h"] >= 0, ["consignment_id", "created_h"]]
    rows = it.merge(done, on="consignment_id")
    wide = rows.pivot(index="consignment_id", columns="node", values=["arrived_h",
                                                                         "departed_h"])
    t0 = done.set_index("consignment_id")["created_h"].reindex(wide.index)
    assert np.allclose(wide[("arrived_h", "a")] - t0, 0.0)
    assert np.allclose(wide[("departed_h", "a")] - t0, 6.0)
    assert np.allclose(wide[("arrived_h", "b")] - t0, 8.0)
    assert np.allclose(wide[("departed_h", "b")] - t0, 14.0)
    assert np.allclose(wide[("arrived_h", "c")] - t0, 24.0)
    assert np.allclose(wide[("departed_h", "c")] - t0, 29.0)


def test_itinerary_can_be_turned_off():
    tables, _ = run_single(with_overrides(fixed_line(), {"outputs.itinerary": False}))
    assert "itinerary" not in tables
    assert len(tables["consignments"]) > 0


# -- transit between any two nodes ---------------------------------------------------------

def test_leg_transit_between_the_ends_is_the_door_to_door_transit(golden_tables):
    c, it = golden_tables["consignments"], golden_tables["itinerary"]
    for flow in GOLDEN.flows:
        got = kpis.leg_transit_h(it, flow.from_, flow.to)
        d = kpis.delivered(c)
        d = d[d["flow"] == flow.id].set_index("consignment_id")["transit_h"]
        mine = got.set_index("consignment_id")["hours"]
        # consignments of other flows passing both ends count to their arrival there
        assert mine.reindex(d.index).to_numpy() == pytest.approx(d.to_numpy())
        assert len(d) > 100


def test_transit_days_by_hand_on_a_fixed_time_corridor():
    """a -> b by train (loaded 6 h, 2 h run), unloaded 4 h at b, shipped b -> c (ship
    loads 2 h, sails 10 h, unloads 5 h): a -> c 29 h door to door; b -> c 21 h from the
    train's arrival at b to delivery at c; a -> b 8 h to the train's arrival."""
    sc = with_overrides(fixed_line(sea=True), {"report.legs_of_interest": [["a", "b"],
                                                                           ["b", "c"]]})
    res = cs.run(sc, backend="serial")
    assert res.transit_days("a", "c").to_numpy() == pytest.approx(29.0 / 24)
    assert res.transit_days("b", "c").to_numpy() == pytest.approx(21.0 / 24)
    assert res.transit_days("a", "b").to_numpy() == pytest.approx(8.0 / 24)
    assert len(res.transit_days("b", "c")) > 100
    assert len(res.transit_days("c", "b")) == 0  # wrong order: nobody
    legs = res.legs()
    assert list(legs["p50_days"]) == pytest.approx([8.0 / 24, 21.0 / 24])
    assert "Transit between chosen nodes" in report.render(res.tables, res.scenario)


def test_intermediate_transit_needs_the_itinerary():
    sc = with_overrides(fixed_line(sea=True), {"outputs.itinerary": False})
    res = cs.run(sc, backend="serial")
    assert len(res.transit_days("a", "c")) > 100  # an O-D pair still works
    with pytest.raises(ValueError, match="itinerary"):
        res.transit_days("b", "c")


def test_replicated_runs_keep_replications_apart(golden_tables):
    it = golden_tables["itinerary"]
    two = pd.concat([it, it.assign(replication=1)], ignore_index=True)
    one = kpis.leg_transit_h(it, "khorgos", "alat")
    both = kpis.leg_transit_h(two, "khorgos", "alat")
    assert len(both) == 2 * len(one) > 100
    expect = pd.concat([one, one.assign(replication=1)], ignore_index=True)
    pd.testing.assert_frame_equal(both.reset_index(drop=True), expect[both.columns])
    assert list(both.columns) == ["replication", "consignment_id", "hours"]


def test_unknown_leg_of_interest_is_a_scenario_error():
    with pytest.raises(ScenarioError, match="report.legs_of_interest.0.1"):
        with_overrides(fixed_line(), {"report.legs_of_interest": [["a", "nowhere"]]})
