"""The notebook API: run a scenario, read a run back, compare runs.

>>> import corridor_sim as cs
>>> res = cs.run("scenarios/baseline_2023.yaml", replications=5, seed=7)
>>> res.kpis                                  # mean, sd, n and 95 % CI per KPI
>>> res.transit_days("xian", "istanbul").describe()
>>> res.plot.corridor_map()                   # a Figure; shows inline in Jupyter
>>> cs.compare({"2023": res, "+50 %": res2}).plot.transit_cdf()

Figures come from :mod:`corridor_sim.plotting` and display in Jupyter without set-up.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from . import __version__, kpis
from .scenario import Scenario, load_scenario

TABLES = ("consignments", "movements", "resources", "closures", "kpis")


class Results:
    """The tables of a run (every replication concatenated, with a ``replication``
    column), its scenario and metadata.

    ``consignments``, ``movements``, ``resources``, ``closures``: result tables (hours
    since the scenario's start date). ``kpis``: per KPI the mean over replications, sd, n
    and the 95 % confidence interval (``ci_low``, ``ci_high``; NaN with one replication).
    ``kpis_by_replication``: each replication's KPI values. ``plot``: figures.
    """

    def __init__(self, tables: dict[str, pd.DataFrame], scenario, meta: dict | None = None):
        self.tables = dict(tables)
        self.scenario = scenario
        self.meta = dict(meta or {})
        self.plot = _Plots(self)

    def __repr__(self) -> str:
        sc = kpis.scenario_dict(self.scenario)
        return (f"<Results {sc.get('name')}: {self.replications} replication(s), "
                f"{len(self.consignments)} consignments>")

    consignments = property(lambda self: self.tables["consignments"])
    movements = property(lambda self: self.tables["movements"])
    resources = property(lambda self: self.tables["resources"])
    closures = property(lambda self: self.tables.get(
        "closures", pd.DataFrame(columns=["replication", "target", "start_h", "end_h"])))
    kpis_by_replication = property(lambda self: self.tables["kpis"])

    @property
    def replications(self) -> int:
        return kpis.n_replications(self.consignments)

    @property
    def start_date(self) -> dt.date:
        return kpis.start_date_of(self.scenario)

    @property
    def horizon_h(self) -> float:
        return kpis.horizon_h(self.scenario)

    @property
    def kpis(self) -> pd.DataFrame:
        """KPI summary over replications: kpi, group, unit, mean, sd, n, ci_low, ci_high."""
        from .experiment import summarize_kpis

        k = self.tables["kpis"]
        if "value" not in k.columns:  # already a summary (read from disk)
            return k
        return summarize_kpis([k])

    def node_id(self, node: str) -> str:
        """The id of ``node``, given as its id or its name (``"Xi'an"``, ``"istanbul"``;
        case does not matter, and the start of a name is enough when it is unambiguous).
        Raises ValueError naming the nodes when nothing or several match."""
        nodes = kpis.scenario_dict(self.scenario).get("nodes", {})
        if node in nodes:
            return node
        key = node.strip().casefold()
        names = {nid: str((n or {}).get("name") or nid) for nid, n in nodes.items()}
        for match in (lambda nid, nm: key in (nid.casefold(), nm.casefold()),
                      lambda nid, nm: nm.casefold().startswith(key)):
            found = [nid for nid, nm in names.items() if match(nid, nm)]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ValueError(f"{node!r} matches several nodes: {', '.join(found)}")
        choices = ", ".join(f"{nid} ({nm})" if nm != nid else nid for nid, nm in names.items())
        raise ValueError(f"no node {node!r} in this scenario; nodes: {choices}")

    def transit_days(self, origin: str, destination: str) -> pd.Series:
        """Door-to-door transit (days) of consignments delivered after warm-up from
        ``origin`` to ``destination`` (node ids or names, see :meth:`node_id`), all
        replications pooled."""
        return kpis.transit_days(self.consignments, self.node_id(origin),
                                 self.node_id(destination))

    def transit(self) -> pd.DataFrame:
        """Transit days per origin -> destination: n, mean, p10, p50, p90, max, and the
        median trip from first departure to last arrival (``trip_p50_days``)."""
        return kpis.transit_by_od(self.consignments)

    def economics(self) -> pd.DataFrame:
        """Cost (USD) and CO2e (kg) per TEU per origin -> destination, in total and by
        kind (see :func:`kpis.economics_by_od`); needs a scenario with ``economics``."""
        return kpis.economics_by_od(self.consignments)

    def routes(self) -> pd.DataFrame:
        """Per market and route: share of the TEU, cost and CO2e per TEU and transit
        (see :func:`kpis.route_economics`); needs a scenario with ``markets``."""
        ch = self.tables["choices"]
        shares = kpis.route_shares(ch, 0.0, self.horizon_h)
        return shares.merge(kpis.route_economics(ch).drop(columns="teu"),
                            on=["market", "route"], how="outer")

    def bottlenecks(self) -> pd.DataFrame:
        """Where consignments wait, largest first (see :func:`kpis.bottlenecks`)."""
        return kpis.bottlenecks(self.movements, 0.0, self.horizon_h)

    def utilisation(self) -> pd.DataFrame:
        """Utilisation and queues per node and service (see :func:`kpis.resource_stats`)."""
        return kpis.resource_stats(self.resources, self.scenario)

    def save(self, out: str | Path, force: bool = False, plots: bool = True) -> Path:
        """Write the run as a results directory (tables, KPIs, plots, ``report.md``),
        atomically; ``force`` replaces a previous run there."""
        from .experiment import save_run

        meta = {"corridor_sim_version": __version__, **self.meta}
        from .plotting import run_figures

        return save_run(out, _validated(self.scenario), self.tables, meta, force=force,
                        plots=plots, figures=run_figures)


class _Plots:
    """Figures of one run; each method returns a matplotlib Figure."""

    def __init__(self, res: Results):
        self._r = res

    def throughput(self):
        from . import plotting
        return plotting.throughput(self._r.consignments, self._r.start_date)

    def transit_cdf(self):
        from . import plotting
        return plotting.transit_cdf(self._r.consignments, scenario=self._r.scenario)

    def delay_breakdown(self):
        from . import plotting
        return plotting.delay_breakdown(self._r.consignments, scenario=self._r.scenario)

    def delay_by_place(self, top: int = 14):
        from . import plotting
        return plotting.delay_by_place(self._r.movements, self._r.scenario, top=top)

    def queues(self, top: int = 4):
        from . import plotting
        return plotting.queues(self._r.tables, self._r.scenario, top=top)

    def utilisation(self):
        from . import plotting
        return plotting.utilisation(self._r.resources, self._r.scenario)

    def corridor_map(self):
        from . import plotting
        return plotting.corridor_map(self._r.movements, self._r.scenario)

    def cost_breakdown(self):
        from . import plotting
        return plotting.cost_breakdown(self._r.consignments, self._r.scenario)

    def route_shares(self):
        from . import plotting
        return plotting.route_shares(self._r.tables["choices"], self._r.start_date)

    def route_costs(self):
        from . import plotting
        return plotting.route_costs(self._r.tables["choices"], self._r.consignments)

    def route_tradeoff(self):
        from . import plotting
        return plotting.route_tradeoff(self._r.tables["choices"])


def _validated(scenario):
    return scenario if isinstance(scenario, Scenario) else Scenario.model_validate(scenario)


def run(scenario: Scenario | str | Path, replications: int = 1, seed: int | None = None,
        overrides: dict | None = None, **options) -> Results:
    """Run a scenario (a Scenario or a YAML path) ``replications`` times and return its
    :class:`Results`. ``seed`` replaces the scenario seed; ``overrides`` are dotted-path
    settings (``{"demand.scale": 1.5}``); ``options`` go to
    :func:`corridor_sim.experiment.run_replications` (for example a backend)."""
    from .experiment import run_replications

    if isinstance(scenario, Scenario):
        sc = scenario.with_overrides(overrides) if overrides else scenario
    else:
        sc = load_scenario(scenario, overrides or None)
    if seed is not None:
        sc = sc.with_overrides({"seed": seed})
    reps = run_replications(sc, replications, seed, **options)
    tables = {name: pd.concat([t[name] for t in reps], ignore_index=True)
              for name in reps[0]}
    meta = {"corridor_sim_version": __version__, "scenario": sc.name, "seed": sc.seed,
            "replications": replications}
    return Results(tables, sc, meta)


def load_results(path: str | Path) -> Results:
    """Read a results directory written by ``corridor-sim run`` or :meth:`Results.save`."""
    from .results_io import read_results

    path = Path(path)
    data = read_results(path)
    tables = {k: v for k, v in data.items() if isinstance(v, pd.DataFrame)}
    for name in ("closures", "kpis_by_replication"):
        if (path / f"{name}.csv").exists():
            tables[name] = pd.read_csv(path / f"{name}.csv")
    if "kpis_by_replication" in tables:
        tables["kpis"] = tables.pop("kpis_by_replication")
    try:
        scenario = Scenario.model_validate(data["scenario"])
    except ValueError:
        scenario = data["scenario"]  # capacities and coordinates still read from the dict
    return Results(tables, scenario, data["meta"])


def _as_results(item) -> Results:
    return item if isinstance(item, Results) else load_results(item)


class Comparison:
    """Runs side by side: ``table`` holds KPI differences against the first run (with
    Welch 95 % confidence intervals when runs have several replications); ``plot`` holds
    overlay figures; ``save`` writes both."""

    def __init__(self, runs: dict[str, Results]):
        if len(runs) < 2:
            raise ValueError("compare needs at least two runs")
        self.runs = runs
        self.table = kpis.kpi_differences({k: r.kpis_by_replication for k, r in runs.items()})
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
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        try:
            (tmp / "plots").mkdir()
            for name in ("transit_cdf", "throughput", "delay_breakdown"):
                getattr(self.plot, name)().savefig(tmp / "plots" / f"{name}.png", dpi=120)
            self.table.to_csv(tmp / "compare.csv", index=False)
            tmp.chmod(0o755)
            if out.exists():
                old = out.with_name(f".{out.name}.old-{os.getpid()}")
                os.replace(out, old)
                os.replace(tmp, out)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
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
        from . import plotting
        return plotting.transit_cdf_compare(self._cons(), names=self._names())

    def throughput(self):
        from . import plotting
        return plotting.throughput_compare(
            self._cons(), {k: r.start_date for k, r in self._c.runs.items()},
            {k: r.horizon_h for k, r in self._c.runs.items()})

    def delay_breakdown(self):
        from . import plotting
        return plotting.delay_breakdown_compare(self._cons(), names=self._names())


def compare(runs: dict[str, Results | str | Path]) -> Comparison:
    """Compare runs given as ``{label: Results or results directory}``; the first is the
    reference."""
    return Comparison({label: _as_results(item) for label, item in runs.items()})
