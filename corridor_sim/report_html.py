"""``report.html``: one self-contained page per run, comparison or sweep.

Everything is inline: the figures are the PNGs the run wrote under ``plots/``, embedded
as base64 ``data:`` URIs; the style is a ``<style>`` block; no script, font, stylesheet
or image is fetched from anywhere, so the file opens the same offline, attached to an
e-mail or from a shared drive. Tables carry their units in the column headers.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from pathlib import Path

import numpy as np
import pandas as pd

from . import kpis
from .report import CAPTIONS

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 margin:0 auto;max-width:1150px;padding:1.5em;color:#1d2733;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:1px solid #d5dbe1;padding-bottom:.2em;
 margin-top:1.8em} h3{margin-bottom:.3em}
.verdict{padding:.8em 1em;border-radius:6px;font-size:1.1em;margin:1em 0}
.verdict.bad{background:#fde8e6;border-left:6px solid #c0392b}
.verdict.good{background:#e6f4ea;border-left:6px solid #2e7d32}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}
th,td{border:1px solid #d5dbe1;padding:.25em .6em;text-align:right}
th{background:#eef2f6} td:first-child,th:first-child{text-align:left}
figure{margin:1em 0} figure img{max-width:100%;height:auto;border:1px solid #e3e7eb}
figcaption{font-size:.9em;color:#52606d} .muted{color:#52606d;font-size:.9em}
code{background:#f3f5f7;padding:0 .25em}
"""


def _esc(x) -> str:
    return html.escape(str(x))


def _table(df: pd.DataFrame, digits: int = 2) -> str:
    def fmt(v):
        if isinstance(v, float | np.floating):
            if not np.isfinite(v):
                return "–"
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.{digits}f}"
        return _esc(v)
    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(path: Path, caption: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (f'<figure><img alt="{_esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_esc(caption)}</figcaption></figure>")


def _figures(folder: Path, captions: dict[str, str] | None = None) -> str:
    captions = captions or CAPTIONS
    found = {p.stem: p for p in sorted((Path(folder) / "plots").glob("*.png"))}
    order = [n for n in captions if n in found] + sorted(set(found) - set(captions))
    return "".join(_figure(found[n], captions.get(n, n.replace("_", " "))) for n in order)


def _page(title: str, body: list[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def _summary(k: pd.DataFrame) -> pd.DataFrame:
    """KPI summary (mean, ci_low, ci_high...) from a per-replication or summary table."""
    if "value" in k.columns:
        from .experiment import summarize_kpis

        return summarize_kpis([k])
    return k


def verdict(summary: pd.DataFrame, overload: dict | None = None) -> tuple[bool, str]:
    """(overloaded, sentence) from a KPI summary: the share of replications whose backlog
    grows over the run, and the busiest resource (from ``overload``, the run's
    ``run.json`` entry, when given, else from the utilisation KPIs)."""
    grow = summary.loc[summary["kpi"] == "backlog_growing", "mean"]
    share = float(grow.iloc[0]) if len(grow) else 0.0
    busiest = ""
    top = (overload or {}).get("busiest") or []
    util = summary[summary["kpi"] == "utilisation"].sort_values("mean", ascending=False)
    if top:
        busiest = (f"; busiest resource: {top[0]['kind']} {top[0]['resource']} "
                   f"(utilisation {top[0]['utilisation']:.0%})")
    elif len(util):
        r = util.iloc[0]
        busiest = f"; busiest resource: {r['group']} (utilisation {r['mean']:.0%})"
    n = int(summary.loc[grow.index[0], "n"]) if len(grow) and "n" in summary else 1
    if share > 0:
        reps = f" in {share:.0%} of {n} replications" if n > 1 else ""
        return True, f"OVERLOADED: the backlog grows over the run{reps}{busiest}."
    return False, f"Not overloaded: the backlog does not grow over the run{busiest}."


# per-place and per-resource shares have their own tables; transit spreads are in the
# transit table
HIDDEN_KPIS = ("wait_share", "utilisation", "transit_mean_days", "transit_p10_days",
               "transit_max_days")


def _kpi_rows(summary: pd.DataFrame) -> pd.DataFrame:
    keep = summary[~summary["kpi"].isin(HIDDEN_KPIS)]
    return pd.DataFrame({"KPI": keep["kpi"], "group": keep["group"], "unit": keep["unit"],
                         "mean": keep["mean"].astype(float),
                         "95 % CI low": keep["ci_low"].astype(float),
                         "95 % CI high": keep["ci_high"].astype(float),
                         "replications": keep["n"]})


def _scenario_block(sc: dict, meta: dict) -> list[str]:
    out = ["<h2>Scenario</h2>", f"<p><b>{_esc(sc.get('name'))}</b>: "
           f"{_esc(str(sc.get('description') or '').strip())}</p>",
           f"<p>Start {_esc(sc.get('start_date'))}, {float(sc['horizon_days']):g} days "
           f"measured after {float(sc.get('warmup_days') or 0):g} days of warm-up; seed "
           f"{_esc(meta.get('seed', sc.get('seed')))}; corridor-sim "
           f"{_esc(meta.get('corridor_sim_version', ''))}.</p>"]
    overrides = meta.get("overrides")
    if overrides:
        rows = [(str(k), str(v)) for k, v in overrides.items()] \
            if isinstance(overrides, dict) else \
            [tuple((str(o).split("=", 1) + [""])[:2]) for o in overrides]
        out.append("<p>Overrides:</p>" + _table(pd.DataFrame(rows, columns=["path",
                                                                             "value"])))
    else:
        out.append('<p class="muted">Overrides: none recorded (the scenario as resolved '
                   "is in <code>scenario.resolved.yaml</code>).</p>")
    flows = pd.DataFrame([{"flow": f["id"], "from": f["from"], "to": f["to"],
                           "offered (kt/yr)": float(f.get("tons_per_year") or np.nan) / 1e3}
                          for f in sc.get("flows", [])])
    if len(flows):
        out += ["<h3>Flows offered</h3>", _table(flows, 1)]
    return out


def run_html(folder: Path, tables: dict[str, pd.DataFrame], scenario, meta: dict,
             summary: pd.DataFrame) -> str:
    """The report of a run (one or several replications) whose files are in ``folder``."""
    sc = kpis.scenario_dict(scenario)
    end_h = kpis.horizon_h(sc)
    cons, mov = tables["consignments"], tables["movements"]
    reps = kpis.n_replications(cons)
    bad, sentence = verdict(summary, meta.get("overload"))
    body = [f"<h1>{_esc(sc['name'])}: run report</h1>",
            f'<div class="verdict {"bad" if bad else "good"}">{_esc(sentence)}</div>',
            f"<p>{reps} replication{'s' * (reps != 1)}; figures per replication on average. "
            f"Tons delivered: <b>{kpis.tons_delivered(cons, 0.0, end_h) / 1e6:.3f} Mt</b>; "
            f"created {dt.date.today():%Y-%m-%d}.</p>"]
    body += _scenario_block(sc, meta)
    body += ["<h2>Key performance indicators</h2>",
             '<p class="muted">Mean over replications with its 95 % confidence interval '
             "(none with one replication).</p>", _table(_kpi_rows(summary), 3)]
    tr = kpis.transit_by_od(cons).rename(columns=lambda c: c.replace("_days", " (days)"))
    body += ["<h2>Door-to-door transit</h2>", _table(tr, 1)]
    pairs = kpis.legs_of_interest(sc)
    if pairs:
        body.append("<h2>Transit between chosen nodes</h2>")
        try:
            lt = kpis.legs_table(cons, tables.get("itinerary"), pairs)
            body += [_table(lt.rename(columns=lambda c: c.replace("_days", " (days)")), 1),
                     '<p class="muted">From arrival at the first node to arrival at the '
                     "second, from the itinerary (door-to-door for an origin → destination "
                     "pair).</p>"]
        except ValueError as exc:
            body.append(f"<p>{_esc(exc)}</p>")
    flows = kpis.throughput_by_flow(cons, end_h)
    body += ["<h2>Delivered per flow</h2>",
             _table(pd.DataFrame({"flow": flows["flow"].astype(str),
                                  "delivered (kt)": flows["tons"] / 1e3}), 1)]
    b = kpis.bottlenecks(mov, 0.0, end_h).head(8)
    body += ["<h2>Bottlenecks</h2>",
             _table(pd.DataFrame({"place": b["place"],
                                  "consignment-hours waited": b["unit_hours"],
                                  "share of waiting (%)": 100 * b["share"],
                                  "share of all delay (%)": 100 * b["share_of_delay"]}), 0)]
    body += ["<h2>Plots</h2>", _figures(folder) or '<p class="muted">No plots written.</p>']
    return _page(f"{sc['name']}: run report", body)


def write_run_html(folder: Path, tables: dict[str, pd.DataFrame] | None = None,
                   scenario=None, meta: dict | None = None,
                   summary: pd.DataFrame | None = None) -> Path:
    """Write ``folder/report.html`` for a run; tables, scenario, meta and the KPI summary
    are read from ``folder`` where not given."""
    folder = Path(folder)
    if tables is None or scenario is None or summary is None:
        from .results_io import read_results

        data = read_results(folder) if (folder / "run.json").exists() else {}
        tables = tables or {k: v for k, v in data.items() if isinstance(v, pd.DataFrame)}
        scenario = scenario if scenario is not None else data.get("scenario")
        if summary is None:
            summary = _summary(pd.read_csv(folder / "kpis.csv"))
    path = folder / "report.html"
    path.write_text(run_html(folder, tables, scenario, meta or {}, summary),
                    encoding="utf-8")
    return path


def compare_html(folder: Path, table: pd.DataFrame, runs: dict[str, object]) -> str:
    """The report of a comparison: each run's verdict, KPI differences with intervals
    and the overlay plots in ``folder/plots``."""
    body = ["<h1>Comparison</h1>",
            f"<p>Reference: <b>{_esc(next(iter(runs)))}</b>; differences are each run minus "
            "the reference, with the 95 % confidence interval of the difference (Welch's "
            "t, when both runs have two or more replications).</p>"]
    for label, res in runs.items():
        bad, sentence = verdict(_summary(res.kpis_by_replication), res.meta.get("overload"))
        name = kpis.scenario_dict(res.scenario).get("name")
        body.append(f'<div class="verdict {"bad" if bad else "good"}"><b>{_esc(label)}</b> '
                    f"({_esc(name)}): {_esc(sentence)}</div>")
    t = table[~table["kpi"].isin(["wait_share", "utilisation"])]
    body += ["<h2>KPI differences</h2>", _table(pd.DataFrame({
        "run": t["run"], "KPI": t["kpi"], "group": t["group"], "unit": t["unit"],
        "reference": t["base_mean"], "run mean": t["mean"], "difference": t["diff"],
        "relative (%)": 100 * t["rel_diff"], "95 % CI low": t["ci_low"],
        "95 % CI high": t["ci_high"]}), 3)]
    captions = {"transit_cdf": "Transit-time distributions", "throughput": "Monthly "
                "throughput", "delay_breakdown": "Delay breakdown per run"}
    body += ["<h2>Plots</h2>", _figures(folder, captions)]
    return _page("corridor-sim comparison", body)


def sweep_html(folder: Path, scenario, sweep_kpis: pd.DataFrame, points: pd.DataFrame) -> str:
    """The report of a sweep: points, the main KPIs by point with intervals, the plot."""
    sc = kpis.scenario_dict(scenario)
    shown = sweep_kpis[sweep_kpis["kpi"].isin(["tons_delivered", "transit_p50_days",
                                               "transit_p90_days", "backlog_growing"])]
    grow = sweep_kpis[sweep_kpis["kpi"] == "backlog_growing"]
    over = grow.loc[grow["mean"] > 0, "point"].astype(str).tolist()
    sentence = (f"OVERLOADED at {len(over)} of {len(points)} points: {', '.join(over)}."
                if over else f"Not overloaded at any of the {len(points)} points.")
    body = [f"<h1>{_esc(sc.get('name'))}: sweep report</h1>",
            f'<div class="verdict {"bad" if over else "good"}">{_esc(sentence)}</div>',
            "<h2>Points</h2>", _table(points, 3),
            "<h2>Main KPIs by point</h2>", _table(shown, 3),
            "<h2>Plots</h2>", _figures(folder, {"sweep_kpis": "Main KPIs by factor level"})]
    return _page(f"{sc.get('name')}: sweep report", body)
