"""Where the time goes: delay breakdowns per origin -> destination and per place, the
bottleneck ranking and the backlog (consignments created but not yet delivered)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..categories import CATEGORIES, DELAY_CATEGORIES
from .basics import WAIT_ACTIVITIES, delivered, n_replications


def delay_breakdown(cons: pd.DataFrame) -> pd.DataFrame:
    """Mean hours per delay category (``<category>_h``) and mean ``transit_h`` for each
    origin -> destination (delivered after warm-up)."""
    d = delivered(cons)
    cols = [f"{c}_h" for c in CATEGORIES]
    out = d.groupby(["origin", "destination"], observed=True)[cols].mean()
    out["transit_h"] = d.groupby(["origin", "destination"], observed=True)["transit_h"].mean()
    return out.reset_index()


def _window(movements: pd.DataFrame, start_h: float, end_h: float) -> pd.DataFrame:
    e = movements["end_h"]
    return movements[(e >= start_h) & (e < end_h)]


def delay_by_place(movements: pd.DataFrame, start_h: float = 0.0,
                   end_h: float = np.inf) -> pd.DataFrame:
    """Consignment-hours spent at each place (node, rail leg or sea service) per delay
    category other than moving, plus ``total``; rows ending in ``[start_h, end_h)``
    (hours) count, per replication on average; largest total first."""
    m = _window(movements, start_h, end_h)
    m = m[m["category"].isin(DELAY_CATEGORIES)]
    wide = m.pivot_table(index="place", columns="category", values="unit_hours",
                         aggfunc="sum", fill_value=0.0, observed=True)
    wide = wide.reindex(columns=list(DELAY_CATEGORIES), fill_value=0.0)
    wide = wide / n_replications(movements)
    wide["total"] = wide.sum(axis=1)
    wide.columns.name = None
    return wide.sort_values("total", ascending=False).reset_index()


def bottlenecks(movements: pd.DataFrame, start_h: float = 0.0,
                end_h: float = np.inf) -> pd.DataFrame:
    """Where waiting concentrates, largest first.

    Per place: ``unit_hours`` consignment-hours spent waiting (for a train to form, a
    track, a line slot, a vessel, a berth, at anchor, for weather or a closure), ``share``
    of all waiting, ``share_of_delay`` of all delay (every category but moving, handling
    included), and ``delay_hours`` all delay at the place. Rows ending in
    ``[start_h, end_h)`` (hours) count; hours are per replication on average.
    """
    m = _window(movements, start_h, end_h)
    n = n_replications(movements)
    delay = m[m["category"].isin(DELAY_CATEGORIES)]
    w = delay[delay["activity"].isin(WAIT_ACTIVITIES)]
    g = w.groupby("place")["unit_hours"].sum().sort_values(ascending=False) / n
    total_wait = float(g.sum())
    total_delay = float(delay["unit_hours"].sum()) / n
    out = pd.DataFrame({"place": g.index, "unit_hours": g.values})
    out["share"] = out["unit_hours"] / total_wait if total_wait > 0 else 0.0
    out["share_of_delay"] = out["unit_hours"] / total_delay if total_delay > 0 else 0.0
    dh = delay.groupby("place")["unit_hours"].sum() / n
    out["delay_hours"] = out["place"].map(dh).fillna(0.0).to_numpy()
    return out


def backlog_end(cons: pd.DataFrame, end_h: float) -> dict[str, float]:
    """Consignments and tons created but not delivered by ``end_h`` (hours), per
    replication on average."""
    open_ = cons[(cons["created_h"] < end_h) & ~(cons["delivered_h"] < end_h)]
    n = n_replications(cons)
    count = len(open_) / n
    return {"consignments": int(count) if n == 1 else count,
            "tons": float(open_["tons"].sum()) / n}


def backlog_over_time(cons: pd.DataFrame, end_h: float, step_h: float = 24.0,
                      start_h: float = 0.0) -> pd.DataFrame:
    """Consignments and tons in the system (created at or before ``t_h``, not delivered by
    then) sampled every ``step_h`` hours from ``start_h`` to ``end_h``; per replication on
    average."""
    t = np.arange(start_h, end_h + 1e-9, step_h)
    created = cons["created_h"].to_numpy(float)
    done = cons["delivered_h"].to_numpy(float)
    tons = cons["tons"].to_numpy(float)
    o_c = np.argsort(created, kind="stable")
    done_sorted = np.where(np.isnan(done), np.inf, done)
    o_d = np.argsort(done_sorted, kind="stable")
    n_in = np.searchsorted(created[o_c], t, side="right")
    n_out = np.searchsorted(done_sorted[o_d], t, side="right")
    cum_in = np.concatenate([[0.0], np.cumsum(tons[o_c])])
    cum_out = np.concatenate([[0.0], np.cumsum(tons[o_d])])
    n = n_replications(cons)
    return pd.DataFrame({"t_h": t, "consignments": (n_in - n_out) / n,
                         "tons": (cum_in[n_in] - cum_out[n_out]) / n})
