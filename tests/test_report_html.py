"""report.html opens in a real browser (headless Chromium): no console errors, no request
beyond the file itself and its inline images, every figure laid out with a size; a
screenshot of each page is saved under the test's tmp dir.

Without Chromium the browser tests skip on a developer machine and fail in CI (CI=true),
where .ci/run installs it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from corridor_sim.cli import main

from . import browser
from .factories import BASELINE

SHORT = ["--set", "horizon_days=30", "--set", "warmup_days=5"]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(\s*["']?http""",
                      re.IGNORECASE)


@pytest.fixture(scope="module")
def chromium():
    if browser.find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it (apt-get install "
                        "chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    one, reps = base / "one", base / "reps"
    legs = ["--set", "report.legs_of_interest=[[xian,alat],[alat,istanbul]]"]
    every = ["--plots", "all"]  # the pages with every figure
    assert main(["run", str(BASELINE), "--out", str(one), "--quiet", *SHORT, *legs,
                 *every]) == 0
    assert main(["run", str(BASELINE), "--out", str(reps), "--quiet", "--replications", "2",
                 "--backend", "serial", "--set", "demand.scale=1.3", *SHORT, *every]) == 0
    cmp = base / "cmp"
    assert main(["compare", str(one), str(reps), "--out", str(cmp), "--quiet"]) == 0
    return {"one": one, "reps": reps, "cmp": cmp}


def _check_page(page: Path, shot: Path, figures: int) -> dict:
    text = page.read_text(encoding="utf-8")
    assert not EXTERNAL.search(text), EXTERNAL.search(text).group(0)
    assert "<script" not in text.lower()
    got = browser.load(page, shot)
    assert got["errors"] == []
    assert got["requests"][0] == got["url"]
    assert all(u.startswith("data:image/png;base64,") for u in got["requests"][1:])
    assert len(got["images"]) >= figures
    for img in got["images"]:
        assert img["complete"] and img["nw"] > 0 and img["nh"] > 0, img["alt"]
        assert img["w"] > 100 and img["h"] > 50, img["alt"]
    assert shot.stat().st_size > 10_000
    return got


def test_single_run_report_in_a_browser(chromium, runs, tmp_path):
    page = runs["one"] / "report.html"
    text = page.read_text(encoding="utf-8")
    assert "Not overloaded" in text or "OVERLOADED" in text
    assert "Transit between chosen nodes" in text and "(days)" in text
    assert "95 % CI low" in text
    got = _check_page(page, tmp_path / "one.png", figures=10)
    alts = [i["alt"] for i in got["images"]]
    assert any("Corridor map" in a for a in alts) and any("Stringline" in a for a in alts)
    assert any("Journey" in a for a in alts)


def test_replicated_run_report_in_a_browser(chromium, runs, tmp_path):
    page = runs["reps"] / "report.html"
    text = page.read_text(encoding="utf-8")
    assert "2 replications" in text
    _check_page(page, tmp_path / "reps.png", figures=5)


def test_compare_report_in_a_browser(chromium, runs, tmp_path):
    page = runs["cmp"] / "report.html"
    text = page.read_text(encoding="utf-8")
    assert text.count('class="verdict') == 2 and "KPI differences" in text
    _check_page(page, tmp_path / "cmp.png", figures=3)


def test_sweep_report_is_self_contained(tmp_path):
    out = tmp_path / "sw"
    assert main(["sweep", str(BASELINE), "--grid", "demand.scale=1,1.5", "--out", str(out),
                 "--backend", "serial", "--quiet", *SHORT]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    assert not EXTERNAL.search(text) and "<script" not in text.lower()
    assert "sweep report" in text and "data:image/png;base64," in text
    if browser.find_chromium() is not None:
        _check_page(out / "report.html", tmp_path / "sweep.png", figures=1)


def test_results_to_html_writes_one_self_contained_file(tmp_path):
    import corridor_sim as cs

    from .test_trip_times import fixed_line

    res = cs.run(fixed_line(sea=True), backend="serial")
    path = res.to_html(tmp_path / "out" / "page.html")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["page.html"]
    text = path.read_text(encoding="utf-8")
    assert not EXTERNAL.search(text) and text.count("data:image/png;base64,") >= 8
