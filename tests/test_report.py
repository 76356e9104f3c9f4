"""report.md tells the verdict first, what ran (overrides, description), demand offered
against delivered and the share undelivered, for single and replicated runs."""

import json

import pandas as pd
import pytest

import corridor_sim as cs
from corridor_sim.cli import main
from corridor_sim.report import Section, report_sections

from .test_overload import one_border_dict


def _run(tmp_path, load: float, *extra: str):
    path = tmp_path / "one_border.yaml"
    path.write_text(json.dumps(one_border_dict(load=load)))
    out = tmp_path / f"out{load}{'-'.join(extra)}"
    assert main(["run", str(path), "--out", str(out), "--no-plots", "--quiet",
                 *extra]) == 0
    return out


def _before(text: str, first: str, second: str) -> bool:
    return first in text and second in text and text.index(first) < text.index(second)


def test_overloaded_run_says_so_before_anything_else(tmp_path):
    out = _run(tmp_path, 2.0, "--set", "flows.f.tons_per_unit=20")
    text = (out / "report.md").read_text()
    body = text.split("\n", 2)[2]  # after the title
    assert body.startswith("**OVERLOADED**")
    assert _before(text, "**OVERLOADED**", "## What ran")
    assert _before(text, "## Demand offered and delivered", "Door-to-door transit")
    assert "still undelivered at the end, so they understate the wait" in text


def test_calm_run_says_not_overloaded(tmp_path):
    text = (_run(tmp_path, 0.5) / "report.md").read_text()
    assert text.split("\n", 2)[2].startswith("**Not overloaded**")
    assert "OVERLOADED" not in text


def test_overrides_are_recorded_and_the_description_is_labelled(tmp_path):
    out = _run(tmp_path, 0.5, "--set", "demand.scale=1.2", "--set",
               "description=Base case")
    meta = json.loads((out / "run.json").read_text())
    assert meta["overrides"] == {"demand.scale": 1.2, "description": "Base case"}
    text = (out / "report.md").read_text()
    assert "A variant of scenario `one_border` with overrides `demand.scale=1.2`" in text
    assert "as written in its file (before the overrides)" in text


def test_demand_offered_delivered_and_undelivered_add_up(tmp_path):
    out = _run(tmp_path, 2.0)
    res = cs.load_results(out)
    cons, end_h = res.consignments, res.horizon_h
    text = (out / "report.md").read_text()
    row = next(r for r in text.splitlines() if r.startswith("| all flows |"))
    cells = [c.strip() for c in row.split("|")[1:-1]]
    offered = cons.loc[(cons["created_h"] >= 0) & (cons["created_h"] < end_h), "tons"].sum()
    delivered = cons.loc[(cons["delivered_h"] >= 0) & (cons["delivered_h"] < end_h),
                         "tons"].sum()
    left = cons.loc[cons["delivered_h"].isna(), "tons"].sum()
    assert float(cells[1].replace(",", "")) == pytest.approx(offered / 1e3, abs=0.05)
    assert float(cells[2].replace(",", "")) == pytest.approx(delivered / 1e3, abs=0.05)
    assert float(cells[4].replace(",", "")) == pytest.approx(left / 1e3, abs=0.05)
    share = left / cons["tons"].sum()
    assert cells[5] == f"{share * 100:.0f}%"
    k = res.kpis.set_index(["kpi", "group"])
    assert k.loc[("undelivered_share_end", "all"), "mean"] == pytest.approx(share)


def test_replicated_run_writes_a_report_with_intervals(tmp_path):
    out = _run(tmp_path, 2.0, "--replications", "3", "--backend", "serial")
    text = (out / "report.md").read_text()
    assert text.split("\n", 2)[2].startswith("**OVERLOADED** in 3 of 3 replications")
    assert "3 replications" in text and "confidence intervals in brackets" in text
    row = next(r for r in text.splitlines() if r.startswith("| all flows |"))
    assert "[" in row.split("|")[2]  # offered tons with an interval


def test_sections_are_data(tmp_path):
    res = cs.load_results(_run(tmp_path, 2.0))
    secs = report_sections(res.tables, res.scenario, meta=res.meta)
    assert all(isinstance(s, Section) for s in secs)
    assert secs[0].level == 1 and secs[0].paragraphs[0].startswith("**OVERLOADED**")
    demand = next(s for s in secs if s.title == "Demand offered and delivered")
    assert isinstance(demand.table, pd.DataFrame) and demand.table.iloc[0, 0] == "all flows"


def test_the_verdict_never_calls_a_backlog_that_ends_higher_flat():
    from corridor_sim.report_verdict import verdict_text

    higher = verdict_text(0, 1, (2533, 2871, 4477), 0.05, "busiest resource: x")
    assert higher.startswith("**Not overloaded**")
    assert "does not grow" not in higher
    assert "no rising trend over the second half" in higher and "2,533 → 4,477" in higher
    assert "2,871 at mid-run" in higher
    flat = verdict_text(0, 1, (2533, 2600, 2400), 0.05, "busiest resource: x")
    assert "does not grow over the run (2,533 → 2,400 consignments)" in flat
    grown = verdict_text(2, 5, (2533, 3000, 6000), 0.2, "busiest resource: x")
    assert grown.startswith("**OVERLOADED** in 2 of 5 replications")


def test_quantities_agree_with_their_numbers():
    from corridor_sim.units import quantity

    assert quantity(1, "vessels") == "1 vessel"
    assert quantity(6, "vessels") == "6 vessels"
    assert quantity(9655.0, "TEU") == "9,655 TEU"
    assert quantity(1880, "wagon") == "1,880 wagons"
    assert quantity(1, "wagon") == "1 wagon"
    assert quantity(1.6, "trains/day") == "1.6 trains/day"
    assert quantity(1, "trains/day") == "1 train/day"


def test_the_footer_says_what_its_time_measures(tmp_path):
    out = _run(tmp_path, 0.5)
    meta = json.loads((out / "run.json").read_text())
    last = (out / "report.md").read_text().strip().splitlines()[-1]
    assert f"simulated in {meta['wall_s']:.2f} s; {meta['events']:,} events." in last
    assert "wall time" not in last


def test_an_interval_from_fewer_replications_than_ran_says_how_many():
    from corridor_sim.report import _with_ci

    row = pd.Series({"mean": 23.0, "ci_low": 18.8, "ci_high": 28.0, "n": 2})
    assert _with_ci(row, 1, "{:.1f}", of=3) == "23.0 [18.8–28.0] (2 of 3 replications)"
    assert _with_ci(row, 1, "{:.1f}", of=2) == "23.0 [18.8–28.0]"
    assert _with_ci(row, 1, "{:.1f}") == "23.0 [18.8–28.0]"
