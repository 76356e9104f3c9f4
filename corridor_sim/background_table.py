"""The ``background`` table: what became of a run's background traffic (trucks, tank
wagons, cars that share a sea service's deck; ``services.X.background``).

One row per service and crossing (``outbound`` as written, ``return`` back) with
background traffic, over the units that arrived in the reported period
(``0 <= t < end``): how many arrived, boarded, were turned away after waiting
``max_wait_h`` and still waited at the end, the deck slots of those that boarded, and
the mean and 90th-percentile hours the boarded units waited.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["service", "way", "arrived", "boarded", "turned_away", "waiting_at_end",
           "slots_boarded", "wait_mean_h", "wait_p90_h"]


def has_background(scenario) -> bool:
    """Whether any sea service of ``scenario`` carries background traffic."""
    return any(svc.background for svc in scenario.services.values())


def background_table(run) -> pd.DataFrame:
    """One row per service and crossing with background traffic (module docstring)."""
    rows = []
    for service, way, deck in run.decks:
        seen = (deck.t >= 0.0) & (deck.t < run.end_h)
        left = deck.left_h[seen]
        on = ~np.isnan(left)
        away = deck.turned_away[seen]
        wait = left[on] - deck.t[seen][on]
        rows.append((service, way, int(seen.sum()), int(on.sum()), int(away.sum()),
                     int((~on & ~away).sum()), float(deck.slots[seen][on].sum()),
                     float(wait.mean()) if len(wait) else float("nan"),
                     float(np.percentile(wait, 90)) if len(wait) else float("nan")))
    return pd.DataFrame(rows, columns=COLUMNS)
