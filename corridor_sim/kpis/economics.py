"""Cost and CO2e KPIs from the consignments table (its ``cost_*`` and ``co2e_*`` columns,
see :mod:`corridor_sim.economics`)."""

from __future__ import annotations

import pandas as pd

from .basics import delivered
from .memo import shared

PER_TEU = ("cost_usd", "co2e_kg", "co2e_ttw_kg")


def has_accounts(cons: pd.DataFrame) -> bool:
    """True when the table carries cost and CO2e columns (the scenario was priced)."""
    return "cost_usd" in cons.columns


def _parts(cons: pd.DataFrame) -> list[str]:
    return [c for c in cons.columns if (c.startswith("cost_") and c.endswith("_usd")
                                        or c.startswith("co2e_") and c.endswith("_kg"))]


@shared
def economics_by_od(cons: pd.DataFrame, by: tuple[str, ...] = ("origin", "destination")
                    ) -> pd.DataFrame:
    """Per origin -> destination (or the columns ``by``): TEU delivered after warm-up and
    cost (USD) and CO2e (kg) per TEU, in total and by kind: the sum over the delivered
    consignments divided by their TEU (pooled over replications)."""
    cols = _parts(cons)
    d = delivered(cons, (*by, *cols, "teu"))
    g = d.groupby(list(by), observed=True)
    sums = g[cols].sum()
    teu = g["teu"].sum()
    out = sums.div(teu, axis=0).add_suffix("_per_teu")
    out.insert(0, "teu", teu)
    return out.reset_index()
