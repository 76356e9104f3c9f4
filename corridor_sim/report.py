"""``report.md``: a one-page summary of a run (key numbers, bottleneck ranking, plots).

Plain text from the result tables; the plots are linked as relative image paths to the
PNGs the run wrote under ``plots/``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import kpis

CAPTIONS = {
    "throughput": "Monthly throughput by flow",
    "transit_cdf": "Transit-time distribution per origin → destination",
    "delay_breakdown": "Delay breakdown by origin → destination",
    "delay_by_place": "Delay by place",
    "queues": "Backlog, queues at the busiest nodes and sea services over time",
    "utilisation": "Utilisation per node and sea service",
    "corridor_map": "Corridor map",
    "cost_breakdown": "Cost and CO₂e per TEU by origin → destination",
    "route_shares": "Route shares by month",
    "route_costs": "Cost and CO₂e per TEU by route",
    "route_tradeoff": "Transit, cost and CO₂e per route",
}


def _table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |"
              for row in df.itertuples(index=False)]
    return "\n".join(lines)


def render(tables: dict[str, pd.DataFrame], scenario, plots: list[str] = (),
           meta: dict | None = None) -> str:
    """The report as Markdown. ``plots`` are names of PNGs under ``plots/`` to embed."""
    sc = kpis.scenario_dict(scenario)
    start = kpis.start_date_of(sc)
    end_h = kpis.horizon_h(sc)
    cons, mov = tables["consignments"], tables["movements"]
    reps = kpis.n_replications(cons)
    warm = kpis.warmup_deliveries(cons)
    back = kpis.backlog_end(cons, end_h)
    out = [f"# {sc['name']}: run report", ""]
    if sc.get("description"):
        out += [str(sc["description"]).strip(), ""]
    out += [f"Simulated {sc['horizon_days']:g} days from {start} after "
            f"{sc.get('warmup_days', 0):g} days of warm-up; "
            f"{reps} replication{'s' * (reps != 1)}"
            + (f", seed {sc.get('seed')}" if sc.get("seed") is not None else "")
            + ". Figures are per replication on average; deliveries during warm-up "
            f"({warm['tons'] / 1e3:.1f} kt) are not counted.", ""]
    out += ["## Key numbers", "",
            f"- Tons delivered: **{kpis.tons_delivered(cons, 0.0, end_h) / 1e6:.3f} Mt** "
            f"({kpis.delivered(cons)['teu'].sum() / reps:,.0f} TEU)"]
    by_flow = kpis.throughput_by_flow(cons, end_h)
    for r in by_flow.itertuples():
        out.append(f"  - {r.flow}: {r.tons / 1e3:,.1f} kt")
    out.append(f"- In the system at the end: {back['consignments']:,.0f} consignments "
               f"({back['tons'] / 1e3:,.1f} kt)")
    out += ["", "### Door-to-door transit (days)", ""]
    tr = kpis.transit_by_od(cons)
    tr = tr.assign(**{c: tr[c].round(1) for c in tr.columns if c.endswith("_days")})
    out += [_table(tr.rename(columns=lambda c: c.replace("_days", ""))), ""]
    if "trip_p50_days" in tr:
        out += ["`trip_p50`: median from the first departure after loading at the origin to "
                "the last arrival before unloading at the destination.", ""]
    if kpis.has_accounts(cons):
        eco = kpis.economics_by_od(cons)
        out += ["### Cost and emissions per TEU", "",
                _table(pd.DataFrame({
                    "origin": eco["origin"], "destination": eco["destination"],
                    "USD per TEU": eco["cost_usd_per_teu"].map("{:,.0f}".format),
                    "kg CO₂e per TEU (WTW)": eco["co2e_kg_per_teu"].map("{:,.0f}".format),
                    "kg CO₂e per TEU (TTW)": eco["co2e_ttw_kg_per_teu"].map(
                        "{:,.0f}".format)})), "",
                "From the scenario's tariffs and emission factors (`economics:`), over the "
                "consignments delivered after warm-up.", ""]
    if tables.get("choices") is not None and len(tables["choices"]):
        ch = tables["choices"]
        shares = kpis.route_shares(ch, 0.0, end_h)
        eco = kpis.route_economics(ch).merge(shares[["market", "route", "share"]],
                                             on=["market", "route"], how="outer")
        out += ["### Route choice", "",
                _table(pd.DataFrame({
                    "market": eco["market"], "route": eco["route"],
                    "share of TEU": eco["share"].fillna(0.0).map("{:.1%}".format),
                    "transit p50 (d)": eco["transit_p50_days"].map("{:.1f}".format),
                    "USD per TEU": eco["cost_usd_per_teu"].map("{:,.0f}".format),
                    "kg CO₂e per TEU": eco["co2e_kg_per_teu"].map("{:,.0f}".format)})), "",
                "Each box of a market chooses its route when created (logit on generalised "
                "cost); shares of the TEU created after warm-up, cost, CO₂e and transit of "
                "the delivered boxes.", ""]
    out += ["### Bottlenecks (where consignments wait)", ""]
    b = kpis.bottlenecks(mov, 0.0, end_h).head(8)
    b = pd.DataFrame({
        "rank": range(1, len(b) + 1), "place": b["place"],
        "consignment-hours waited": b["unit_hours"].map("{:,.0f}".format),
        "share of waiting": b["share"].map("{:.0%}".format),
        "share of all delay": b["share_of_delay"].map("{:.0%}".format)})
    out += [_table(b), ""]
    if "resources" in tables:
        st = kpis.resource_stats(tables["resources"], sc, 0.0, end_h)
        st = st.sort_values("utilisation", ascending=False).head(6)
        out += ["### Busiest resources", "",
                _table(pd.DataFrame({
                    "resource": st["name"], "capacity": st["capacity"].map("{:g}".format),
                    "utilisation": st["utilisation"].map("{:.0%}".format),
                    "peak in use": st["busy_max"].map("{:g}".format),
                    "mean TEU waiting": [f"{v:.0f}" if k == "node" else "–" for k, v in
                                         zip(st["kind"], st["teu_waiting_mean"])]})), ""]
    if plots:
        out += ["## Plots", ""]
        for name in plots:
            out += [f"### {CAPTIONS.get(name, name)}", "", f"![{name}](plots/{name}.png)", ""]
    if meta:
        out += ["---", f"corridor-sim {meta.get('corridor_sim_version', '')}; "
                f"wall time {meta.get('wall_s', '?')} s; {meta.get('events', '?')} events."]
    return "\n".join(out) + "\n"


def write_report(folder: Path, tables: dict[str, pd.DataFrame], scenario,
                 meta: dict | None = None) -> Path:
    """Write ``report.md`` into ``folder``, embedding the PNGs found in ``folder/plots``
    (in the standard order)."""
    folder = Path(folder)
    found = {p.stem for p in (folder / "plots").glob("*.png")}
    plots = [n for n in CAPTIONS if n in found] + sorted(found - set(CAPTIONS))
    path = folder / "report.md"
    path.write_text(render(tables, scenario, plots, meta))
    return path
