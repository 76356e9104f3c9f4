"""One definition of utilisation (busy time) and a separate load factor, the same in the
run summary, report.md, run.json, the KPIs, the utilisation plot and
``Results.utilisation()``; rail lines (slot occupancy) and fleets of wagons, platforms and
containers (share of unit-time not idle) included everywhere."""

import json
import re

import pandas as pd
import pytest

import corridor_sim as cs
from corridor_sim import kpis
from corridor_sim.cli import main

from .factories import BASELINE, node


def test_definitions_on_a_hand_made_movements_table():
    sc = {"name": "u", "start_date": "2023-01-01", "horizon_days": 1,
          "nodes": {"a": node("terminal", tracks=2), "p": node("port", berths=1),
                    "q": node("port", berths=2)},
          "legs": [{"from": "a", "to": "p", "distance_km": 10, "speed_kmh": 10,
                    "trains_per_day": 4, "max_train_teu": 50}],
          "services": {"s": {"from": "p", "to": "q", "vessels": 2, "capacity_teu": 100,
                             "distance_km": 100, "speed_kn": 10}}}

    def row(batch, kind, segment, place, activity, t0, t1, teu):
        return (batch, kind, segment, place, activity, t0, t1, teu)

    mov = pd.DataFrame([
        row(0, "train", "rail:a>p", "a", "process", -5.0, 6.0, 40),  # 6 h inside
        row(0, "train", "rail:a>p", "a-p", "run", 6.0, 7.0, 40),
        row(1, "train", "rail:a>p", "a-p", "run", 12.0, 13.0, 20),
        row(2, "vessel", "sea:s", "p", "load", 0.0, 2.0, 80),
        row(2, "vessel", "sea:s", "s", "sail", 2.0, 8.0, 80),
        row(2, "vessel", "sea:s", "q", "unload", 8.0, 10.0, 80),
    ], columns=["batch_id", "kind", "segment", "place", "activity", "start_h", "end_h",
                "teu"])
    u = kpis.utilisation(mov, sc).set_index(["kind", "resource"])
    assert u.loc[("node", "a"), "utilisation"] == pytest.approx(6 / 48)
    # two trains x 6 h headway over 24 h; trains 40 and 20 TEU of 50
    assert u.loc[("line", "a-p"), "utilisation"] == pytest.approx(2 * 6 / 24)
    assert u.loc[("line", "a-p"), "load_factor"] == pytest.approx(0.6)
    assert u.loc[("berths", "p"), "utilisation"] == pytest.approx(2 / 24)
    assert u.loc[("berths", "q"), "utilisation"] == pytest.approx(2 / 48)
    # voyage 0-10 h plus the empty return as long as the crossing (6 h), of 2 x 24 h
    assert u.loc[("fleet", "s"), "utilisation"] == pytest.approx(16 / 48)
    assert u.loc[("fleet", "s"), "load_factor"] == pytest.approx(0.8)
    assert pd.isna(u.loc[("node", "a"), "load_factor"])
    # two identical replications: the same figures, per replication
    two = pd.concat([mov.assign(replication=0), mov.assign(replication=1)])
    pd.testing.assert_frame_equal(kpis.utilisation(two, sc), kpis.utilisation(mov, sc))


def test_a_fleet_of_wagons_is_busy_when_its_units_are_not_idle():
    """Utilisation of a fleet of wagons, platforms or containers: the share of its
    unit-time in use or running empty (1 - idle_share), per replication on average,
    ranked with the other resources."""
    sc = {"name": "u", "start_date": "2023-01-01", "horizon_days": 1,
          "nodes": {"a": node("terminal", tracks=2)}}
    mov = pd.DataFrame([(0, "train", "rail:a>b", "a", "process", 0.0, 12.0, 40)],
                       columns=["batch_id", "kind", "segment", "place", "activity",
                                "start_h", "end_h", "teu"])  # node a: 12 of 48 h busy
    fleets = pd.DataFrame({
        "replication": [0, 1, 0], "fleet": ["w", "w", "boxes"],
        "kind": ["wagon", "wagon", "container"], "unit": ["wagon", "wagon", "TEU"],
        "size": [10, 10, 50], "repositioning": "return_empty", "loaded_trips": [4, 6, 9],
        "in_use_share": [0.5, 0.6, 0.1], "empty_share": [0.2, 0.2, 0.0],
        "idle_share": [0.3, 0.2, 0.9], "empty_trips": 0, "empty_unit_km": 0.0,
        "turnaround_days": 1.0})
    u = kpis.utilisation(mov, sc, fleets=fleets)
    assert list(zip(u["kind"], u["resource"])) == [
        ("stock", "w"), ("node", "a"), ("stock", "boxes")]
    w = u.set_index("resource").loc["w"]
    assert w["utilisation"] == pytest.approx(0.75)  # not idle: 0.7 and 0.8 of the time
    assert (w["name"], w["capacity"], w["capacity_unit"]) == ("w", 10, "wagons")
    assert w["busy_h"] == pytest.approx(0.75 * 10 * 24) and w["capacity_h"] == 240
    assert pd.isna(w["load_factor"]) and pd.isna(w["departures"])
    assert u.set_index("resource").loc["boxes", "capacity_unit"] == "TEU"
    # the other resources are those without fleets; a run without fleets has no rows
    pd.testing.assert_frame_equal(u[u["kind"] != "stock"].reset_index(drop=True),
                                  kpis.utilisation(mov, sc))
    pd.testing.assert_frame_equal(kpis.utilisation(mov, sc, fleets=fleets.iloc[:0]),
                                  kpis.utilisation(mov, sc))
    with pytest.raises(ValueError, match="measured period"):  # the table has no window
        kpis.utilisation(mov, sc, 0.0, 12.0, fleets=fleets)


def _percent(text: str) -> float:
    return float(text.rstrip("%")) / 100


def _report_rows(report: str) -> dict[str, float]:
    """Busiest-resources table of report.md: name -> utilisation."""
    part = report.split("### Busiest resources", 1)[1].split("\n### ", 1)[0]
    rows = [r.split("|")[1:-1] for r in part.splitlines() if r.startswith("| ")]
    head = [c.strip() for c in rows[0]]
    return {r[0].strip(): _percent(r[head.index("utilisation")].strip()) for r in rows[1:]}


def test_summary_report_plot_and_api_agree_on_the_busiest_resource(tmp_path, capsys):
    """At 1.5 x demand the Kazakh wagons run out (none idle) before any line, berth or
    vessel: the summary, the report, run.json, the KPIs and the plot all name the fleet
    first, and agree on the resources after it (the Kuryk vessels: the summary once said
    99 % and the rest 62 %)."""
    out = tmp_path / "x15"
    assert main(["run", str(BASELINE), "--set", "demand.scale=1.5", "--horizon-days", "120",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    m = re.search(r"busiest resource: (\w+) (.+?) \(utilisation (\d+)%\)", printed)
    assert m, printed
    kind, name, pct = m.group(1), m.group(2), int(m.group(3)) / 100
    res = cs.load_results(out)
    u = res.utilisation()
    top = u.iloc[0]
    assert (top["kind"], top["name"]) == (kind, name)
    assert round(top["utilisation"], 2) == pytest.approx(pct)
    # the fleet with no unit idle is the busiest resource
    idle = res.tables["fleets"].set_index("fleet")["idle_share"]
    assert idle.min() < 0.01
    assert (kind, top["resource"], name) == ("stock", idle.idxmin(), idle.idxmin())
    assert top["utilisation"] == pytest.approx(1 - idle.min())
    report = (out / "report.md").read_text()
    assert f"busiest resource: {name} ({kind}, utilisation {pct:.0%})" in report
    rows = _report_rows(report)
    meta = json.loads((out / "run.json").read_text())
    busiest = meta["overload"]["busiest"]
    k = res.kpis.set_index(["kpi", "group"])
    ax = res.plot.utilisation().axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    widths = dict(zip(labels, (p.get_width() for p in ax.patches)))
    assert list(rows)[:3] == [b["name"] for b in busiest] == list(u["name"][:3])
    for r, b in zip(u.head(3).itertuples(), busiest):
        assert (b["kind"], b["resource"]) == (r.kind, r.resource)
        assert b["utilisation"] == pytest.approx(r.utilisation, abs=1e-4)
        assert rows[r.name] == pytest.approx(r.utilisation, abs=0.0051)
        assert k.loc[("utilisation", f"{r.kind}:{r.resource}"), "mean"] == pytest.approx(
            r.utilisation)
        assert widths[r.name] == pytest.approx(100 * r.utilisation)


def test_a_saturated_line_shows_everywhere(tmp_path):
    """A line with 2 trains a day carrying 3 trains' worth of cargo: it is the bottleneck,
    and it appears in the utilisation table, the report and the plot."""
    sc = {"name": "one_line", "start_date": "2023-01-01", "horizon_days": 40,
          "warmup_days": 5, "seed": 3,
          "nodes": {"a": node("terminal", name="Alpha",
                              depart={"when_full": 1.0, "max_wait_h": 1e6}),
                    "b": node("terminal", name="Beta")},
          "legs": [{"from": "a", "to": "b", "distance_km": 100, "speed_kmh": 50,
                    "trains_per_day": 2, "max_train_teu": 50}],
          "flows": [{"id": "f", "from": "a", "to": "b", "tons_per_unit": 20,
                     "tons_per_year": 3 * 50 * 20 * 365}]}
    path = tmp_path / "line.yaml"
    path.write_text(json.dumps(sc))
    out = tmp_path / "res"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    res = cs.load_results(out)
    u = res.utilisation()
    top = u.iloc[0]
    assert (top["kind"], top["resource"], top["name"]) == ("line", "a-b", "Alpha – Beta")
    assert top["utilisation"] > 0.95 and top["load_factor"] == pytest.approx(1.0)
    assert "Alpha – Beta" in _report_rows((out / "report.md").read_text())
    labels = [t.get_text() for t in res.plot.utilisation().axes[0].get_yticklabels()]
    assert "Alpha – Beta" in labels
    meta = json.loads((out / "run.json").read_text())
    assert meta["overload"]["busiest"][0]["kind"] == "line"
