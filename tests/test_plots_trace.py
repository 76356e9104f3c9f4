"""Stringline, fleet timeline and consignment journey: built from tables, drawn where
asked, showing what the tables hold."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

import corridor_sim as cs
from corridor_sim import plotting
from corridor_sim.plotting.base import new_figure
from corridor_sim.plotting.fleet_timeline import lanes

from .test_trip_times import fixed_line


@pytest.fixture(scope="module")
def res():
    return cs.run(fixed_line(sea=True), backend="serial")


def test_stringline_draws_each_run_and_sailing_at_its_distance(res):
    fig = res.plot.stringline(end_h=10 * 24)
    ax = fig.axes[0]
    segs = np.concatenate([c.get_segments() for c in ax.collections
                           if isinstance(c, LineCollection)])
    m = res.movements
    moving = m[m["activity"].isin(["run", "sail"]) & (m["start_h"] <= 240)
               & (m["end_h"] >= 0)]
    sloped = segs[segs[:, 0, 1] != segs[:, 1, 1]]
    assert len(sloped) == len(moving) > 10
    # a -> b is 100 km, b -> c 185.2 km: every sloped line starts and ends at a node
    assert set(np.round(sloped[:, :, 1].ravel(), 6)) <= {0.0, 100.0, 285.2}
    flat = segs[segs[:, 0, 1] == segs[:, 1, 1]]
    assert len(flat) == 0  # each train and voyage here rides one leg: nothing joins them


def test_fleet_timeline_bars_and_rows(res):
    fig = res.plot.fleet_timeline("s", end_h=5 * 24)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    m = res.movements
    rows = m[(m["segment"] == "sea:s") & m["activity"].isin(["load", "sail", "unload"])
             & (m["start_h"] <= 120) & (m["end_h"] >= 0)]
    assert len(bars) == len(rows) > 10
    with pytest.raises(ValueError, match="no service or leg"):
        res.plot.fleet_timeline("nowhere")


def test_lanes_never_overlap_and_use_the_fewest_rows():
    rng = np.random.default_rng(1)
    start = rng.uniform(0, 100, 300)
    end = start + rng.uniform(0.5, 8, 300)
    row = lanes(start, end)
    for r in np.unique(row):
        s, e = start[row == r], end[row == r]
        o = np.argsort(s)
        assert (s[o][1:] >= e[o][:-1]).all()
    t = np.sort(np.r_[start, end])
    busiest = max(((start <= x) & (end > x)).sum() for x in t)
    assert row.max() + 1 == busiest


def test_journey_one_bar_per_stop_on_a_given_axes(res):
    fig, ax = new_figure()
    cid = int(res.itinerary.loc[res.itinerary["node"] == "c", "consignment_id"].iloc[0])
    assert res.plot.journey(cid, ax=ax) is fig
    stays = [p.get_width() for p in ax.patches if isinstance(p, Rectangle)][:3]
    assert stays == pytest.approx([6 / 24, 6 / 24, 5 / 24])  # at a, b, c (days)
    with pytest.raises(ValueError, match="no consignment"):
        res.plot.journey(10**9)


def test_new_plots_accept_an_axes(res):
    for draw in (lambda ax: plotting.stringline(res.movements, res.scenario, ax=ax),
                 lambda ax: plotting.fleet_timeline(res.movements, res.scenario, ax=ax)):
        fig, ax = new_figure()
        assert draw(ax) is fig
        assert len(fig.axes) == 1


def test_stringline_draws_cargo_going_back_as_falling_lines():
    """A flow c -> a rides the crossing back and the rail leg against its written
    direction: on the a -> c route its runs and sailings fall with time, the a -> c ones
    rise."""
    from corridor_sim.scenario import with_overrides

    sc = fixed_line(sea=True)
    back = {"id": "g", "from": "c", "to": "a", "via": ["b"], "tons_per_year": 20_000,
            "block_units": 10}
    res = cs.run(with_overrides(sc, {"flows": [sc.flows[0].model_dump(by_alias=True), back]}),
                 backend="serial")
    ax = res.plot.stringline(route=["a", "b", "c"], end_h=20 * 24).axes[0]
    segs = np.concatenate([c.get_segments() for c in ax.collections
                           if isinstance(c, LineCollection)])
    sloped = segs[segs[:, 0, 1] != segs[:, 1, 1]]
    rising = (sloped[:, 1, 1] > sloped[:, 0, 1]).sum()
    falling = (sloped[:, 1, 1] < sloped[:, 0, 1]).sum()
    m = res.movements
    moving = m[m["activity"].isin(["run", "sail"]) & (m["start_h"] <= 480)
               & (m["end_h"] >= 0)]
    going_back = moving["segment"].astype(str).str.contains(r"return|rail:b>a")
    assert falling == going_back.sum() > 0 and rising == (~going_back).sum() > 0
