"""The tables of a run, each built when it is first read.

A simulation leaves plain arrays (:class:`corridor_sim.engine.RunData`); turning them into
tables and KPIs costs about as much again as simulating. :class:`RunTables` holds one
replication's run and builds each table (``consignments``, ``movements``, ``resources``,
``itinerary``, ``fleets``, ``background``, ``choices``, ``kpis``, ``closures``, the same
names and contents as
:func:`corridor_sim.experiment.run_single`) on first access, once;
:class:`ReplicatedTables` concatenates the replications' tables the same way, table by
table. So ``cs.run`` returns as soon as the simulation ends, ``res.kpis`` builds only the
consignments, movements, fleets and choices, and a table nobody reads is never built.
A table read from the results is its reader's own copy: editing it in place changes
neither the KPIs nor the tables built after it.
"""

from __future__ import annotations

import datetime as dt
import platform
import resource
from collections.abc import Iterator, Mapping

import pandas as pd

from . import __version__, kpis, results
from .engine import RunData, simulate
from .scenario.models import Scenario


def table_names(scenario: Scenario) -> tuple[str, ...]:
    """The tables of one replication of ``scenario``, in the order of ``run_single``: those
    built from the run (:func:`corridor_sim.results.table_names`), the KPIs and the
    closures."""
    return (*results.table_names(scenario), "kpis", "closures")


class _Raw(Mapping):
    """A replication's tables as built (no ``replication`` column), for the KPIs."""

    def __init__(self, owner: RunTables):
        self._owner = owner

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._owner or name in ("kpis", "closures"):
            raise KeyError(name)
        return self._owner.raw(name)

    def __iter__(self) -> Iterator[str]:
        return (n for n in self._owner if n not in ("kpis", "closures"))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name) -> bool:
        return name in self._owner and name not in ("kpis", "closures")


class _LazyTables(Mapping):
    """A mapping of table names to tables, each made by ``_make`` when first read and
    kept."""

    _names: tuple[str, ...]
    _tables: dict[str, pd.DataFrame]

    def _make(self, name: str) -> pd.DataFrame:
        raise NotImplementedError

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(name)
        got = self._tables.get(name)
        if got is None:
            got = self._tables[name] = self._make(name)
        return got

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name) -> bool:
        return name in self._names


class RunTables(_LazyTables):
    """The tables of one replication, built from its run on first access (each table
    carries the ``replication`` column, as from :func:`~corridor_sim.experiment.run_single`).
    ``kpi_names`` limits the ``kpis`` table to those KPIs (see :func:`kpis.kpi_table`), and
    the ``consignments`` table to the columns they read
    (:func:`kpis.consignment_columns`)."""

    def __init__(self, run: RunData, kpi_names=None):
        self._run = run
        self._names = table_names(run.scenario)
        self._kpi_names = kpi_names
        self._raw: dict[str, pd.DataFrame] = {}
        self._tables: dict[str, pd.DataFrame] = {}

    @property
    def replication(self) -> int:
        return self._run.replication

    def raw(self, name: str) -> pd.DataFrame:
        """Table ``name`` as built, without the ``replication`` column."""
        got = self._raw.get(name)
        if got is None:
            got = self._raw[name] = self._build(name)
        return got

    def _build(self, name: str) -> pd.DataFrame:
        run, sc = self._run, self._run.scenario
        if name == "kpis":
            return kpis.kpi_table(_Raw(self), sc.start_date, sc.horizon_days * 24.0,
                                  scenario=sc, only=self._kpi_names)
        if name == "closures":
            return results.closures_table(run)
        if name == "consignments" and self._kpi_names is not None:
            return results.consignments_table(run, kpis.consignment_columns(self._kpi_names))
        return results.build_table(run, name, self.raw)

    def _make(self, name: str) -> pd.DataFrame:
        # the reader's own copy: editing it in place cannot change the table that the
        # KPIs and the other tables are (or will be) built from
        return self.labelled(name, copy=True)

    def labelled(self, name: str, copy: bool = False) -> pd.DataFrame:
        """Table ``name`` with the ``replication`` column, not kept here; without
        ``copy`` its columns are those of the table the KPIs read (e.g. to be
        concatenated with other replications', which copies them)."""
        got = self.raw(name).copy(deep=copy)
        got.insert(0, "replication", self._run.replication)
        return got

    def built(self) -> list[str]:
        """Names of the tables built so far."""
        return [n for n in self._names if n in self._raw]


class ReplicatedTables(_LazyTables):
    """The tables of several replications (each a mapping of table name to table, e.g.
    :class:`RunTables` or a dict from ``run_single``), each concatenated over the
    replications in order when first read."""

    def __init__(self, replications: list[Mapping[str, pd.DataFrame]]):
        if not replications:
            raise ValueError("no replications")
        self._reps = list(replications)
        self._names = tuple(replications[0])
        self._tables: dict[str, pd.DataFrame] = {}

    def _make(self, name: str) -> pd.DataFrame:
        if len(self._reps) == 1:
            return self._reps[0][name]
        # the concatenation is a new table: the replications' parts need not be copies
        parts = [r.labelled(name) if isinstance(r, RunTables) else r[name]
                 for r in self._reps]
        return pd.concat(parts, ignore_index=True)

    def __repr__(self) -> str:
        built = [n for n in self._names if n in self._tables]
        return (f"<tables of {len(self._reps)} replication(s): {', '.join(self._names)}; "
                f"built: {', '.join(built) or 'none'}>")


def replication_meta(scenario: Scenario, run: RunData) -> dict:
    """Metadata of one replication (``run.json``): version, scenario, seed, wall time of
    the simulation, SimPy events, consignments, peak memory so far."""
    return {
        "corridor_sim_version": __version__,
        "scenario": scenario.name,
        "seed": scenario.seed,
        "replications": 1,
        "replication": run.replication,
        "wall_s": round(run.wall_s, 4),
        "events": run.events,
        "consignments": len(run.created_h),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "python": platform.python_version(),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def simulate_replication(scenario: Scenario, replication: int = 0
                         ) -> tuple[RunTables, dict]:
    """Simulate one replication; return its tables, built when first read, and its
    metadata (a runner for :class:`corridor_sim.experiment.RunOptions`, in-process
    backends only: the tables hold the run)."""
    run = simulate(scenario, replication)
    return RunTables(run), replication_meta(scenario, run)
