"""Is the backlog growing? Consignments in the system over time and their trend.

The backlog (consignments created and not yet delivered) is *growing* when it rose over
the second half of the measured period by more than ``GROWTH_SHARE`` of the consignments
created in that half; the first half is left out so that filling an empty corridor (no
warm-up) is not mistaken for overload. Times are hours since ``start_date``.
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
    growing = bool(end - mid > GROWTH_SHARE * max(second, 1) and end > start)
    return int(start), int(mid), int(end), second, growing
