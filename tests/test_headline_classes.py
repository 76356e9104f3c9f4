"""Headline KPIs cover all cargo, by service class (block trains and regular cargo), so a
change that hurts only the regular cargo shows."""

import json

import pytest

from corridor_sim.experiment import run_single

from .factories import ROOT, baseline


def _class_kpis(scale: float):
    sc = baseline(horizon_days=120, warmup_days=10, **{"demand.scale": scale})
    k = run_single(sc)[0]["kpis"].set_index(["kpi", "group"])["value"]
    return k


@pytest.fixture(scope="module")
def both():
    return _class_kpis(1.0), _class_kpis(1.5)


def test_class_kpis_cover_all_cargo(both):
    k, _ = both
    assert k[("tons_delivered", "class:block")] + k[("tons_delivered", "class:regular")] == \
        pytest.approx(k[("tons_delivered", "all")])
    for group in ("class:block", "class:regular"):
        for kpi in ("transit_p50_days", "transit_p90_days", "undelivered_share_end"):
            assert (kpi, group) in k.index


def test_more_demand_shows_in_the_regular_class(both):
    base, more = both
    block = more[("transit_p50_days", "class:block")] / base[("transit_p50_days", "class:block")]
    regular = (more[("transit_p50_days", "class:regular")]
               / base[("transit_p50_days", "class:regular")])
    assert abs(block - 1) < 0.2  # the block trains board first
    assert regular > 1.5  # the rest waits much longer


def test_what_if_notebook_headline_covers_both_classes():
    nb = json.loads((ROOT / "notebooks" / "what_if.ipynb").read_text())
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert '("transit_p50_days", "class:regular")' in code
    assert '("transit_p50_days", "class:block")' in code
