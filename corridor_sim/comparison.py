"""Runs side by side: KPI differences with confidence intervals, overlay plots and a
comparison page (``cs.compare``; ``corridor-sim compare``)."""

from __future__ import annotations

import warnings
from pathlib import Path

from . import atomic, kpis
from .api import Results, _as_results, _plotting
from .kpis.compare import run_settings, unlike_runs, with_per_year
from .report_html import compare_html
from .report_verdict import verdict


class UnlikeRunsWarning(UserWarning):
    """Compared runs differ in horizon, warm-up, start date or number of replications."""


class Comparison:
    """Runs side by side: ``table`` holds KPI differences against the first run (with
    Welch 95 % confidence intervals when runs have several replications), including
    ``tons_per_year`` (tons delivered scaled to 365 days); ``plot`` holds overlay figures;
    ``save`` writes both. ``settings`` holds each run's horizon, warm-up, start date and
    replications; ``warnings`` says where they differ from the first run's (each is also
    issued as an :class:`UnlikeRunsWarning`)."""

    def __init__(self, runs: dict[str, Results]):
        if len(runs) < 2:
            raise ValueError("compare needs at least two runs")
        self.runs = runs
        self.settings = {k: run_settings(r.scenario, r.replications) for k, r in runs.items()}
        self.warnings = unlike_runs(self.settings)
        for message in self.warnings:
            warnings.warn(message, UnlikeRunsWarning, stacklevel=3)
        self.table = kpis.kpi_differences({
            k: with_per_year(r.kpis_by_replication, self.settings[k]["horizon_days"])
            for k, r in runs.items()})
        self.plot = _ComparePlots(self)

    def save(self, out: str | Path, force: bool = False) -> Path:
        """Write ``compare.csv`` and ``plots/*.png`` into ``out`` atomically; ``force``
        replaces an earlier comparison there (never any other directory)."""
        out = Path(out)
        if out.exists() and any(out.iterdir()):
            if not (out / "compare.csv").is_file():
                raise FileExistsError(f"{out} exists and is not a comparison; choose "
                                      "another --out")
            if not force:
                raise FileExistsError(f"{out} already holds a comparison; pass --force to "
                                      "replace it")
        atomic.remove_stale_temporaries(out)
        with atomic.directory(out) as tmp:
            (tmp / "plots").mkdir()
            plotting = _plotting()
            for name in ("transit_cdf", "throughput", "delay_breakdown"):
                fig = getattr(self.plot, name)()
                fig.savefig(tmp / "plots" / f"{name}.png", dpi=120)
                plotting.release(fig)
            self.table.to_csv(tmp / "compare.csv", index=False)
            verdicts = {label: (kpis.scenario_dict(r.scenario).get("name"),
                                verdict(r.tables, r.scenario)) for label, r in self.runs.items()}
            (tmp / "report.html").write_text(compare_html(tmp, self.table, verdicts),
                                             encoding="utf-8")
        return out


class _ComparePlots:
    """Overlay figures of a :class:`Comparison`; each returns a matplotlib Figure."""

    def __init__(self, comparison: Comparison):
        self._c = comparison

    def _cons(self):
        return {k: r.consignments for k, r in self._c.runs.items()}

    def _names(self):
        first = next(iter(self._c.runs.values()))
        t = kpis.node_table(first.scenario)
        return dict(zip(t["node"], t["name"]))

    def transit_cdf(self):
        return _plotting().transit_cdf_compare(self._cons(), names=self._names())

    def throughput(self):
        return _plotting().throughput_compare(
            self._cons(), {k: r.start_date for k, r in self._c.runs.items()},
            {k: r.horizon_h for k, r in self._c.runs.items()})

    def delay_breakdown(self):
        return _plotting().delay_breakdown_compare(self._cons(), names=self._names())


def compare(runs: dict[str, Results | str | Path]) -> Comparison:
    """Compare runs given as ``{label: Results or results directory}``; the first is the
    reference."""
    return Comparison({label: _as_results(item) for label, item in runs.items()})
