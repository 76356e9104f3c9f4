"""Tables built when first read (``cs.run``) are the tables built at once
(``experiment.run_single``), and KPIs computed for calibration targets only are those rows
of the full KPI table."""

import pandas as pd
import pytest

import corridor_sim as cs
from corridor_sim import kpis
from corridor_sim.calibrate import kpis_of, simulate_kpis, target_kpis
from corridor_sim.engine import simulate
from corridor_sim.experiment import run_single
from corridor_sim.results import build_tables
from corridor_sim.run_tables import ReplicatedTables, RunTables
from corridor_sim.scenario import load_scenario
from corridor_sim.seeds import load_targets, targets_for

from .factories import BASELINE, ROOT

SHORT = {"horizon_days": 40, "warmup_days": 10}
TARGETS = ROOT / "seeds" / "targets_2023.yaml"


def _eager(sc, replications: int) -> dict[str, pd.DataFrame]:
    reps = [run_single(sc, i)[0] for i in range(replications)]
    return {name: pd.concat([r[name] for r in reps], ignore_index=True) for name in reps[0]}


@pytest.mark.parametrize("path, replications", [
    (BASELINE, 2), (ROOT / "scenarios" / "china_europe_routes.yaml", 1)])
def test_tables_built_on_first_access_equal_tables_built_at_once(path, replications):
    sc = load_scenario(path, {**SHORT, "seed": 11})
    res = cs.run(sc, replications=replications, backend="serial", progress=False)
    assert isinstance(res.tables, ReplicatedTables)
    assert all(r.built() == [] for r in res.tables._reps)  # nothing built yet
    eager = _eager(sc, replications)
    assert list(res.tables) == list(eager)
    # the KPIs first (they build only what they read), then every table
    pd.testing.assert_frame_equal(res.kpis_by_replication, eager["kpis"], obj="kpis")
    assert "resources" not in res.tables._reps[0].built()
    for name, table in eager.items():
        pd.testing.assert_frame_equal(res.tables[name], table, obj=name)
    pd.testing.assert_frame_equal(res.kpis, cs.Results(eager, sc).kpis)


def test_one_replication_runs_in_process_and_matches_build_tables():
    sc = load_scenario(BASELINE, {**SHORT, "seed": 3})
    res = cs.run(sc, progress=False)  # default backend: one replication runs in process
    assert isinstance(res.tables._reps[0], RunTables)
    tables = build_tables(simulate(sc, 0))
    for name, table in tables.items():
        pd.testing.assert_frame_equal(res.tables[name].drop(columns="replication"), table,
                                      obj=name)
    assert res.tables["resources"] is res.resources  # built once


def test_kpi_table_only_gives_the_rows_of_the_full_table():
    sc = load_scenario(BASELINE, SHORT)
    tables = build_tables(simulate(sc, 0))
    full = kpis.kpi_table(tables, sc.start_date, sc.horizon_days * 24.0, scenario=sc)
    for names in ({"transit_p50_days", "tons_delivered_jan_sep"}, {"tons_delivered"},
                  {"utilisation", "delay_border_h", "route_share"}, set(full["kpi"])):
        part = kpis.kpi_table(tables, sc.start_date, sc.horizon_days * 24.0, scenario=sc,
                              only=names)
        want = full[full["kpi"].isin(names)].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, want)
    # (name, group) pairs: those rows only, with or without per-class groups
    pairs = list(zip(full["kpi"], full["group"]))
    for wanted in ({("transit_p50_days", "xian->istanbul"), ("tons_delivered", "all")},
                   {("transit_p50_days", "class:block"), ("utilisation", pairs[-1][1])},
                   {p for p in pairs if p[0] == "transit_p50_days"}):
        part = kpis.kpi_table(tables, sc.start_date, sc.horizon_days * 24.0, scenario=sc,
                              only=wanted)
        want = full[[p in wanted for p in pairs]].reset_index(drop=True)
        assert len(want), wanted
        pd.testing.assert_frame_equal(part, want)


def test_calibration_computes_only_the_targeted_kpis_and_they_equal_the_full_table():
    sc = load_scenario(BASELINE, {"horizon_days": 300, "warmup_days": 10})
    targets = targets_for(load_targets(TARGETS), "baseline_2023")
    names = target_kpis(targets)
    assert names == {(t.kpi.name, t.kpi.group) for t in targets}
    assert {n for n, _ in names} == {"transit_p50_days", "tons_delivered_jan_sep"}
    run = simulate(sc, 1)
    lazy = RunTables(run, kpi_names=names)
    targeted = lazy["kpis"]
    assert lazy.built() == ["consignments", "kpis"]  # no movements, resources, itinerary
    full = run_single(sc, 1)[0]["kpis"]
    pairs = pd.Series(list(zip(full["kpi"], full["group"])))
    want = full[pairs.isin(list(names)).to_numpy()].reset_index(drop=True)
    pd.testing.assert_frame_equal(targeted, want)
    pd.testing.assert_frame_equal(kpis_of(sc, 1, names), want)
    assert set(zip(targeted["kpi"], targeted["group"])) == names
    assert [len(k) for k in simulate_kpis(sc, 2, names=names)] == [len(want)] * 2


@pytest.mark.parametrize("path", [BASELINE, ROOT / "scenarios" / "china_europe_routes.yaml"])
def test_each_kpi_alone_reads_only_its_consignment_columns_and_equals_the_full_table(path):
    """A replication asked for some KPIs builds the consignments table with only the
    columns those KPIs read (kpis.consignment_columns): every KPI of the full table, asked
    for alone, comes out the same; and the narrow table holds the full table's values."""
    sc = load_scenario(path, {**SHORT, "seed": 5})
    run = simulate(sc, 0)
    full_tables = build_tables(run)
    full = kpis.kpi_table(full_tables, sc.start_date, sc.horizon_days * 24.0, scenario=sc)
    narrow_seen = False
    for name in full["kpi"].unique():
        lazy = RunTables(run, kpi_names=frozenset({name}))
        want = full[full["kpi"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(lazy.raw("kpis"), want, obj=name)
        cons = lazy.raw("consignments")
        narrow_seen |= len(cons.columns) < len(full_tables["consignments"].columns)
        pd.testing.assert_frame_equal(cons, full_tables["consignments"][list(cons.columns)],
                                      obj=f"consignments for {name}")
    assert narrow_seen
    cols = kpis.consignment_columns({("transit_p50_days", "xian->istanbul")})
    assert "cost_usd" not in cols and "departed_h" not in cols and "border_h" not in cols


@pytest.mark.parametrize("replications", [1, 2])
def test_editing_a_table_read_from_the_results_leaves_the_kpis_alone(replications):
    """A table read from ``Results`` is the reader's own: editing it in place (as a
    notebook might, say hours to days) changes neither the KPIs computed after it nor
    the tables built after it from the same run."""
    sc = load_scenario(BASELINE, {**SHORT, "seed": 5})
    fresh = cs.run(sc, replications=replications, backend="serial", progress=False)
    want = {"kpis": fresh.kpis_by_replication, "itinerary": fresh.tables["itinerary"]}
    res = cs.run(sc, replications=replications, backend="serial", progress=False)
    for name in ("consignments", "movements"):
        table = res.tables[name]
        for column in table.select_dtypes("number").columns.drop("replication"):
            table.loc[:, column] = 0  # written into the table's own arrays
    pd.testing.assert_frame_equal(res.kpis_by_replication, want["kpis"])
    pd.testing.assert_frame_equal(res.tables["itinerary"], want["itinerary"])
    # and the other way round: the KPIs first, then an edited table, then a table built
    # after it from the run
    res = cs.run(sc, replications=replications, backend="serial", progress=False)
    assert len(res.kpis_by_replication)
    res.tables["consignments"].loc[:, "transit_h"] = 0.0
    pd.testing.assert_frame_equal(res.tables["itinerary"], want["itinerary"])
    assert res.tables["consignments"]["transit_h"].eq(0.0).all()  # the edit stays
