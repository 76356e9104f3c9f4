"""Every plot: a Figure with the expected axis labels, legend entries and series."""

import matplotlib
import pytest
from matplotlib.container import BarContainer

import corridor_sim as cs
from corridor_sim import kpis, plotting

from .factories import BASELINE

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def res():
    return cs.run(BASELINE, overrides={"horizon_days": 40, "warmup_days": 10})


def _legend_texts(fig_or_ax):
    legs = fig_or_ax.legends if hasattr(fig_or_ax, "legends") else []
    leg = fig_or_ax.get_legend() if hasattr(fig_or_ax, "get_legend") else None
    legs = [leg] if leg else legs
    return [t.get_text() for lg in legs for t in lg.get_texts()]


def test_throughput_stacks_one_series_per_flow(res):
    fig = res.plot.throughput()
    ax = fig.axes[0]
    flows = set(kpis.delivered(res.consignments)["flow"].astype(str))
    assert sum(isinstance(c, BarContainer) for c in ax.containers) == len(flows)
    assert set(_legend_texts(ax)) == flows
    assert "thousand t" in ax.get_ylabel() and ax.get_xlabel() == "month of delivery"


def test_transit_cdf_one_line_per_od_with_medians_in_legend(res):
    ax = res.plot.transit_cdf().axes[0]
    n_od = len(kpis.transit_by_od(res.consignments))
    texts = _legend_texts(ax)
    assert len(texts) == n_od and all("median" in t for t in texts)
    assert ax.get_xlabel() == "door-to-door transit (days)"
    assert len(ax.lines) == 2 * n_od + 1  # CDF step + median dot per O-D, 0.5 guide


def test_delay_breakdowns_stack_categories(res):
    fig = res.plot.delay_breakdown()
    ax = fig.axes[0]
    assert len(ax.containers) == len(kpis.CATEGORIES)
    assert _legend_texts(fig) == list(kpis.CATEGORIES)
    assert len(ax.get_yticklabels()) == len(kpis.transit_by_od(res.consignments))
    assert "days" in ax.get_xlabel()
    fig = res.plot.delay_by_place(top=5)
    ax = fig.axes[0]
    assert len(ax.containers) == len(kpis.DELAY_CATEGORIES)
    assert len(ax.get_yticklabels()) == 5 and "consignment-hours" in ax.get_xlabel()


def test_queues_panels(res):
    fig = res.plot.queues(top=3)
    back, queue, fleet = fig.axes[:3]
    assert "thousand t" in back.get_ylabel() and "TEU waiting" in queue.get_ylabel()
    assert len(queue.lines) == 3
    services = res.scenario.services
    assert len(fleet.lines) == len(services)
    assert all(any(s.replace("_", " ") in t for t in _legend_texts(fleet)) for s in services)


def test_utilisation_one_bar_per_node_and_service(res):
    ax = res.plot.utilisation().axes[0]
    n = len(res.scenario.nodes) + len(res.scenario.services)
    assert len(ax.patches) == n and len(ax.get_yticklabels()) == n
    assert "utilisation" in ax.get_xlabel()


def test_corridor_map_draws_every_leg_with_sea_dashed(res):
    fig = res.plot.corridor_map()
    ax = fig.axes[0]
    legs = [ln for ln in ax.lines if len(ln.get_xdata()) == 2]
    sc = res.scenario
    assert len(legs) == len(sc.legs) + len(sc.services)
    assert sum(ln.get_linestyle() == "--" for ln in legs) == len(sc.services)
    assert ax.get_xlabel() == "longitude (°E)" and ax.get_ylabel() == "latitude (°N)"
    assert any("Mt" in t for t in _legend_texts(ax))


def test_compare_overlays(res):
    cmp = cs.compare({"a": res, "b": res})
    fig = cmp.plot.transit_cdf()
    assert _legend_texts(fig) == ["a", "b"]
    ax = cmp.plot.throughput().axes[0]
    assert len([t for t in _legend_texts(ax)]) == 2
    fig = cmp.plot.delay_breakdown()
    assert [a.get_title() for a in fig.axes] == ["a", "b"]


def test_figures_render_in_jupyter_without_pyplot(res):
    from IPython.core.formatters import PNGFormatter

    png = PNGFormatter()(res.plot.throughput())
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")


def test_save_all_skips_scenario_plots_without_a_scenario(res, tmp_path):
    written = plotting.save_all(res.tables, res.start_date, tmp_path)
    assert {p.stem for p in written} == {"throughput", "transit_cdf", "delay_breakdown",
                                         "delay_by_place", "cost_breakdown"}


def test_cost_breakdown_stacks_kinds_per_od(res):
    fig = res.plot.cost_breakdown()
    cost, co2e = fig.axes[:2]
    n_od = len(res.transit())
    assert len(cost.get_yticklabels()) == n_od
    assert "USD per TEU" in cost.get_xlabel() and "CO₂e" in co2e.get_xlabel()
    # the stacked bars of each O-D reach its cost per TEU
    widths = {}
    for bar in cost.patches:
        key = round(bar.get_y(), 6)
        widths[key] = widths.get(key, 0.0) + bar.get_width()
    assert sorted(widths.values()) == pytest.approx(
        sorted(res.economics()["cost_usd_per_teu"]))
