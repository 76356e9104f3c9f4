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
    assert "thousand t" in ax.get_ylabel() and ax.get_xlabel().startswith("month of delivery")


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


def test_utilisation_one_bar_per_resource(res):
    ax = res.plot.utilisation().axes[0]
    n = len(res.utilisation())  # nodes, lines, ports' berths, fleets
    assert n > len(res.scenario.nodes) + len(res.scenario.services)
    assert len(ax.patches) == n and len(ax.get_yticklabels()) == n
    assert "utilisation" in ax.get_xlabel()


def test_corridor_map_draws_every_leg_with_sea_dashed(res):
    fig = res.plot.corridor_map()
    ax = fig.axes[0]
    legs = [ln for ln in ax.lines if len(ln.get_xdata()) == 2 and ln.get_gid() != "border"]
    sc = res.scenario
    assert len(legs) == len(sc.legs) + len(sc.services)
    assert sum(ln.get_linestyle() == "--" for ln in legs) == len(sc.services)
    assert ax.get_xlabel() == "longitude (°E)" and ax.get_ylabel() == "latitude (°N)"
    assert any("Mt" in t for t in _legend_texts(fig))


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


def test_save_all_draws_only_the_figures_named(res, tmp_path):
    assert set(plotting.CORE) < set(plotting.STANDARD)
    for processes in (1, 2):
        folder = tmp_path / f"core{processes}"
        written = plotting.save_all(res.tables, res.start_date, folder,
                                    scenario=res.scenario, processes=processes,
                                    names=plotting.CORE)
        drawn = [n for n in plotting.STANDARD  # standard order; no route choice here
                 if n in plotting.CORE and n != "route_shares"]
        assert [p.stem for p in written] == drawn
        assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.png" for n in drawn)


def test_save_all_refuses_an_unknown_figure_before_drawing(res, tmp_path):
    with pytest.raises(ValueError, match="unknown figure.*corridor_mapp"):
        plotting.save_all(res.tables, res.start_date, tmp_path / "x",
                          scenario=res.scenario, names=["throughput", "corridor_mapp"])
    assert not (tmp_path / "x").exists()


def test_figures_drawn_by_two_processes_are_those_drawn_by_one(res, tmp_path):
    one = plotting.save_all(res.tables, res.start_date, tmp_path / "one",
                            scenario=res.scenario, processes=1)
    two = plotting.save_all(res.tables, res.start_date, tmp_path / "two",
                            scenario=res.scenario, processes=2)
    assert [p.name for p in one] == [p.name for p in two]
    assert len(one) >= 10
    for a, b in zip(one, two):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_plots_draw_into_the_callers_axes(res):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 8))
    axes = fig.subplots(2, 2)
    assert res.plot.throughput(ax=axes[0, 0]) is fig
    assert res.plot.transit_cdf(ax=axes[0, 1]) is fig
    assert res.plot.delay_breakdown(ax=axes[1, 0]) is fig
    assert res.plot.utilisation(ax=axes[1, 1]) is fig
    assert len(fig.axes) == 4 and all(ax.has_data() for ax in fig.axes)
    assert tuple(res.plot.delay_by_place(figsize=(5, 4)).get_size_inches()) == (5, 4)


def test_throughput_options_colours_and_partial_months(res):
    full = res.plot.throughput().axes[0]
    colour = {c.get_label(): c.patches[0].get_facecolor()[:3] for c in full.containers}
    one = res.plot.throughput(flows=["kz_ge"]).axes[0]
    assert [c.get_label() for c in one.containers] == ["kz_ge"]
    assert one.containers[0].patches[0].get_facecolor()[:3] == colour["kz_ge"]  # fixed
    # 40 days from 1 January: February is only partly simulated, hatched and labelled
    hatched = [p for c in full.containers for p in c.patches if p.get_hatch()]
    assert hatched and "partly simulated" in full.get_xlabel()
    assert any("of month" in t.get_text() for t in full.texts)
    jan = res.plot.throughput(end="2023-01-31").axes[0]
    assert all(len(c.patches) == 1 for c in jan.containers)


def test_with_pyplot_imported_plt_show_knows_the_figures(tmp_path):
    """In a script that uses pyplot, plot functions make their figures through it (so
    plt.show() shows them) and save_all closes the ones it saved."""
    import subprocess
    import sys

    script = f"""
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import corridor_sim as cs
from corridor_sim import plotting
res = cs.run({str(BASELINE)!r}, overrides={{"horizon_days": 15, "warmup_days": 2}},
             backend="serial")
fig = res.plot.transit_cdf()
assert plt.fignum_exists(fig.number)
plotting.save_all(res.tables, res.start_date, {str(tmp_path)!r}, scenario=res.scenario)
assert plt.get_fignums() == [fig.number], plt.get_fignums()
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert done.stdout.strip() == "ok", done.stderr


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


def test_both_directions_shows_each_way_and_deck_use(res):
    """Monthly bars add up to the tons delivered each way; deck bars (cargo + background)
    per crossing match the deck-use KPI and never exceed the deck."""
    fig = res.plot.both_directions()
    ax_t, ax_d = fig.axes[:2]
    by_way = {c.get_label().split(" (")[0]: sum(p.get_height() for p in c.patches)
              for c in ax_t.containers}
    d = kpis.delivered(res.consignments)
    for way in ("westbound", "eastbound"):
        tons = d.loc[d["direction"] == way, "tons"].sum() / 1e3
        assert by_way[way] == pytest.approx(tons, rel=1e-9), way
    assert by_way["eastbound"] > 0  # the baseline carries cargo both ways
    deck = kpis.deck_use(res.movements, res.scenario)
    cargo, bg, free = ax_d.containers[:3]
    assert len(cargo.patches) == len(deck)
    used = [c.get_width() + b.get_width() for c, b in zip(cargo.patches, bg.patches)]
    assert used == pytest.approx(list(deck["cargo_teu"] + deck["background_teu"]))
    caps = [res.scenario.services[s].capacity_teu for s in deck["service"]]
    assert all(u <= c + 1e-9 for u, c in zip(used, caps))
