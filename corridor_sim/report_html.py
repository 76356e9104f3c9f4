"""``report.html``: one self-contained page per run, comparison or sweep.

A run's page renders the same sections as ``report.md`` (:func:`corridor_sim.report.
report_sections`), so both say the same numbers. Everything is inline: the figures are
the PNGs written under ``plots/``, embedded as base64 ``data:`` URIs; the style is a
``<style>`` block; no script, font, stylesheet or image is fetched from anywhere, so the
file opens the same offline, attached to an e-mail or from a shared drive. Tables carry
their units in the column headers.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import kpis

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
EMPHASIS = re.compile(r"\*\*(.+?)\*\*")
CODE = re.compile(r"`([^`]+)`")


def _esc(x) -> str:
    return html.escape(str(x))


def inline(text: str) -> str:
    """A line of the report's Markdown (``**bold**`` and ```code``` only) as HTML."""
    out = _esc(text)
    out = EMPHASIS.sub(r"<b>\1</b>", out)
    return CODE.sub(r"<code>\1</code>", out)


def html_table(df: pd.DataFrame, digits: int = 2) -> str:
    """A table; floats get ``digits + 1`` significant digits (no decimals from 1,000 up),
    NaN shows as –."""
    def fmt(v):
        if isinstance(v, float | np.floating):
            if not np.isfinite(v):
                return "–"
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits + 1}g}"
        return inline(v)
    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(path: Path, caption: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (f'<figure><img alt="{_esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_esc(caption)}</figcaption></figure>")


def _figures(folder: Path, captions: dict[str, str]) -> str:
    found = {p.stem: p for p in sorted((Path(folder) / "plots").glob("*.png"))}
    order = [n for n in captions if n in found] + sorted(set(found) - set(captions))
    return "".join(_figure(found[n], captions.get(n, n.replace("_", " "))) for n in order)


def page(title: str, body: list[str]) -> str:
    """A whole HTML document around ``body`` (fragments), with the inline style."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_esc(title)}</title><style>{STYLE}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def render_html(sections, folder: Path) -> str:
    """Report sections (:class:`corridor_sim.report.Section`) as one page; images are
    read from ``folder`` (their paths are relative to it) and embedded."""
    body: list[str] = []
    for s in sections:
        if s.title:
            body.append(f"<h{s.level}>{inline(s.title)}</h{s.level}>")
        else:
            body.append("<hr>")
        items: list[str] = []
        for i, p in enumerate(s.paragraphs):
            if p.startswith("- "):
                items.append(f"<li>{inline(p[2:])}</li>")
                continue
            if items:
                body.append("<ul>" + "".join(items) + "</ul>")
                items = []
            if i == 0 and s.verdict is not None:
                body.append(f'<div class="verdict {"bad" if s.verdict else "good"}">'
                            f"{inline(p)}</div>")
            else:
                body.append(f"<p>{inline(p)}</p>")
        if items:
            body.append("<ul>" + "".join(items) + "</ul>")
        if s.table is not None:
            body.append(html_table(s.table))
        body += [f'<p class="muted">{inline(n)}</p>' for n in s.notes]
        body += [_figure(Path(folder) / path, caption) for caption, path in s.images
                 if (Path(folder) / path).is_file()]
    title = next((s.title for s in sections if s.level == 1), "corridor-sim report")
    return page(title, body)


COMPARE_CAPTIONS = {"transit_cdf": "Transit-time distributions",
                    "throughput": "Monthly throughput",
                    "delay_breakdown": "Delay breakdown per run"}


def compare_html(folder: Path, table: pd.DataFrame,
                 verdicts: dict[str, tuple[str, dict]]) -> str:
    """The report of a comparison: each run's verdict (``{label: (scenario name,
    corridor_sim.report_verdict.verdict of the run)}``, the first run the reference), KPI
    differences with intervals and the overlay plots in ``folder/plots``."""
    body = ["<h1>Comparison</h1>",
            f"<p>Reference: <b>{_esc(next(iter(verdicts)))}</b>; differences are each run "
            "minus the reference, with the 95 % confidence interval of the difference "
            "(Welch's t, when both runs have two or more replications).</p>"]
    for label, (name, v) in verdicts.items():
        body.append(f'<div class="verdict {"bad" if v["overloaded"] else "good"}">'
                    f"<b>{_esc(label)}</b> ({_esc(name)}): {inline(v['text'])}</div>")
    t = table[~table["kpi"].isin(["wait_share", "utilisation"])]
    body += ["<h2>KPI differences</h2>", html_table(pd.DataFrame({
        "run": t["run"], "KPI": t["kpi"], "group": t["group"], "unit": t["unit"],
        "reference": t["base_mean"], "run mean": t["mean"], "difference": t["diff"],
        "relative (%)": 100 * t["rel_diff"], "95 % CI low": t["ci_low"],
        "95 % CI high": t["ci_high"]}), 3)]
    body += ["<h2>Plots</h2>", _figures(folder, COMPARE_CAPTIONS)]
    return page("corridor-sim comparison", body)


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
            "<h2>Points</h2>", html_table(points, 3),
            "<h2>Main KPIs by point</h2>", html_table(shown, 3),
            "<h2>Plots</h2>", _figures(folder, {"sweep_kpis": "Main KPIs by factor level"})]
    return page(f"{sc.get('name')}: sweep report", body)


def write_sweep_html(folder: Path, scenario, sweep_kpis: pd.DataFrame,
                     points: pd.DataFrame) -> Path:
    """Write ``folder/report.html`` for a sweep (see :func:`sweep_html`)."""
    path = Path(folder) / "report.html"
    path.write_text(sweep_html(folder, scenario, sweep_kpis, points), encoding="utf-8")
    return path
