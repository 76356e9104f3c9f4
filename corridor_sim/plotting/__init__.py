"""Figures from result tables. The only package that imports matplotlib.

Every function takes tables (pandas DataFrames) and, where it needs capacities, names or
coordinates, the scenario (a Scenario or its dict); it returns a matplotlib Figure that
shows inline in Jupyter and saves with ``fig.savefig``. Nothing here touches the
simulation. ``save_all`` writes the standard set of PNGs for a run, or the part of it
asked for (e.g. :data:`CORE`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .. import forked, kpis
from .base import Figure, release
from .calibration import calibration
from .compare import delay_breakdown_compare, throughput_compare, transit_cdf_compare
from .corridor_map import corridor_map
from .directions import both_directions
from .economics import cost_breakdown, route_breakdown
from .fleet_timeline import fleet_timeline
from .fleets import fleets
from .flows import delay_breakdown, delay_by_place, throughput, transit_cdf
from .journey import consignment_journey, typical_consignment
from .layout import fit, settle
from .resources import queues, utilisation
from .routes import route_costs, route_shares, route_tradeoff
from .stringline import stringline
from .sweep import sweep_kpis

# name -> (caption, function of (tables, scenario or None, start_date)); None when the
# plot needs a scenario and none was given.
STANDARD = {
    "throughput": ("Monthly throughput by flow",
                   lambda t, sc, sd: throughput(
                       t["consignments"], sd,
                       end_h=kpis.horizon_h(sc) if sc is not None else None)),
    "transit_cdf": ("Transit-time distribution per origin → destination",
                    lambda t, sc, sd: transit_cdf(t["consignments"], scenario=sc)),
    "delay_breakdown": ("Delay breakdown by origin → destination",
                        lambda t, sc, sd: delay_breakdown(t["consignments"], scenario=sc)),
    "delay_by_place": ("Delay by place",
                       lambda t, sc, sd: delay_by_place(t["movements"], sc)),
    "both_directions": ("Cargo delivered by direction and deck use per crossing",
                        lambda t, sc, sd: both_directions(t["consignments"], t["movements"], sc)
                        if sc is not None else None),
    "queues": ("Backlog, queues and sea services over time",
               lambda t, sc, sd: queues(t, sc) if sc is not None else None),
    "utilisation": ("Utilisation per node, rail line, port, sea service and wagon or "
                    "container fleet",
                    lambda t, sc, sd: utilisation(t["movements"], sc,
                                                  fleets=t.get("fleets"))
                    if sc is not None else None),
    "corridor_map": ("Corridor map",
                     lambda t, sc, sd: corridor_map(t["movements"], sc)
                     if sc is not None else None),
    "stringline": ("Stringline: trains and vessel voyages along the longest route, first "
                   "two weeks", lambda t, sc, sd: stringline(t["movements"], sc)
                   if sc is not None else None),
    "fleet_timeline": ("Fleet timeline: voyages of the first sea service, first 30 days",
                       lambda t, sc, sd: fleet_timeline(t["movements"], sc)
                       if sc is not None else None),
    "journey": ("Journey of a consignment with the median transit on the slowest flow",
                lambda t, sc, sd: _journey(t, sc)),
    "cost_breakdown": ("Cost and CO₂e per TEU by origin → destination",
                       lambda t, sc, sd: cost_breakdown(t["consignments"], sc)),
    "route_shares": ("Route shares by month",
                     lambda t, sc, sd: route_shares(t["choices"], sd)
                     if t.get("choices") is not None and len(t["choices"]) else None),
    "route_costs": ("Cost and CO₂e per TEU by route",
                    lambda t, sc, sd: route_costs(t["choices"], t["consignments"])
                    if t.get("choices") is not None and len(t["choices"]) else None),
    "fleets": ("Wagons, platforms and containers: idle, in use and running empty",
               lambda t, sc, sd: fleets(t["resources"], t["fleets"], sc)
               if sc is not None and t.get("fleets") is not None and len(t["fleets"])
               else None),
    "route_tradeoff": ("Transit, cost and CO₂e per route",
                       lambda t, sc, sd: route_tradeoff(t["choices"])
                       if t.get("choices") is not None and len(t["choices"]) else None),
}

# The figures a user looks at first, drawn by default by ``corridor-sim run`` (``--plots
# core``; ``--plots all`` draws every figure of STANDARD): how much arrives each month,
# how long it takes, where that time goes, and the backlog and queues over time that the
# report's verdict (overloaded or not) is about; and, where shippers chose their routes,
# how they split between them (a run without route choice has no such figure). Together
# they cost about a quarter of drawing the standard set (baseline year, one core: about
# 2 s of 8).
CORE = ("throughput", "transit_cdf", "delay_breakdown", "queues", "route_shares")


def _journey(tables: dict[str, pd.DataFrame], scenario):
    if scenario is None or "itinerary" not in tables:
        return None
    cid = typical_consignment(tables["consignments"])
    if cid is None:
        return None
    return consignment_journey(tables["itinerary"], cid, scenario, tables["movements"])


def run_figures(tables: dict[str, pd.DataFrame], scenario, folder: Path,
                names: Iterable[str] | None = None) -> list[Path]:
    """The standard figures of a run of ``scenario`` written into ``folder`` (the
    ``figures`` callable that :func:`corridor_sim.experiment.save_run` expects): those
    named in ``names`` (e.g. :data:`CORE`), or all of them (see :func:`save_all`)."""
    start = scenario.start_date if hasattr(scenario, "start_date") else scenario["start_date"]
    return save_all(tables, start, folder, scenario=scenario, names=names)


def save_all(tables: dict[str, pd.DataFrame], start_date: dt.date, folder: Path,
             scenario=None, dpi: int = 120, processes: int | None = None,
             names: Iterable[str] | None = None) -> list[Path]:
    """Write the standard plots of a run as PNGs into ``folder``; the queues, utilisation
    and map plots need ``scenario`` (a Scenario or its dict) and are skipped without it.

    ``names``: which figures of :data:`STANDARD` to draw (e.g. :data:`CORE`); all of
    them by default. A name not in :data:`STANDARD` raises ``ValueError`` before anything
    is drawn.

    ``processes``: with 2 a forked copy of this process draws about half of the figures
    while this one draws the rest (the figures are the same; a figure the copy failed to
    write is drawn here, so errors show as usual). The default is 2 where this process
    may use several cores, processes can be forked and this process runs no other
    Python thread (so not in Jupyter, whose threads a fork would copy mid-work). Returns
    the paths written, in the order of :data:`STANDARD`."""
    names = figure_names(names)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    theirs = _share(names) if processes is None or processes > 1 else []
    # drawn by a forked copy, or here when it fails (or cannot be forked)
    fork = None if processes is None else True  # None: where it is safe and useful
    copy = forked.start(_draw, theirs, tables, scenario, start_date, folder, dpi,
                        fork=fork if theirs else False)
    drawn = set(_draw([n for n in names if n not in theirs], tables, scenario, start_date,
                      folder, dpi))
    drawn |= set(copy.result())
    return [folder / f"{n}.png" for n in names if n in drawn]


def figure_names(plots: bool | str | Iterable[str] | None = None) -> list[str]:
    """The standard figures that ``plots`` asks for, in the order of :data:`STANDARD`:
    every one for None, True or ``"all"``, those of :data:`CORE` for ``"core"``, none for
    False or ``"none"``, else the names given (one or several). A name not in
    :data:`STANDARD` raises ``ValueError``."""
    if plots is None or plots is True or plots == "all":
        return list(STANDARD)
    if plots is False or plots == "none":
        return []
    wanted = set(CORE if plots == "core" else [plots] if isinstance(plots, str) else plots)
    unknown = sorted(wanted - set(STANDARD))
    if unknown:
        raise ValueError(f"unknown figure(s) {', '.join(unknown)}: choose 'all', 'core', "
                         f"'none' or standard figures ({', '.join(STANDARD)})")
    return [n for n in STANDARD if n in wanted]


# zlib level 3 instead of Pillow's 6: the same pixels, PNG encoding about 40 % faster
# (0.76 s -> 0.45 s for the baseline's 13 figures) for files about 4 % larger
PNG_OPTIONS = {"compress_level": 3}

# Standard figures laid out by their layout engine when saved; the others are placed
# by :func:`layout.fit` (margins measured from the texts around the axes), which costs
# much less than matplotlib's constrained layout.
ENGINE_LAYOUT = {"corridor_map"}

# Rough cost of drawing and saving each standard figure (seconds, baseline year, one
# core), to share them between two processes.
_COST = {"corridor_map": 1.3, "utilisation": 1.1, "fleets": 0.8, "queues": 0.7,
         "journey": 0.7, "cost_breakdown": 0.6, "delay_breakdown": 0.5, "throughput": 0.5,
         "both_directions": 0.5}


def _share(names: list[str]) -> list[str]:
    """About half of the drawing work, for a forked process: the figures, costliest
    first (by :data:`_COST`, 0.4 s otherwise), each go to the process with less work so
    far (this one on a tie)."""
    load = [0.0, 0.0]  # this process, the other
    theirs = []
    for n in sorted(names, key=lambda n: -_COST.get(n, 0.4)):
        side = int(load[1] < load[0])
        load[side] += _COST.get(n, 0.4)
        if side:
            theirs.append(n)
    return theirs


def _draw(names, tables, scenario, start_date, folder: Path, dpi: int) -> list[str]:
    written = []
    for name in names:
        fig = STANDARD[name][1](tables, scenario, start_date)
        if fig is None:
            continue
        fig.set_dpi(dpi)  # laid out at the resolution it is saved at
        # laid out once, so that saving draws the figure once
        (settle if name in ENGINE_LAYOUT else fit)(fig)
        fig.savefig(folder / f"{name}.png", dpi=dpi, pil_kwargs=PNG_OPTIONS)
        release(fig)
        written.append(name)
    return written


__all__ = [
    "CORE",
    "STANDARD",
    "figure_names",
    "Figure",
    "both_directions",
    "calibration",
    "consignment_journey",
    "corridor_map",
    "cost_breakdown",
    "delay_breakdown",
    "delay_breakdown_compare",
    "delay_by_place",
    "fleet_timeline",
    "fleets",
    "queues",
    "route_breakdown",
    "route_costs",
    "route_shares",
    "route_tradeoff",
    "save_all",
    "stringline",
    "sweep_kpis",
    "throughput",
    "throughput_compare",
    "transit_cdf",
    "transit_cdf_compare",
    "utilisation",
]
