"""The standard figures as the run command saves them (placed by plotting.layout.fit,
no layout engine): every tick label, axis label and legend inside the figure, and the
axes of one figure not overlapping."""

import matplotlib
import numpy as np
import pytest

import corridor_sim as cs
from corridor_sim import plotting
from corridor_sim.plotting.layout import fit

from .factories import BASELINE

matplotlib.use("Agg")


ROUTES = BASELINE.parent / "china_europe_routes.yaml"  # the route figures need a market


@pytest.fixture(scope="module")
def runs():
    short = {"horizon_days": 40, "warmup_days": 10}
    return {"baseline": cs.run(BASELINE, overrides=short),
            "routes": cs.run(ROUTES, overrides=short)}


def _shown(axis):
    """The tick labels the axis draws: those of ticks within its view."""
    lo, hi = sorted(axis.get_view_interval())
    return [t for x, t in zip(axis.get_ticklocs(), axis.get_ticklabels())
            if lo <= x <= hi and t.get_text() and t.get_visible()]


def _texts(fig):
    for ax in fig.axes:
        yield from _shown(ax.xaxis) + _shown(ax.yaxis)
        yield from (t for t in (ax.xaxis.label, ax.yaxis.label) if t.get_text())
        if ax.get_legend() is not None:
            yield ax.get_legend()
    yield from fig.legends


@pytest.mark.parametrize("name", [n for n in plotting.STANDARD
                                  if n not in plotting.ENGINE_LAYOUT])
def test_fitted_figure_keeps_its_texts_inside(runs, name):
    res = runs["routes" if name.startswith("route_") else "baseline"]
    fig = plotting.STANDARD[name][1](res.tables, res.scenario, res.start_date)
    assert fig is not None, name
    fig.set_dpi(120)
    fit(fig)
    assert fig.get_layout_engine() is None
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    frame = fig.bbox
    for t in _texts(fig):
        bb = t.get_window_extent(renderer)
        assert (bb.x0 >= frame.x0 - 1 and bb.x1 <= frame.x1 + 1 and bb.y0 >= frame.y0 - 1
                and bb.y1 <= frame.y1 + 1), (name, t)
    boxes = [ax.get_window_extent(renderer) for ax in fig.axes if ax.get_subplotspec()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = np.array([min(a.x1, b.x1) - max(a.x0, b.x0),
                                min(a.y1, b.y1) - max(a.y0, b.y0)])
            assert (overlap <= 1).any(), name
