"""Is the backlog growing? Consignments in the system over time and their trend.

The backlog (consignments created and not yet delivered) is *growing* when its trend over
the second half of the measured period — the least-squares slope of the daily backlog,
times the half's length — exceeds ``GROWTH_SHARE`` of the consignments created in that
half, and it ends above where it started. The first half is left out so that filling an
empty corridor (no warm-up) is not mistaken for overload; a fitted slope rather than the
end point alone, so that a peak in the last days (a block train forming, a storm closing
the Caspian) is not mistaken for a trend. Times are hours since ``start_date``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GROWTH_SHARE = 0.05


def backlog_at(cons: pd.DataFrame, times_h) -> np.ndarray:
    """Consignments in the system (created at or before t, not delivered by t) at each t."""
    t = np.atleast_1d(np.asarray(times_h, float))
    created = np.sort(cons["created_h"].to_numpy(float))
    done = cons["delivered_h"].to_numpy(float)
    done = np.sort(done[np.isfinite(done)])
    return (np.searchsorted(created, t, side="right")
            - np.searchsorted(done, t, side="right")).astype(np.int64)


def backlog_trend(cons: pd.DataFrame, end_h: float) -> tuple[int, int, int, int, bool]:
    """Backlog (consignments) at the start, middle and end of ``[0, end_h)``, consignments
    created in its second half, and whether the backlog is growing (module docstring)."""
    start, mid, end = backlog_at(cons, [0.0, end_h / 2, end_h])
    created = cons["created_h"].to_numpy(float)
    second = int(((created > end_h / 2) & (created <= end_h)).sum())
    rise = trend_rise(cons, end_h / 2, end_h)
    growing = bool(rise > GROWTH_SHARE * max(second, 1) and end > start)
    return int(start), int(mid), int(end), second, growing


def trend_rise(cons: pd.DataFrame, t0_h: float, t1_h: float, step_h: float = 24.0) -> float:
    """Rise of the backlog over [t0_h, t1_h] along its least-squares line through samples
    every ``step_h`` hours (consignments; negative when it falls)."""
    if t1_h <= t0_h:
        return 0.0
    t = np.linspace(t0_h, t1_h, max(int(round((t1_h - t0_h) / step_h)), 1) + 1)
    slope = np.polyfit(t, backlog_at(cons, t).astype(float), 1)[0]
    return float(slope * (t1_h - t0_h))
