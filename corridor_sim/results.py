"""Result tables (pandas) built from a run.

Tables (design section 5):

- ``consignments``: one row per consignment: flow, origin, destination, direction,
  service class (``service``: ``block`` or ``regular``), unit, TEU, tons,
  created/delivered hours, transit hours and the hours spent in each delay category
  (``moving_h``, ``consolidation_h``, ``border_h``, ``transshipment_h``, ``waiting_h``,
  ``disruption_h``, ``rolling_stock_h``; they add up to ``transit_h`` for delivered
  consignments), and for delivered ones when their first train or vessel left the
  origin after loading (``departed_h``) and their last one reached the destination before unloading
  (``arrived_h``). When the scenario has an ``economics`` block: ``cost_usd`` and
  ``co2e_kg`` with their breakdowns by kind (:mod:`corridor_sim.economics`).
- ``movements``: one row per batch (train or vessel load) per activity: place, activity,
  category, start/end hours, with the batch's TEU, tons and units.
- ``resources``: long-format step series of queues, busy units and fleets: resource,
  metric, time, value (built in :mod:`corridor_sim.resource_series`).
- ``itinerary``: one row per consignment per node passed, with the batch it left on
  (built in :mod:`corridor_sim.itinerary`; left out when the scenario's
  ``outputs.itinerary`` is false).
- ``choices`` (scenarios with markets): one row per market consignment with the route it
  chose (:mod:`corridor_sim.choices`).
- ``fleets`` (scenarios with fleets): one row per fleet of wagons, platforms or
  containers: use, empty running and turnaround (:mod:`corridor_sim.fleet_tables`).
- ``background`` (scenarios whose sea services carry background traffic): per service
  and crossing, the units that arrived, boarded, were turned away or still waited
  (:mod:`corridor_sim.background_table`).

Times are hours since the scenario's ``start_date`` (negative during warm-up). Writing and
reading results directories is in :mod:`corridor_sim.results_io`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import NamedTuple

import numpy as np
import pandas as pd

from .background_table import background_table, has_background
from .batches import manifest, segment_ends
from .categories import CATEGORIES
from .choices import choices_table
from .economics.accounts import COLUMNS as ACCOUNT_COLUMNS
from .economics.accounts import consignment_accounts
from .engine import RunData
from .fleet_tables import fleets_table
from .itinerary import itinerary_table
from .network import segment_parts
from .resource_series import resources_table
from .scenario.classes import SERVICE_CLASSES
from .scenario.links import flow_direction
from .scenario.models import Scenario

# The tables of a run kept as Parquet files (``<name>.parquet`` in a results directory).
# A run's tables dict also holds ``kpis`` and ``closures``, which are written as CSV.
PARQUET_TABLES = ("consignments", "movements", "resources", "itinerary", "choices", "fleets",
                  "background")
DIRECTIONS = ["westbound", "eastbound"]  # categories of the consignments' `direction`
# the delay breakdown's columns: hours per category, moving included (the cost
# accounts' DELAY_COLUMNS leave moving out)
CATEGORY_COLUMNS = tuple(f"{c}_h" for c in CATEGORIES)


def _held_part(run: RunData) -> np.ndarray:
    """Per manifest entry, the hours of its wait for its train that count as waiting for
    platforms: from when a train of the same queue was first held for platforms while
    it waited (or was being held when it joined) until its own train formed. Zero where
    no train was held."""
    rec = run.rec
    mb, mj = manifest(run)
    held = rec.column("b_held")
    part = np.zeros(len(mb))
    if not (held > 0).any():
        return part
    formed, seg = rec.column("b_formed"), rec.column("b_segment")
    hb = np.flatnonzero(held > 0)
    for code in np.unique(seg[hb]).tolist():
        mine = hb[seg[hb] == code]
        ends = formed[mine]  # held trains of this queue, in the order they formed
        order = np.argsort(ends, kind="stable")
        ends, starts = ends[order], (formed - held)[mine][order]
        entry = np.flatnonzero(seg[mb] == code)
        # the first hold that ends after the entry joined
        k = np.searchsorted(ends, mj[entry], side="right")
        ok = k < len(ends)
        entry, k = entry[ok], k[ok]
        begin = np.maximum(mj[entry], starts[k])
        part[entry] = np.clip(formed[mb[entry]] - begin, 0.0, None)
    return part


def consignments_table(run: RunData, columns: Collection[str] | None = None
                       ) -> pd.DataFrame:
    """One row per consignment with its delay breakdown (hours); with ``columns``, only
    those (in table order), and the delay breakdown, trip ends and cost and CO2e computed
    only if one of their columns is asked for."""
    rec = run.rec
    n = len(run.created_h)
    priced = run.scenario.economics is not None

    def wanted(*names: str) -> bool:
        return columns is None or any(c in columns for c in names)

    accounts = priced and wanted(*ACCOUNT_COLUMNS)
    delays = accounts or wanted(*CATEGORY_COLUMNS)  # the time cost reads the delays
    per = _delay_hours(run) if delays else []
    departed, arrived = np.full(n, np.nan), np.full(n, np.nan)
    if len(rec.m_ids) and wanted("departed_h", "arrived_h"):
        mb, _ = manifest(run)
        _trip_ends(run, rec.column("st_batch"), rec.column("st_t0"), rec.column("st_t1"),
                   mb, rec.column("m_ids"), departed, arrived)
    flows = run.scenario.flows
    fo = run.flow_of

    def per_flow(values: list, dtype=object) -> np.ndarray:
        return np.array(values, dtype=dtype)[fo] if n else np.empty(0, dtype=dtype)

    delivered = rec.delivered_h
    data = {
        "consignment_id": np.arange(n, dtype=np.int64),
        "flow": pd.Categorical.from_codes(fo, [f.id for f in flows]) if n else
        pd.Categorical([], categories=[f.id for f in flows]),
        "origin": per_flow([f.from_ for f in flows]),
        "destination": per_flow([f.to for f in flows]),
        "direction": pd.Categorical.from_codes(per_flow(
            [DIRECTIONS.index(flow_direction(run.scenario, f)) for f in flows], np.int8),
            DIRECTIONS),
        "service": pd.Categorical.from_codes(per_flow(
            [SERVICE_CLASSES.index(f.service_class) for f in flows], np.int8),
            list(SERVICE_CLASSES)),
        "unit": per_flow([f.unit for f in flows]),
        # (the run's own arrays copied: the table is built without copying its columns,
        # and editing it must not change the run, which the other tables still read)
        "teu": run.teu_of.copy(),
        "tons": run.tons_of.copy(),
        "created_h": run.created_h.copy(),
        "delivered_h": delivered.copy(),
        "transit_h": delivered - run.created_h,
        **{name: hours for name, hours in zip(CATEGORY_COLUMNS, per)},
        "departed_h": departed,
        "arrived_h": arrived,
        "warmup": delivered < 0,
    }
    if accounts:  # cost and CO2e columns when priced
        acc = consignment_accounts(run.scenario, pd.DataFrame(data, copy=False))
        data.update((name, acc[name].to_numpy()) for name in acc.columns)
    if columns is not None:
        data = {name: col for name, col in data.items() if name in columns}
    return pd.DataFrame(data, copy=False)  # the arrays as they are


def _delay_hours(run: RunData) -> list[np.ndarray]:
    """Per delay category (in the order of CATEGORIES), the hours each consignment spent
    in it: its batches' stage hours, plus its waits for its trains (consolidation, the
    part held for platforms as rolling stock) and vessels (waiting), plus its wait for a
    container or wagon at the origin (rolling stock)."""
    rec = run.rec
    n = len(run.created_h)
    k = len(CATEGORIES)
    per = [np.zeros(n) for _ in range(k)]
    sb = rec.column("st_batch")
    cat = np.zeros((max(rec.n_batches, 1), k))
    if len(sb):  # hours per batch and category (summed in row order)
        cat = _sums(sb * k + rec.column("st_cat"), rec.column("st_t1") - rec.column("st_t0"),
                    cat.size).reshape(cat.shape)
    if len(rec.m_ids):
        mb, mj = manifest(run)
        mi = rec.column("m_ids")
        ended = np.isfinite(rec.column("b_end"))[mb]
        mb, mi, mj = mb[ended], mi[ended], mj[ended]
        pre = rec.column("b_formed")[mb] - mj
        stock = _held_part(run)[ended]
        vessel = rec.column("b_kind")[mb] == rec.codes.get("vessel", -1)
        train = ~vessel
        # a consignment's own waits, added after its batches' hours (in that order)
        own = {"consolidation": (train, pre[train] - stock[train]),
               "rolling_stock": (train, stock[train]),
               "waiting": (vessel, pre[vessel])}
        for i, name in enumerate(CATEGORIES):  # one column at a time: no (entries x k)
            ids, hours = mi, cat[mb, i]
            if name in own:
                rows, extra = own[name]
                ids, hours = np.concatenate([mi, mi[rows]]), np.concatenate([hours, extra])
            per[i] = _sums(ids, hours, n)
    boxed = np.isfinite(rec.ready_h)  # waited for a container or wagon at the origin
    stock_col = per[CATEGORIES.index("rolling_stock")]
    stock_col[boxed] += rec.ready_h[boxed] - run.created_h[boxed]
    return per


def _sums(index: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Sum of ``weights`` per value of ``index`` (0..n-1), added in row order; floats
    also when there are no rows (``np.bincount`` gives integers then)."""
    return np.bincount(index, weights=weights, minlength=n).astype(np.float64, copy=False)


def _trip_ends(run: RunData, sb: np.ndarray, t0: np.ndarray, t1: np.ndarray,
               mb: np.ndarray, mi: np.ndarray, departed: np.ndarray,
               arrived: np.ndarray) -> None:
    """Fill ``departed`` / ``arrived`` (hours, NaN stays for consignments not delivered):
    when each delivered consignment's first batch left its first node (after loading
    there) and its last batch reached its destination (before unloading). A batch leaves
    with its first stage away from its start node and arrives with the end of its last
    stage away from its end node. ``sb, t0, t1``: the stage rows' batch and times;
    ``mb, mi``: the manifests' batch and consignment ids."""
    rec = run.rec
    nb, n = rec.n_batches, len(departed)
    seg, first_node, last_node = segment_ends(run)
    start_code = np.array([rec.code(x) for x in first_node], dtype=np.int64)[seg]
    end_code = np.array([rec.code(x) for x in last_node], dtype=np.int64)[seg]
    place = rec.column("st_place")
    away = place != start_code[sb]
    first = np.full(nb, np.inf)
    np.minimum.at(first, sb[away], t0[away])
    leave = np.where(np.isfinite(first), first, rec.column("b_formed"))  # none: when formed
    away = place != end_code[sb]
    last = np.full(nb, -np.inf)
    np.maximum.at(last, sb[away], t1[away])
    reach = np.where(np.isfinite(last), last, rec.column("b_end"))
    first_batch = np.full(n, nb, dtype=np.int64)
    np.minimum.at(first_batch, mi, mb)
    last_batch = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_batch, mi, mb)
    done = np.isfinite(rec.delivered_h) & (last_batch >= 0)
    departed[done] = leave[first_batch[done]]
    arrived[done] = reach[last_batch[done]]


def movements_table(run: RunData) -> pd.DataFrame:
    """One row per batch per activity (a train's run on a leg, a queue at a node...).

    Besides the batch's own activities, each batch has one row for the time its
    consignments spent waiting for it to form (``assemble`` for trains, ``await_vessel``
    for vessels) at the node where it formed; ``unit_hours`` sums the consignment-hours of
    each row (duration x units, or the members' individual waits for those rows).
    ``teu`` is the batch's cargo, ``background_teu`` the deck slots its vessel gave to
    background traffic (0 for trains).
    """
    rec = run.rec
    b = rec.column("st_batch")
    t0, t1 = rec.column("st_t0"), rec.column("st_t1")
    units = rec.column("b_units")
    rows = pd.DataFrame({
        "batch_id": b,
        "place": rec.label_column("st_place"),
        "activity": rec.label_column("st_activity"),
        "category": np.asarray(CATEGORIES, dtype=object)[rec.column("st_cat")],
        "start_h": t0,
        "end_h": t1,
        "unit_hours": (t1 - t0) * units[b] if len(b) else np.empty(0),
    })
    waits = _assembly_rows(run)
    df = pd.concat([waits, rows], ignore_index=True) if len(waits) else rows
    kinds = rec.label_column("b_kind")
    bid = df["batch_id"].to_numpy(dtype=np.int64)
    df.insert(1, "kind", kinds[bid] if len(bid) else np.array([], dtype=object))
    df.insert(2, "segment", rec.label_column("b_segment")[bid] if len(bid) else [])
    df["teu"] = rec.column("b_teu")[bid] if len(bid) else np.empty(0)
    df["background_teu"] = rec.column("b_background_teu")[bid] if len(bid) else np.empty(0)
    df["tons"] = rec.column("b_tons")[bid] if len(bid) else np.empty(0)
    df["units"] = units[bid] if len(bid) else np.empty(0, dtype=np.int64)
    return df.sort_values(["batch_id", "start_h"], kind="stable").reset_index(drop=True)


def _assembly_rows(run: RunData) -> pd.DataFrame:
    rec = run.rec
    if not len(rec.m_ids):
        return pd.DataFrame()
    mb, mj = manifest(run)
    nb = rec.n_batches
    formed = rec.column("b_formed")
    first = np.full(nb, np.inf)
    np.minimum.at(first, mb, mj)
    pre = formed[mb] - mj
    stock = _held_part(run)  # the part of each wait spent waiting for platforms
    hours, stock_hours, held = np.zeros(nb), np.zeros(nb), np.zeros(nb)
    np.add.at(hours, mb, pre - stock)
    np.add.at(stock_hours, mb, stock)
    np.maximum.at(held, mb, stock)
    kinds = rec.label_column("b_kind")
    seg = rec.column("b_segment")
    uniq, inv = np.unique(seg, return_inverse=True)
    places = np.array([_segment_start(rec.labels[c]) for c in uniq], dtype=object)[inv]
    vessel = kinds == "vessel"
    bid = np.arange(nb, dtype=np.int64)
    start = np.minimum(first, formed - held)
    parts = [pd.DataFrame({
        "batch_id": bid,
        "place": places,
        "activity": np.where(vessel, "await_vessel", "assemble").astype(object),
        "category": np.where(vessel, "waiting", "consolidation").astype(object),
        "start_h": start,
        "end_h": formed - held,
        "unit_hours": hours,
    })]
    if (held > 0).any():
        h = held > 0
        parts.append(_rows(bid[h], places[h], "await_platforms", formed[h] - held[h],
                           formed[h], stock_hours[h]))
    boxed = np.isfinite(rec.ready_h)
    if boxed.any():  # waits for a container or wagon, on the batch each first rode
        ids = rec.column("m_ids")
        entry = np.flatnonzero(boxed[ids] & (mj == rec.ready_h[ids]))
        entry = entry[np.unique(ids[entry], return_index=True)[1]]  # first ride only
        b, c = mb[entry], ids[entry]
        got = pd.DataFrame({"b": b, "t0": run.created_h[c], "t1": rec.ready_h[c],
                            "h": rec.ready_h[c] - run.created_h[c]})
        got = got.groupby("b").agg(t0=("t0", "min"), h=("h", "sum"))
        b = got.index.to_numpy(dtype=np.int64)
        # shown just before the batch's assembly (the waits overlap it in time; the
        # consignment-hours are exact), first among rows that start together
        parts.insert(0, _rows(b, places[b], "await_unit",
                           np.minimum(got["t0"].to_numpy(), start[b]), start[b],
                           got["h"].to_numpy()))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _rows(bid, places, activity: str, t0, t1, unit_hours) -> pd.DataFrame:
    """Rows of the time consignments waited for rolling stock (category rolling_stock)."""
    return pd.DataFrame({"batch_id": bid, "place": places, "activity": activity,
                         "category": "rolling_stock", "start_h": t0, "end_h": t1,
                         "unit_hours": unit_hours})


def _segment_start(segment: str) -> str:
    """Where a batch's consignments waited for it: its first node, or its service."""
    return segment_parts(segment)[1][0]


class TableBuilder(NamedTuple):
    """How one table is built from a run."""

    has: Callable[[Scenario], bool]  # whether the runs of a scenario have the table
    # the table of a run; the second argument gives a table built before it by name
    build: Callable[[RunData, Callable[[str], pd.DataFrame]], pd.DataFrame]


# The tables built from a run, in the order they are built: the one list read by
# ``build_tables`` and by the tables built on first read (``run_tables.RunTables``).
RUN_TABLES: dict[str, TableBuilder] = {
    "consignments": TableBuilder(lambda sc: True, lambda run, table: consignments_table(run)),
    "movements": TableBuilder(lambda sc: True, lambda run, table: movements_table(run)),
    "resources": TableBuilder(lambda sc: True, lambda run, table: resources_table(run)),
    "itinerary": TableBuilder(lambda sc: sc.outputs.itinerary,
                              lambda run, table: itinerary_table(run)),
    "fleets": TableBuilder(lambda sc: bool(sc.fleets), lambda run, table: fleets_table(run)),
    "background": TableBuilder(has_background, lambda run, table: background_table(run)),
    "choices": TableBuilder(lambda sc: bool(sc.markets),
                            lambda run, table: choices_table(run, table("consignments"))),
}


def table_names(scenario: Scenario) -> tuple[str, ...]:
    """The tables built from a run of ``scenario`` (:data:`RUN_TABLES`), in build order:
    ``itinerary`` only when its ``outputs.itinerary`` is on, ``fleets`` only when it has
    fleets, ``background`` only when a sea service carries background traffic, ``choices``
    only when it has markets."""
    return tuple(name for name, b in RUN_TABLES.items() if b.has(scenario))


def build_table(run: RunData, name: str,
                table: Callable[[str], pd.DataFrame]) -> pd.DataFrame:
    """Table ``name`` of ``run``; ``table(other)`` gives another table of the run that it
    reads (the choices read the consignments)."""
    return RUN_TABLES[name].build(run, table)


def build_tables(run: RunData) -> dict[str, pd.DataFrame]:
    """All result tables of one run (:func:`table_names`), built at once."""
    tables: dict[str, pd.DataFrame] = {}
    for name in table_names(run.scenario):
        tables[name] = build_table(run, name, tables.__getitem__)
    return tables


def closures_table(run: RunData) -> pd.DataFrame:
    """Closure windows that applied in the run (scheduled and weather)."""
    rows = [(target, s, e) for target, ws in run.closures.items() for s, e in ws]
    return pd.DataFrame(rows, columns=["target", "start_h", "end_h"])
