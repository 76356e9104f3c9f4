"""The verdict that opens a run's report: is the run overloaded (its backlog grows over
the run, :mod:`corridor_sim.kpis.backlog`), how much cargo is still on its way at the end,
and which resource is busiest."""

from __future__ import annotations

import pandas as pd

from . import kpis
from .kpis.backlog import backlog_trend


def verdict(tables: dict[str, pd.DataFrame], scenario) -> dict:
    """Whether the run is overloaded (its backlog grows), as data: ``overloaded``
    (bool), ``replications``, ``growing_in`` (replications whose backlog grows),
    ``backlog_start``/``backlog_mid``/``backlog_end`` (consignments at the start, middle
    and end of the run, per replication on average), ``undelivered_share`` (of all cargo
    created, at the end), ``busiest`` (a row of :func:`corridor_sim.kpis.utilisation`)
    and ``text`` (one sentence, :func:`verdict_text`)."""
    cons = tables["consignments"]
    end_h = kpis.horizon_h(scenario)
    times = cons[["created_h", "delivered_h"]]  # all the trend reads: no wide copies
    groups = ([g for _, g in times.groupby(cons["replication"])] if "replication" in cons
              else []) or [times]
    trends = [backlog_trend(g, end_h) for g in groups]
    growing = sum(t[-1] for t in trends)
    n = len(trends)
    start, mid, end = (sum(t[i] for t in trends) / n for i in range(3))
    share = float(kpis.demand_balance(cons, end_h).set_index("flow").loc[
        "all", "undelivered_share"])
    util = kpis.utilisation(tables["movements"], scenario, fleets=tables.get("fleets"))
    top = util.iloc[0] if len(util) else None
    where = (f"busiest resource: {top['name']} ({top['kind']}, utilisation "
             f"{top['utilisation']:.0%})" if top is not None else "")
    return {"overloaded": bool(growing), "replications": n, "growing_in": int(growing),
            "backlog_start": start, "backlog_mid": mid, "backlog_end": end,
            "undelivered_share": share, "busiest": top,
            "text": verdict_text(growing, n, (start, mid, end), share, where)}


def verdict_text(growing: int, n: int, backlog: tuple[float, float, float], share: float,
                 where: str) -> str:
    """The verdict's sentence: ``growing`` replications of ``n`` have a growing backlog
    (:func:`corridor_sim.kpis.backlog.backlog_trend`); ``backlog`` is at the start,
    middle and end of the run (consignments); ``share`` of all cargo created is
    undelivered at the end; ``where`` names the busiest resource. A backlog that ends
    above its start without a rising trend over the second half (e.g. a storm in the
    last weeks) is said to be so, not to be flat."""
    start, mid, end = backlog
    if growing:
        how = "" if n == 1 else f" in {growing} of {n} replications"
        return (f"**OVERLOADED**{how}: the backlog grew from {start:,.0f} to {end:,.0f} "
                f"consignments over the run and {share:.0%} of all cargo created is "
                f"undelivered at the end; {where}.")
    if end <= start:
        trend = (f"the backlog does not grow over the run ({start:,.0f} → {end:,.0f} "
                 f"consignments)")
    else:
        trend = (f"the backlog has no rising trend over the second half of the run but ends "
                 f"above its start ({start:,.0f} → {end:,.0f} consignments, {mid:,.0f} at "
                 f"mid-run)")
    return (f"**Not overloaded**: {trend}; {share:.0%} of all cargo created is still on "
            f"its way at the end; {where}.")
