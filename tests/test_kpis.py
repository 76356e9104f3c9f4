"""KPI functions on small hand-made tables (answers worked out by hand in the comments)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from corridor_sim import kpis

NAN = float("nan")


def _cons():
    # created, delivered (h): #0 warm-up delivery, #1/#2 delivered, #3 still in the system
    return pd.DataFrame({
        "flow": ["f", "f", "g", "g"], "origin": ["a", "a", "a", "b"],
        "destination": ["c", "c", "c", "c"], "teu": [1.0, 1.0, 2.0, 2.0],
        "tons": [10.0, 20.0, 60.0, 60.0],
        "created_h": [-10.0, 0.0, 5.0, 20.0], "delivered_h": [-5.0, 24.0, 53.0, NAN],
        "transit_h": [5.0, 24.0, 48.0, NAN],
        **{f"{c}_h": [0.0, 0.0, 0.0, 0.0] for c in kpis.CATEGORIES},
    })


def test_delivered_excludes_warmup_and_counts_it_separately():
    c = _cons()
    assert list(kpis.delivered(c).index) == [1, 2]
    assert kpis.warmup_deliveries(c) == {"consignments": 1, "tons": 10.0}
    assert kpis.tons_delivered(c) == 80.0


def test_transit_by_od_days():
    t = kpis.transit_by_od(_cons())
    row = t[(t.origin == "a") & (t.destination == "c")].iloc[0]
    # a->c delivered: 24 h and 48 h = 1 and 2 days
    assert row["n"] == 2 and row["mean_days"] == 1.5 and row["max_days"] == 2.0
    assert row["p50_days"] == 1.5 and row["p10_days"] == pytest.approx(1.1)
    assert list(kpis.transit_days(_cons(), "a", "c")) == [1.0, 2.0]


def test_throughput_by_month_uses_delivery_month_and_averages_replications():
    c = _cons()
    c.loc[2, "delivered_h"] = 24 * 40.0  # 10 February
    t = kpis.throughput_by_month(c, dt.date(2023, 1, 1))
    assert list(t["month"]) == [pd.Timestamp("2023-01-01"), pd.Timestamp("2023-02-01")]
    assert list(t["tons"]) == [20.0, 60.0] and list(t["teu"]) == [1.0, 2.0]
    two = pd.concat([c.assign(replication=0), c.assign(replication=1)])
    assert list(kpis.throughput_by_month(two, dt.date(2023, 1, 1))["tons"]) == [20.0, 60.0]


def test_backlog_over_time_and_at_end():
    b = kpis.backlog_over_time(_cons(), end_h=30.0, step_h=10.0)
    # t=0: #1 created, #0 delivered -> 1 (20 t); t=10: #1, #2 -> 2 (80 t);
    # t=20: #1, #2, #3 -> 3 (140 t); t=30: #1 delivered at 24 -> 2 (120 t)
    assert list(b["t_h"]) == [0.0, 10.0, 20.0, 30.0]
    assert list(b["consignments"]) == [1, 2, 3, 2]
    assert list(b["tons"]) == [20.0, 80.0, 140.0, 120.0]
    assert kpis.backlog_end(_cons(), 30.0) == {"consignments": 2, "tons": 120.0}


def _mov():
    rows = [  # batch, kind, segment, place, activity, category, start, end, unit_hours, tons, units
        (0, "train", "rail:a>b", "a", "assemble", "consolidation", 0, 6, 30, 100, 5),
        (0, "train", "rail:a>b", "a-b", "slot", "waiting", 6, 8, 10, 100, 5),
        (0, "train", "rail:a>b", "a-b", "run", "moving", 8, 18, 50, 100, 5),
        (0, "train", "rail:a>b", "b", "queue", "border", 18, 20, 10, 100, 5),
        (0, "train", "rail:a>b", "b", "process", "border", 20, 32, 60, 100, 5),
        (1, "train", "rail:a>b", "a-b", "run", "moving", 30, 40, 50, 50, 5),
        (2, "vessel", "sea:svc", "svc", "await_vessel", "waiting", 30, 33, 30, 200, 10),
        (2, "vessel", "sea:svc", "svc", "sail", "moving", 33, 43, 100, 200, 10),
        (3, "train", "rail:a>b", "a-b", "run", "moving", -20, -10, 50, 70, 5),  # warm-up
    ]
    df = pd.DataFrame(rows, columns=["batch_id", "kind", "segment", "place", "activity",
                                     "category", "start_h", "end_h", "unit_hours", "tons",
                                     "units"])
    return df.assign(teu=df["units"] * 1.0)


def test_throughput_and_mean_wait_per_leg():
    t = kpis.throughput_by_leg(_mov()).set_index("leg")
    # a-b: trains of 100 t and 50 t after warm-up; 10 consignment-hours of slot waiting
    # for 10 consignments -> 1 h each. svc: one 200 t load, 30 h waited by 10 -> 3 h.
    assert t.loc["a-b", "tons"] == 150.0 and t.loc["a-b", "batches"] == 2
    assert t.loc["a-b", "mean_wait_h"] == 1.0 and t.loc["a-b", "mode"] == "rail"
    assert t.loc["svc", "tons"] == 200.0 and t.loc["svc", "mean_wait_h"] == 3.0
    assert t.loc["svc", "mode"] == "sea" and t.loc["a-b", "mean_run_h"] == 10.0


def test_bottlenecks_and_delay_by_place():
    b = kpis.bottlenecks(_mov()).set_index("place")
    # waiting: a 30 (assemble), svc 30, a-b 10, b 10 -> total 80;
    # all delay (not moving): 30 + 10 + 10 + 60 + 30 = 140
    assert b["unit_hours"].to_dict() == {"a": 30, "svc": 30, "a-b": 10, "b": 10}
    assert b.loc["a", "share"] == 30 / 80 and b.loc["b", "share_of_delay"] == 10 / 140
    assert b.loc["b", "delay_hours"] == 70
    d = kpis.delay_by_place(_mov()).set_index("place")
    assert d.loc["b", "border"] == 70 and d.loc["b", "total"] == 70
    assert d.loc["a", "consolidation"] == 30 and d.index[0] == "b"


SCENARIO = {"name": "s", "start_date": "2023-01-01", "horizon_days": 20 / 24,
            "nodes": {"n": {"kind": "border", "country": "KZ", "lon": 0, "lat": 0,
                            "tracks": 2},
                      "m": {"kind": "port", "country": "AZ", "lon": 1, "lat": 0}},
            "services": {"svc": {"from": "n", "to": "m", "vessels": 4}}}


def test_resource_stats_are_time_weighted():
    res = pd.DataFrame({
        "resource": ["n"] * 4 + ["n", "n", "svc"],
        "metric": ["tracks_busy"] * 4 + ["trains_queued"] * 2 + ["vessels_loaded"],
        "t_h": [-5.0, 10.0, 15.0, 40.0, 2.0, 12.0, 5.0],
        "value": [1.0, 2.0, 0.0, 1.0, 3.0, 0.0, 2.0]})
    st = kpis.resource_stats(res, SCENARIO).set_index("resource")
    # tracks busy on [0, 20): 1 for 10 h, 2 for 5 h, 0 for 5 h -> mean 1.0 of 2 tracks
    assert st.loc["n", "busy_mean"] == pytest.approx(1.0)
    assert "utilisation" not in st.columns  # one definition: kpis.utilisation
    assert st.loc["n", "busy_max"] == 2.0
    # queue: 0 for 2 h, 3 for 10 h, 0 for 8 h -> 1.5; max 3
    assert st.loc["n", "trains_queued_mean"] == pytest.approx(1.5)
    assert st.loc["n", "trains_queued_max"] == 3.0
    # vessels loaded: 0 for 5 h, 2 for 15 h -> 1.5 of 4 vessels
    assert st.loc["svc", "busy_mean"] == pytest.approx(1.5)
    assert st.loc["m", "busy_mean"] == 0.0
    series = kpis.resource_series(res, "tracks_busy", end_h=20.0, step_h=10.0)
    assert list(series["n"]) == pytest.approx([1.0, 1.0])  # [0,10): 1; [10,20): 2,0 halves


def test_kpi_differences_of_a_run_with_itself_are_zero():
    k = pd.DataFrame({"replication": [0, 1, 0, 1], "kpi": ["x", "x", "y", "y"],
                      "group": "all", "unit": "t", "value": [1.0, 3.0, 5.0, 5.0]})
    d = kpis.kpi_differences({"a": k, "b": k})
    assert (d["diff"] == 0).all() and (d["rel_diff"] == 0).all()
    # x varies between replications: an interval centred on 0; y does not: exactly 0
    assert list(d["ci_low"] + d["ci_high"]) == [0.0, 0.0]
    assert d["ci_low"].iloc[0] < 0 and d["ci_low"].iloc[1] == 0.0


def test_kpi_difference_interval_matches_welch():
    base = pd.DataFrame({"kpi": "x", "group": "all", "unit": "t", "value": [1.0, 3.0, 2.0]})
    other = base.assign(value=[2.0, 6.0, 7.0])
    d = kpis.kpi_differences({"a": base, "b": other}).iloc[0]
    ci = stats.ttest_ind([2.0, 6.0, 7.0], [1.0, 3.0, 2.0], equal_var=False).confidence_interval()
    assert d["diff"] == 3.0
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((ci.low, ci.high))
    one = kpis.kpi_differences({"a": base.iloc[:1], "b": other.iloc[:1]}).iloc[0]
    assert np.isnan(one["ci_low"]) and one["diff"] == 1.0


@pytest.mark.parametrize("shuffled", [False, True])
def test_resource_series_are_split_as_a_stable_sort_by_labels_and_time_would(shuffled):
    """The series of a resources table (as written: each in time order, or with rows
    shuffled) are those of a stable sort by replication, resource, metric and time; rows
    at equal times keep their table order."""
    from corridor_sim.kpis.resources import _series

    rng = np.random.default_rng(7)
    n = 400
    df = pd.DataFrame({"replication": rng.integers(0, 3, n) * 5,
                       "resource": rng.choice(["b", "a", "c"], n),
                       "metric": rng.choice(["tracks_busy", "teu_waiting"], n),
                       "t_h": rng.integers(0, 40, n).astype(float),  # ties within series
                       "value": np.arange(n, dtype=float)})  # tells the rows apart
    if not shuffled:  # each series in time order, series interleaved
        df = df.sort_values("t_h", kind="stable").reset_index(drop=True)
    expected = df.sort_values(["replication", "resource", "metric", "t_h"], kind="stable")
    got = list(_series(df))
    groups = list(expected.groupby(["replication", "resource", "metric"], sort=True))
    assert [k for k, _t, _v in got] == [k for k, _g in groups]
    for (_k, t, v), (_k2, g) in zip(got, groups):
        assert list(t) == list(g["t_h"]) and list(v) == list(g["value"])


def test_summary_lines_list_pairs_in_order_and_say_when_fewer_replications_count():
    from corridor_sim.kpis import ci_summary_lines

    def row(kpi, group, mean, n):
        return {"kpi": kpi, "group": group, "unit": "d", "mean": mean, "sd": 0.1, "n": n,
                "ci_low": mean - 1, "ci_high": mean + 1}

    summary = pd.DataFrame([row("tons_delivered", "all", 2e6, 3),
                            row("transit_p50_days", "xian->istanbul", 12.0, 3),
                            row("transit_p50_days", "class:block", 13.0, 3),
                            row("transit_p50_days", "istanbul->xian", 23.0, 2)])
    lines = ci_summary_lines(summary)
    transit = [line.strip() for line in lines if "median" in line]
    assert [line.split(":")[0] for line in transit] == [
        "istanbul → xian", "xian → istanbul", "block"]
    assert transit[0].endswith(", in 2 of 3 replications")
    assert not transit[1].endswith("replications")
