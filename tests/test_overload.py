"""Overload honesty: more demand than capacity gives a growing backlog, a saturated
resource and a warning, never more deliveries than the capacity allows."""

import json

import numpy as np
import pandas as pd
import pytest

from corridor_sim import kpis
from corridor_sim.cli import main
from corridor_sim.experiment import run_single
from corridor_sim.overload import backlog_at, overload_report, utilisation
from corridor_sim.scenario import Scenario

from .factories import baseline

DWELL_H = 10.0
TRAIN_TEU = 50
TONS_PER_UNIT = 20.0
TRAIN_TONS = TRAIN_TEU * TONS_PER_UNIT  # 1000 t per full train


def one_border(load: float, days: float = 60) -> Scenario:
    """The scenario of :func:`one_border_dict`, validated."""
    return Scenario.model_validate(one_border_dict(load, days))


def one_border_dict(load: float, days: float = 60) -> dict:
    """Terminal -> border (1 track, 10 h per train) -> terminal, trains of 50 TEU leaving
    only when full. The border handles at most 2.4 trains (2400 t) a day; demand is
    ``load`` times that."""
    tons_per_year = load * 24.0 / DWELL_H * TRAIN_TONS * 365
    node = {"country": "XX", "lon": 0, "lat": 0}
    return {
        "name": "one_border", "start_date": "2023-01-01", "horizon_days": days,
        "warmup_days": 5, "seed": 11,
        "nodes": {"a": {"kind": "terminal", **node,
                        "depart": {"when_full": 1.0, "max_wait_h": 1e6}},
                  "b": {"kind": "border", **node, "tracks": 1, "dwell_h": DWELL_H},
                  "c": {"kind": "terminal", **node}},
        "legs": [{"from": "a", "to": "b", "distance_km": 100, "speed_kmh": 50,
                  "max_train_teu": TRAIN_TEU},
                 {"from": "b", "to": "c", "distance_km": 100, "speed_kmh": 50,
                  "max_train_teu": TRAIN_TEU}],
        "flows": [{"id": "f", "from": "a", "to": "c", "via": ["b"],
                   "tons_per_unit": TONS_PER_UNIT, "tons_per_year": tons_per_year}],
    }


@pytest.fixture(scope="module")
def overloaded():
    sc = one_border(load=2.0)
    return sc, run_single(sc)[0]


def test_deliveries_never_exceed_the_border_capacity(overloaded):
    sc, tables = overloaded
    end_h = sc.horizon_days * 24.0
    delivered = kpis.tons_delivered(tables["consignments"], 0.0, end_h)
    capacity = (end_h / DWELL_H + 1) * TRAIN_TONS  # one train per 10 h, plus one in hand
    assert delivered <= capacity
    assert delivered > 0.9 * end_h / DWELL_H * TRAIN_TONS  # and the border kept working


def test_overload_is_detected_at_the_saturated_border(overloaded):
    sc, tables = overloaded
    rep = overload_report(tables, sc)
    assert rep.growing
    assert rep.backlog_start < rep.backlog_mid < rep.backlog_end
    top = rep.busiest.iloc[0]
    assert (top["resource"], top["kind"]) == ("b", "node")
    assert top["utilisation"] > 0.95
    line = rep.lines()[0]
    assert line.startswith(f"OVERLOADED: backlog grew from {rep.backlog_start} to "
                           f"{rep.backlog_end} consignments")
    assert "node b (utilisation" in line


def test_no_overload_below_capacity():
    sc = one_border(load=0.5)
    tables, _ = run_single(sc)
    rep = overload_report(tables, sc)
    assert not rep.growing
    assert not any(line.startswith("OVERLOADED") for line in rep.lines())
    border = rep.busiest.set_index("resource").loc["b", "utilisation"]
    assert 0.3 < border < 0.7  # about half the capacity is used


def test_backlog_agrees_with_kpis(overloaded):
    sc, tables = overloaded
    cons = tables["consignments"]
    end_h = sc.horizon_days * 24.0
    assert backlog_at(cons, end_h)[0] == kpis.backlog_end(cons, end_h)["consignments"]
    t = np.linspace(0, end_h, 7)
    expected = [((cons["created_h"] <= x) & ~(cons["delivered_h"] <= x)).sum() for x in t]
    assert backlog_at(cons, t).tolist() == expected


def test_utilisation_within_bounds_on_the_baseline():
    sc = baseline(horizon_days=60, warmup_days=10)
    tables, _ = run_single(sc)
    u = utilisation(tables["movements"], sc, 0.0, sc.horizon_days * 24.0,
                    fleets=tables["fleets"])
    assert set(u["kind"]) == {"node", "line", "berths", "fleet", "stock"}
    assert set(u.loc[u["kind"] == "stock", "resource"]) == set(sc.fleets)
    assert (u["utilisation"] >= 0).all()
    assert (u.loc[u["kind"] != "fleet", "utilisation"] <= 1 + 1e-9).all()
    assert not overload_report(tables, sc).growing


def test_run_command_warns_about_overload(tmp_path, capsys):
    out = tmp_path / "res"
    path = tmp_path / "over.yaml"
    path.write_text(json.dumps(one_border_dict(load=2.0)))  # JSON is YAML
    assert main(["run", str(path), "--out", str(out), "--no-plots"]) == 0
    printed = capsys.readouterr().out
    assert "OVERLOADED: backlog grew from" in printed
    assert "busiest resource: node b" in printed
    meta = json.loads((out / "run.json").read_text())
    assert meta["overload"]["growing"] is True
    assert meta["overload"]["busiest"][0]["resource"] == "b"


def test_baseline_at_four_times_demand_is_reported_overloaded():
    sc = baseline(horizon_days=120, warmup_days=10, **{"demand.scale": 4})
    tables, _ = run_single(sc)
    rep = overload_report(tables, sc)
    assert rep.growing and rep.backlog_end > rep.backlog_mid > rep.backlog_start
    # the 2023 fleets of wagons and boxes (sized for 2023) run out first: the fleet with
    # the fewest units idle is the busiest resource named
    idle = tables["fleets"].set_index("fleet")["idle_share"]
    assert idle.min() < 0.05, idle
    top = rep.busiest.iloc[0]
    assert (top["kind"], top["resource"]) == ("stock", idle.idxmin())
    assert top["utilisation"] == pytest.approx(1 - idle.min())
    assert f"busiest resource: stock {idle.idxmin()} (utilisation" in rep.lines()[0]
    assert rep.as_dict()["busiest"][0]["resource"] == idle.idxmin()


def test_kpis_say_whether_the_backlog_grows(overloaded):
    sc, tables = overloaded
    k = tables["kpis"]
    assert k.loc[k["kpi"] == "backlog_growing", "value"].item() == 1.0
    calm, _ = run_single(one_border(load=0.5))
    k = calm["kpis"]
    assert k.loc[k["kpi"] == "backlog_growing", "value"].item() == 0.0


def test_multi_replication_run_warns_about_overload(tmp_path, capsys):
    path = tmp_path / "over.yaml"
    path.write_text(json.dumps(one_border_dict(load=2.0)))
    assert main(["run", str(path), "--replications", "2", "--backend", "serial",
                 "--no-plots", "--out", str(tmp_path / "res")]) == 0
    assert "OVERLOADED: the backlog grows in 2 of 2 replications" in capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "res" / "kpis.csv")
    assert summary.loc[summary["kpi"] == "backlog_growing", "mean"].item() == 1.0


def _synthetic(created, delivered):
    return pd.DataFrame({"created_h": np.asarray(created, float),
                         "delivered_h": np.asarray(delivered, float)})


def test_a_peak_on_the_last_days_is_not_a_growing_backlog():
    """A stationary backlog (each consignment in the system 100 h) with a block of
    cargo created in the last two days and not yet delivered: the end point jumps, the
    trend over the second half does not."""
    from corridor_sim.kpis.backlog import backlog_trend

    end = 4000.0  # 167 days, a consignment every 2 h
    created = np.arange(0.0, end, 2.0)
    delivered = created + 100.0
    delivered[delivered > end] = np.nan
    spike = np.full(150, end - 30.0)
    cons = _synthetic(np.r_[created, spike], np.r_[delivered, np.full(150, np.nan)])
    start, mid, last, second, growing = backlog_trend(cons, end)
    assert last - mid > 0.05 * second  # what the end-point test used to call growth
    assert not growing
    # the same spike on a backlog that rises all through the second half is growth
    slow = created + 100.0 + np.where(created > end / 2, (created - end / 2), 0.0)
    slow[slow > end] = np.nan
    assert backlog_trend(_synthetic(created, slow), end)[-1]
