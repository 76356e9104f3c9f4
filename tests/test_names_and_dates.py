"""Names (not ids) in the report, summaries and comparisons; calendar time in tables."""

import pandas as pd
import pytest

import corridor_sim as cs
from corridor_sim.cli import main
from corridor_sim.kpis.names import group_name, place_name

from .factories import BASELINE, baseline


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("names") / "b"
    assert main(["run", str(BASELINE), "--horizon-days", "45", "--out", str(out),
                 "--no-plots", "--quiet"]) == 0
    return out


def _table_column(report: str, section: str, column: int) -> list[str]:
    part = report.split(section, 1)[1].split("\n#", 1)[0]
    rows = [r.split("|")[1:-1] for r in part.splitlines() if r.startswith("| ")][1:]
    return [r[column].strip() for r in rows]


def test_report_tables_use_names(run_dir):
    text = (run_dir / "report.md").read_text()
    origins = _table_column(text, "### Door-to-door transit", 0)
    assert "Xi'an" in origins and "xian" not in origins
    places = _table_column(text, "### Bottlenecks", 1)
    sc = baseline()
    ids = set(sc.nodes) | {leg.key for leg in sc.legs} | set(sc.services)
    assert places and not ids & set(places)


def test_group_and_place_names():
    sc = baseline()
    assert group_name("xian->istanbul", sc) == "Xi'an → Istanbul (Halkali)"
    assert group_name("place:alat", sc) == "Baku/Alat"
    assert place_name("tbilisi-akhalkalaki", sc) == "Tbilisi – Akhalkalaki line"
    assert group_name("flow:cn_tr", sc) == "cn_tr"


def test_consignments_in_calendar_time(run_dir):
    res = cs.load_results(run_dir)
    d = res.dated()
    for col in ("created", "delivered", "departed", "arrived"):
        assert pd.api.types.is_datetime64_any_dtype(d[col]), col
    first = d.iloc[0]
    expected = pd.Timestamp(res.start_date) + pd.Timedelta(hours=first["created_h"])
    assert abs(first["created"] - expected) < pd.Timedelta(microseconds=1)
    assert d.loc[d["delivered_h"].isna(), "delivered"].isna().all()
    monthly = d.set_index("delivered").resample("MS")["tons"].sum()
    assert monthly.sum() == pytest.approx(d.loc[d["delivered_h"].notna(), "tons"].sum())
    assert "t" in res.dated("resources").columns
