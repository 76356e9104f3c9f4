"""``report.md``: a one-page summary of a run or of several replications.

The content is built as data — :func:`report_sections` returns a list of
:class:`Section` (a title, paragraphs and an optional table of formatted text) — and
:func:`render_markdown` turns it into Markdown, so other renderers can present the same
content. The report opens with the verdict (overloaded or not), what ran (scenario,
overrides, description, period, replications) and demand offered against delivered with
the share still undelivered at the end, before transit times that describe only the
cargo that arrived. With several replications, figures are means with confidence
intervals (:func:`corridor_sim.intervals.summarize`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from . import kpis
from .intervals import summarize
from .kpis.names import node_names, place_name
from .report_fleets import fleet_sections
from .report_html import render_html
from .report_markdown import render_markdown
from .report_section import Section
from .report_verdict import verdict
from .units import quantity

CAPTIONS = {
    "throughput": "Monthly throughput by flow",
    "transit_cdf": "Transit-time distribution per origin → destination",
    "delay_breakdown": "Delay breakdown by origin → destination",
    "delay_by_place": "Delay by place",
    "both_directions": "Cargo delivered by direction and deck use per crossing",
    "queues": "Backlog, queues at the busiest nodes and sea services over time",
    "utilisation": ("Utilisation per node, rail line, port, sea service and wagon or "
                    "container fleet"),
    "corridor_map": "Corridor map",
    "stringline": "Stringline: trains and vessel voyages along the longest route",
    "fleet_timeline": "Fleet timeline: voyages of the first sea service",
    "journey": "Journey of a consignment with the median transit on the slowest flow",
    "cost_breakdown": "Cost and CO₂e per TEU by origin → destination",
    "route_shares": "Route shares by month",
    "route_costs": "Cost and CO₂e per TEU by route",
    "route_tradeoff": "Transit, cost and CO₂e per route",
    "fleets": "Wagons, platforms and containers: idle, in use and running empty",
}
UNDELIVERED_NOTE = 0.05  # share of cargo undelivered above which transit times are flagged


def _kpi_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """KPI summary (mean, n, ci_low, ci_high) over the replications in ``tables["kpis"]``."""
    k = tables.get("kpis")
    if k is None or k.empty:
        return None
    if "value" not in k.columns:
        return k
    return summarize(k)


def _kpi(summary: pd.DataFrame | None, kpi: str, group: str = "all"):
    if summary is None:
        return None
    row = summary[(summary["kpi"] == kpi) & (summary["group"] == group)]
    return None if row.empty else row.iloc[0]


def _with_ci(row, scale: float, fmt: str, fallback: float | None = None,
             of: int = 0) -> str:
    """``mean`` formatted, with its interval ``[low–high]`` when there is one, and how
    many replications gave it when fewer than ``of``."""
    if row is None:
        return fmt.format(fallback * scale) if fallback is not None else "–"
    text = fmt.format(row["mean"] * scale)
    if pd.notna(row.get("ci_low")) and row.get("n", 1) > 1:
        text += f" [{fmt.format(row['ci_low'] * scale)}–{fmt.format(row['ci_high'] * scale)}]"
    if row.get("n", of) < of:
        text += f" ({row['n']:.0f} of {of} replications)"
    return text


def run_facts(scenario, meta: dict | None, replications: int) -> dict:
    """What ran: name, description, overrides (``{path: value}``), start date, horizon
    and warm-up (days), seed and replications."""
    sc = kpis.scenario_dict(scenario)
    meta = meta or {}
    return {"name": sc["name"], "description": str(sc.get("description") or "").strip(),
            "overrides": dict(meta.get("overrides") or {}),
            "start_date": kpis.start_date_of(sc), "horizon_days": float(sc["horizon_days"]),
            "warmup_days": float(sc.get("warmup_days", 0)), "seed": sc.get("seed"),
            "replications": replications}


def _what_ran(facts: dict, warm_kt: float) -> Section:
    par = []
    if facts["overrides"]:
        sets = ", ".join(f"`{k}={v}`" for k, v in facts["overrides"].items())
        par.append(f"A variant of scenario `{facts['name']}` with overrides {sets}.")
        if facts["description"]:
            par.append(f"Description of `{facts['name']}` as written in its file (before "
                       f"the overrides): {facts['description']}")
    elif facts["description"]:
        par.append(facts["description"])
    reps = facts["replications"]
    par.append(f"Simulated {facts['horizon_days']:g} days from {facts['start_date']} after "
               f"{facts['warmup_days']:g} days of warm-up; {reps} replication"
               f"{'s' * (reps != 1)}"
               + (f", seed {facts['seed']}" if facts["seed"] is not None else "")
               + ". Figures are per replication on average"
               + (" with 95 % confidence intervals in brackets" if reps > 1 else "")
               + f"; deliveries during warm-up ({warm_kt:.1f} kt) are not counted.")
    return Section("What ran", paragraphs=par)


def _demand_section(cons: pd.DataFrame, end_h: float, summary) -> Section:
    bal = kpis.demand_balance(cons, end_h)
    rows = []
    for r in bal.itertuples():
        group = "all" if r.flow == "all" else f"flow:{r.flow}"
        rows.append({
            "flow": "all flows" if r.flow == "all" else r.flow,
            "offered (kt)": _with_ci(_kpi(summary, "tons_offered", group), 1e-3, "{:,.1f}",
                                     r.offered_t),
            "delivered (kt)": _with_ci(_kpi(summary, "tons_delivered", group), 1e-3,
                                       "{:,.1f}", r.delivered_t),
            "delivered / offered": (f"{r.delivered_t / r.offered_t:.0%}" if r.offered_t
                                    else "–"),
            "undelivered at the end (kt)": f"{r.undelivered_t / 1e3:,.1f}",
            "share undelivered": _with_ci(_kpi(summary, "undelivered_share_end", group),
                                          100, "{:.0f}", r.undelivered_share) + "%",
        })
    table = pd.DataFrame(rows)
    table = pd.concat([table.iloc[[-1]], table.iloc[:-1]], ignore_index=True)  # all first
    return Section("Demand offered and delivered", table=table, paragraphs=[
        "Offered: tons created in the measured period; delivered: tons delivered in it; "
        "undelivered: cargo created (warm-up included) and not delivered by the end, as "
        "a share of all cargo created."])


def _transit_section(cons: pd.DataFrame, summary, share: float, sc: dict) -> Section:
    tr = kpis.transit_by_od(cons)
    names = node_names(sc)
    out = tr.assign(**{c: tr[c].round(1) for c in tr.columns if c.endswith("_days")},
                    n=tr["n"].map("{:,.0f}".format),
                    origin=tr["origin"].map(lambda n: names.get(n, n)),
                    destination=tr["destination"].map(lambda n: names.get(n, n)))
    out = out.rename(columns=lambda c: c.replace("_days", ""))
    if summary is not None and (summary["n"] > 1).any():
        out["p50 (95 % CI)"] = [
            _with_ci(_kpi(summary, "transit_p50_days", f"{o}->{d}"), 1, "{:.1f}",
                     of=int(summary["n"].max()))
            for o, d in zip(tr["origin"], tr["destination"])]
    sec = Section("Door-to-door transit (days)", level=3, table=out.astype(str), notes=[
        "By service class and direction: " + "; ".join(kpis.class_lines(cons, sc)) + "."])
    if "trip_p50_days" in tr:
        sec.notes.append("`trip_p50`: median from the first departure after loading at the "
                         "origin to the last arrival before unloading at the destination.")
    if share > UNDELIVERED_NOTE:
        sec.notes.insert(0, f"These times describe only cargo that arrived: {share:.0%} "
                         "of all cargo created is still undelivered at the end, so they "
                         "understate the wait.")
    return sec


def _bottleneck_section(mov: pd.DataFrame, end_h: float, sc: dict) -> Section:
    b = kpis.bottlenecks(mov, 0.0, end_h).head(8)
    return Section("Bottlenecks (where consignments wait)", level=3, table=pd.DataFrame({
        "rank": [str(i) for i in range(1, len(b) + 1)],
        "place": [place_name(p, sc) for p in b["place"]],
        "consignment-hours waited": b["unit_hours"].map("{:,.0f}".format),
        "share of waiting": b["share"].map("{:.0%}".format),
        "share of all delay": b["share_of_delay"].map("{:.0%}".format)}))


def _resource_section(tables: dict[str, pd.DataFrame], sc: dict) -> Section:
    st = kpis.utilisation_table(tables, sc).head(8)
    waiting = st["teu_waiting_mean"] if "teu_waiting_mean" in st else pd.Series(
        float("nan"), index=st.index)
    return Section("Busiest resources", level=3, paragraphs=[
        "Utilisation: share of capacity-hours busy (for a fleet of wagons, platforms or "
        "containers, kind `stock`: share of unit-time not idle, in use or running "
        "empty); load factor: how full trains and vessels left (definitions in "
        "`corridor_sim/kpis/utilisation.py`)."],
        table=pd.DataFrame({
            "resource": st["name"], "kind": st["kind"],
            "capacity": [quantity(c, u) for c, u in zip(st["capacity"], st["capacity_unit"])],
            "utilisation": st["utilisation"].map("{:.0%}".format),
            "load factor": st["load_factor"].map(lambda v: "–" if v != v else f"{v:.0%}"),
            "mean TEU waiting": waiting.map(lambda v: "–" if v != v else f"{v:.0f}")}))


def report_sections(tables: dict[str, pd.DataFrame], scenario, plots: list[str] = (),
                    meta: dict | None = None, all_kpis: bool = False) -> list[Section]:
    """The report's content as sections, verdict first. ``tables`` are a run's tables
    (several replications concatenated, with a ``replication`` column); ``tables["kpis"]``
    per replication gives the intervals; ``plots`` are names of PNGs under ``plots/``;
    ``all_kpis`` adds the table of every KPI (the HTML page has it)."""
    body, every_kpi, tail = _section_parts(tables, scenario, plots, meta)
    return [*body, *(every_kpi if all_kpis else []), *tail]


def _section_parts(tables: dict[str, pd.DataFrame], scenario, plots: list[str] = (),
                   meta: dict | None = None
                   ) -> tuple[list[Section], list[Section], list[Section]]:
    """The sections of :func:`report_sections` in three parts: the body, the table of
    every KPI, and what follows it (plots, run facts), so that the Markdown and the HTML
    report are built from one computation."""
    return (*_body_parts(tables, scenario, meta), _tail(plots, meta))


def _body_parts(tables: dict[str, pd.DataFrame], scenario, meta: dict | None
                ) -> tuple[list[Section], list[Section]]:
    """The report's body and the table of every KPI (see :func:`_section_parts`)."""
    sc = kpis.scenario_dict(scenario)
    end_h = kpis.horizon_h(sc)
    cons, mov = tables["consignments"], tables["movements"]
    reps = kpis.n_replications(cons)
    summary = _kpi_summary(tables)
    v = verdict(tables, sc)
    facts = run_facts(sc, meta, reps)
    secs = [Section(f"{sc['name']}: run report", level=1, paragraphs=[v["text"]],
                    verdict=v["overloaded"]),
            _what_ran(facts, kpis.warmup_deliveries(cons)["tons"] / 1e3),
            _demand_section(cons, end_h, summary)]
    back = kpis.backlog_end(cons, end_h)
    tons = _with_ci(_kpi(summary, "tons_delivered"), 1e-6, "{:.3f}",
                    kpis.tons_delivered(cons, 0.0, end_h))
    left = _with_ci(_kpi(summary, "backlog_end_tons"), 1e-3, "{:,.1f}", back["tons"])
    teu = kpis.delivered(cons, ("teu",))["teu"].sum() / reps
    key = [f"Tons delivered: **{tons} Mt** ({teu:,.0f} TEU)",
           f"In the system at the end: {back['consignments']:,.0f} consignments ({left} kt)"]
    secs.append(Section("Key numbers", paragraphs=[f"- {k}" for k in key]))
    secs += [_transit_section(cons, summary, v["undelivered_share"], sc),
             *_legs_section(tables, sc), *_economics_sections(tables, end_h),
             *fleet_sections(tables),
             _bottleneck_section(mov, end_h, sc), _resource_section(tables, sc)]
    return secs, _kpi_table_section(summary)


def _tail(plots: list[str], meta: dict | None) -> list[Section]:
    """What follows the table of every KPI: the plots named, then the run's facts."""
    tail: list[Section] = []
    if plots:
        tail.append(Section("Plots", images=[(CAPTIONS.get(n, n), f"plots/{n}.png")
                                             for n in plots]))
    if meta:  # wall_s: the simulation's (of all replications for an experiment)
        facts = [f"corridor-sim {meta.get('corridor_sim_version', '')}"] + [
            fmt.format(meta[k]) for k, fmt in (("wall_s", "simulated in {:.2f} s"),
                                               ("events", "{:,} events"))
            if isinstance(meta.get(k), (int, float))]
        tail.append(Section("", paragraphs=["; ".join(facts) + "."]))
    return tail


def render(tables: dict[str, pd.DataFrame], scenario, plots: list[str] = (),
           meta: dict | None = None) -> str:  # plots: names of PNGs under plots/ to embed
    return render_markdown(report_sections(tables, scenario, plots, meta))


def _legs_section(tables: dict[str, pd.DataFrame], sc: dict) -> list[Section]:
    """Transit days between the scenario's legs of interest (none when it names none)."""
    pairs = kpis.legs_of_interest(sc)
    if not pairs:
        return []
    title = "Transit between chosen nodes (days)"
    try:
        t = kpis.legs_table(tables["consignments"], tables.get("itinerary"), pairs)
    except ValueError as exc:
        return [Section(title, level=3, paragraphs=[str(exc)])]
    t = t.assign(**{c: t[c].round(1) for c in t.columns if c.endswith("_days")},
                 n=t["n"].map("{:,.0f}".format))
    return [Section(title, level=3, table=t.rename(columns=lambda c: c.replace("_days", ""))
                    .astype(str), notes=[
        "From arrival at the first node to arrival at the second (door-to-door for an "
        "origin → destination pair)."])]


def _economics_sections(tables: dict[str, pd.DataFrame], end_h: float) -> list[Section]:
    """Cost and CO₂e per TEU by origin-destination (with an ``economics:`` block) and the
    route choice of markets (with ``markets:``); none for a scenario with neither."""
    cons, out = tables["consignments"], []
    if kpis.has_accounts(cons):
        eco = kpis.economics_by_od(cons)
        out.append(Section("Cost and emissions per TEU", level=3, table=pd.DataFrame({
            "origin": eco["origin"], "destination": eco["destination"],
            "USD per TEU": eco["cost_usd_per_teu"].map("{:,.0f}".format),
            "kg CO₂e per TEU (WTW)": eco["co2e_kg_per_teu"].map("{:,.0f}".format),
            "kg CO₂e per TEU (TTW)": eco["co2e_ttw_kg_per_teu"].map("{:,.0f}".format)}),
            notes=["From the scenario's tariffs and emission factors (`economics:`), over "
                   "the consignments delivered after warm-up."]))
    ch = tables.get("choices")
    if ch is not None and len(ch):
        shares = kpis.route_shares(ch, 0.0, end_h)
        eco = kpis.route_economics(ch).merge(shares[["market", "route", "share"]],
                                             on=["market", "route"], how="outer")
        out.append(Section("Route choice", level=3, table=pd.DataFrame({
            "market": eco["market"], "route": eco["route"],
            "share of TEU": eco["share"].fillna(0.0).map("{:.1%}".format),
            "transit p50 (d)": eco["transit_p50_days"].map("{:.1f}".format),
            "USD per TEU": eco["cost_usd_per_teu"].map("{:,.0f}".format),
            "kg CO₂e per TEU": eco["co2e_kg_per_teu"].map("{:,.0f}".format)}),
            notes=["Each box of a market chooses its route when created (logit on "
                   "generalised cost); shares of the TEU created after warm-up, cost, CO₂e "
                   "and transit of the delivered boxes."]))
    return out


def _kpi_table_section(summary: pd.DataFrame | None) -> list[Section]:
    """Every KPI but the per-place and per-resource shares, with its interval."""
    if summary is None:
        return []
    keep = summary[~summary["kpi"].isin(("wait_share", "utilisation", "load_factor"))]
    def num(v) -> str:
        return "–" if pd.isna(v) else f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"

    return [Section("Key performance indicators", paragraphs=[
        "Mean over replications with its 95 % confidence interval (none with one "
        "replication); `kpis.csv` holds them all."], table=pd.DataFrame({
            "KPI": keep["kpi"], "group": keep["group"], "unit": keep["unit"],
            "mean": keep["mean"].map(num), "95 % CI low": keep["ci_low"].map(num),
            "95 % CI high": keep["ci_high"].map(num),
            "replications": keep["n"].astype(str)}))]


def _plots_in(folder: Path) -> list[str]:
    """Names of the PNGs in ``folder/plots``, in the standard order."""
    found = {p.stem for p in (Path(folder) / "plots").glob("*.png")}
    return [n for n in CAPTIONS if n in found] + sorted(found - set(CAPTIONS))


def run_html(folder: Path, tables: dict[str, pd.DataFrame], scenario,
             meta: dict | None = None) -> str:
    """The report as one self-contained HTML page (the PNGs in ``folder/plots`` inline,
    the table of every KPI added)."""
    return render_html(report_sections(tables, scenario, _plots_in(folder), meta,
                                       all_kpis=True), folder)


def write_report(folder: Path, tables: dict[str, pd.DataFrame], scenario,
                 meta: dict | None = None,
                 figures_done: Callable[[], object] | None = None) -> Path:
    """Write ``report.md`` and ``report.html`` into ``folder``, embedding the PNGs found
    in ``folder/plots`` (in the standard order); returns the path of ``report.md``.
    ``figures_done`` is called once the report's numbers are worked out, before the
    PNGs are looked for (e.g. to wait for figures drawn by another process)."""
    folder = Path(folder)
    path = folder / "report.md"
    body, every_kpi = _body_parts(tables, scenario, meta)
    if figures_done is not None:
        figures_done()
    tail = _tail(_plots_in(folder), meta)
    path.write_text(render_markdown([*body, *tail]), encoding="utf-8")
    (folder / "report.html").write_text(render_html([*body, *every_kpi, *tail], folder),
                                        encoding="utf-8")
    return path
