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
import functools
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from . import __version__, atomic, kpis
from .budget import sparse_flows
from .experiment import RunOptions, replications_in_memory, save_run, summarize_kpis
from .kpis import legs
from .report import run_html, write_report
from .results_io import read_results
from .run_tables import ReplicatedTables
from .scenario import Scenario, load_scenario, with_overrides
from .scenario.errors import ScenarioWarning
from .scenario.semantics import warn_outside_horizon


def _plotting():
    """The plotting package, imported when a figure is first asked for: it loads
    matplotlib (about a second), which reading or running results does not need."""
    from . import plotting

    return plotting


def _figure_names(plots: bool | str | Iterable[str] | None) -> list[str]:
    """The standard figures that ``plots`` asks for (see :meth:`Results.save` and
    :func:`corridor_sim.plotting.figure_names`); matplotlib is not loaded for none."""
    if plots is False or plots is None or plots == "none":
        return []
    return _plotting().figure_names(plots)


class Results:
    """The tables of a run (every replication concatenated, with a ``replication``
    column), its scenario and metadata.

    ``consignments``, ``movements``, ``resources``, ``closures``: result tables (hours
    since the scenario's start date). ``kpis``: per KPI the mean over replications, sd, n
    and the 95 % confidence interval (``ci_low``, ``ci_high``; NaN with one replication).
    ``kpis_by_replication``: each replication's KPI values. ``plot``: figures.

    From :func:`run`, each table (and the KPIs) is built from the simulation when first
    read, once: ``run`` returns when the simulation ends, and a table nobody reads costs
    nothing.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame], scenario, meta: dict | None = None):
        # tables built on first access (from cs.run) stay so; others are copied
        self.tables = tables if isinstance(tables, ReplicatedTables) else dict(tables)
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

    def dated(self, table: str = "consignments") -> pd.DataFrame:
        """A result table with calendar datetime columns next to its hours columns
        (``created``, ``delivered``, ``departed``, ``arrived`` for consignments; ``start``,
        ``end`` for movements; ``t`` for resources), e.g.
        ``res.dated().set_index("delivered").resample("MS")["tons"].sum()``."""
        return kpis.with_dates(self.tables[table], self.start_date)

    @property
    def itinerary(self) -> pd.DataFrame:
        """One row per consignment per node passed (``arrived_h``, ``departed_h``, the
        ``batch_id`` it left on); raises ValueError for a run without one
        (``outputs.itinerary`` off)."""
        if "itinerary" not in self.tables:
            raise ValueError("this run has no itinerary table (outputs.itinerary was off)")
        return self.tables["itinerary"]

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

    def transit_days(self, a: str, b: str) -> pd.Series:
        """Transit days from node ``a`` to node ``b`` (ids or names, see :meth:`node_id`),
        all replications pooled, consignments reaching ``b`` after warm-up. For an origin
        and destination of the run's flows: door-to-door transit of the consignments
        shipped between them. For any other two nodes on consignments' routes: from the
        arrival at ``a`` (creation at an origin) to the arrival at ``b`` (delivery at a
        destination), read from the itinerary (see :mod:`corridor_sim.kpis.legs`)."""
        return legs.transit_between(self.consignments, self.tables.get("itinerary"),
                                    self.node_id(a), self.node_id(b))

    def legs(self, pairs: list[tuple[str, str]] | None = None) -> pd.DataFrame:
        """Transit days (n, mean, p10, p50, p90) for pairs of nodes (ids or names;
        default: the scenario's ``report.legs_of_interest``)."""
        if pairs is None:
            pairs = legs.legs_of_interest(self.scenario)
        pairs = [(self.node_id(a), self.node_id(b)) for a, b in pairs]
        return legs.legs_table(self.consignments, self.tables.get("itinerary"), pairs)

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
        """Utilisation (busy time, 0-1) and load factor of every node, rail line, port's
        berths, sea service's fleet and fleet of wagons, platforms or containers (kind
        ``stock``: share of unit-time not idle), busiest first (definitions in
        :mod:`corridor_sim.kpis.utilisation`), with the mean and peak trains queued and TEU
        waiting at nodes (:func:`kpis.resource_stats`)."""
        return kpis.utilisation_table(self.tables, self.scenario)

    def save(self, out: str | Path, force: bool = False,
             plots: bool | str | Iterable[str] = True) -> Path:
        """Write the run as a results directory (tables, KPIs, plots, ``report.md``),
        atomically; ``force`` replaces a previous run there. ``plots``: the figures drawn
        into ``plots/`` and shown in the report, as with ``corridor-sim run --plots``:
        ``True`` or ``"all"`` every standard figure that applies, ``"core"`` those of
        :data:`corridor_sim.plotting.CORE` that apply, a list of names of
        :data:`corridor_sim.plotting.STANDARD`, ``False`` or ``"none"`` none."""
        names = _figure_names(plots)
        meta = {"corridor_sim_version": __version__, **self.meta}
        figures = functools.partial(_plotting().run_figures, names=names) if names else None
        return save_run(out, _validated(self.scenario), self.tables, meta, force=force,
                        plots=bool(names), report=write_report, figures=figures)

    def to_html(self, path: str | Path, plots: bool | str | Iterable[str] = True) -> Path:
        """Write a self-contained ``report.html`` of this run to ``path`` (figures
        inline; nothing else is written), atomically; ``plots`` as for :meth:`save`."""
        path = Path(path)
        names = _figure_names(plots)
        with tempfile.TemporaryDirectory() as tmp:
            if names:
                _plotting().run_figures(self.tables, self.scenario, Path(tmp) / "plots",
                                        names=names)
            text = run_html(Path(tmp), self.tables, self.scenario, self.meta)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_file(path, text)
        return path


class _Plots:
    """Figures of one run; each method returns a matplotlib Figure. Keyword options go to
    the function of :mod:`corridor_sim.plotting` of the same name: ``ax=`` draws into an
    axes of your own (e.g. a subplot of ``plt.subplots``), ``figsize=`` sets the size;
    ``throughput`` also takes ``flows=`` and a date window ``start=``, ``end=``."""

    def __init__(self, res: Results):
        self._r = res

    def throughput(self, **options):
        return _plotting().throughput(self._r.consignments, self._r.start_date,
                                      end_h=self._r.horizon_h, **options)

    def transit_cdf(self, **options):
        return _plotting().transit_cdf(self._r.consignments, scenario=self._r.scenario,
                                       **options)

    def delay_breakdown(self, **options):
        return _plotting().delay_breakdown(self._r.consignments, scenario=self._r.scenario,
                                           **options)

    def delay_by_place(self, top: int = 14, **options):
        return _plotting().delay_by_place(self._r.movements, self._r.scenario, top=top,
                                          **options)

    def queues(self, top: int = 4, **options):
        return _plotting().queues(self._r.tables, self._r.scenario, top=top, **options)

    def utilisation(self, **options):
        return _plotting().utilisation(self._r.movements, self._r.scenario,
                                       fleets=self._r.tables.get("fleets"), **options)

    def both_directions(self, **options):
        """Tons delivered per month each way and deck use per crossing (cargo,
        background traffic, free)."""
        return _plotting().both_directions(self._r.consignments, self._r.movements,
                                           self._r.scenario, **options)

    def corridor_map(self):
        return _plotting().corridor_map(self._r.movements, self._r.scenario)

    def stringline(self, route: list[str] | None = None, start_h: float = 0.0,
                   end_h: float | None = None, replication: int = 0, ax=None):
        """Time–distance diagram of trains and voyages along ``route`` (node ids or
        names; default the longest flow route), two weeks from ``start_h`` by default."""
        route = [self._r.node_id(n) for n in route] if route else None
        return _plotting().stringline(self._r.movements, self._r.scenario, route, start_h,
                                   end_h, replication, ax=ax)

    def fleet_timeline(self, target: str | None = None, start_h: float = 0.0,
                       end_h: float | None = None, replication: int = 0, ax=None):
        """Gantt chart of the voyages of a sea service or the trains on a leg (by its
        key, e.g. ``"caspian_ferry"`` or ``"tbilisi-akhalkalaki"``)."""
        return _plotting().fleet_timeline(self._r.movements, self._r.scenario, target, start_h,
                                       end_h, replication, ax=ax)

    def journey(self, consignment_id: int, replication: int = 0, ax=None):
        """One consignment's stops and rides on a time axis (from the itinerary)."""
        return _plotting().consignment_journey(self._r.itinerary, consignment_id,
                                            self._r.scenario, self._r.movements,
                                            replication, ax=ax)

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
    settings (``{"demand.scale": 1.5}``); both are applied together, in one validation.
    ``options`` are the other fields of :class:`corridor_sim.experiment.RunOptions` (for
    example ``backend="serial"`` or ``progress=False``)."""
    settings = dict(overrides or {})
    if seed is not None:
        settings["seed"] = seed
    if isinstance(scenario, Scenario):
        sc = with_overrides(scenario, settings) if settings else scenario
    else:
        sc = load_scenario(scenario, settings or None)
    warn_outside_horizon(sc)
    for message in sparse_flows(sc):
        warnings.warn(message, ScenarioWarning, stacklevel=2)
    reps = replications_in_memory(sc, RunOptions(replications=replications, **options))
    tables = ReplicatedTables(reps)  # each table built and concatenated when first read
    meta = {"corridor_sim_version": __version__, "scenario": sc.name, "seed": sc.seed,
            "replications": replications, "overrides": dict(overrides or {})}
    return Results(tables, sc, meta)


def load_results(path: str | Path) -> Results:
    """Read a results directory written by ``corridor-sim run`` or :meth:`Results.save`."""
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
